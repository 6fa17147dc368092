// One routing primitive: a turn goes to a command by its leading word, else to the sender's current
// dialog step, else to the fallback. Commands and steps are plain async functions returning the reply.
import type { Millis } from '../domain/calendar.js'
import type { User } from '../store/schema.js'
import type { DialogRecord } from '../services/dialogs.js'
import type { Dialog, DialogStep } from './dialog.js'
import { Dialogs, RESTART, stepAlive } from './dialog.js'
import { texts } from '../texts.js'

export interface Turn {
  /** The message text, trimmed. */
  text: string
  /** What follows the command word, trimmed ('' for steps). */
  args: string
  /** The chat contact: the key for dialogs and rate limits. */
  sender: string
  /** The known user behind the contact, if any. */
  asker: User | undefined
  now: Millis
  /** The sender's dialog, only while it has not lapsed. */
  dialog: Dialog | undefined
  setDialog: (step: DialogStep) => void
  endDialog: () => void
}

export type Handler = (turn: Turn) => Promise<string> | string
/** A turn taken by step `S` of the sender's dialog. */
export type StepTurn<S extends DialogStep['step']> = Turn & { dialog: Extract<Dialog, { step: S }> }
/** A step handler may pass (undefined) on text that is not for it; the fallback answers then. */
type StepHandler = (turn: Turn) => Promise<string | undefined> | string | undefined
export type StepHandlers = {
  [S in DialogStep['step']]: (turn: StepTurn<S>) => Promise<string | undefined> | string | undefined
}

export class Conversation {
  private readonly commands: Array<{ word: string, handler: Handler }> = []

  constructor (private readonly dialogs: Dialogs, private readonly steps: StepHandlers) {}

  command (words: string[], handler: Handler): this {
    for (const word of words) this.commands.push({ word: word.toLowerCase(), handler })
    // Longest first, so that 解绑运营者 is never taken for 解绑.
    this.commands.sort((a, b) => b.word.length - a.word.length)
    return this
  }

  isCommand (text: string): boolean {
    return this.find(text) !== undefined
  }

  /** `dialog`: the sender's step as read with the sender (one read a message: ContactService.sender). */
  async reply (input: { text: string, sender: string, asker: User | undefined, now: Millis, dialog: DialogRecord | undefined }): Promise<string> {
    const { text, now } = input
    const stored = Dialogs.typed(input.dialog)
    const dialog = stored && stepAlive(stored, now) ? stored : undefined
    const command = this.find(text)
    const turn = new ConversationTurn(this.dialogs, input, command ? text.slice(command.word.length).trim() : '', dialog)
    try {
      return await this.route(turn, command, stored)
    } finally {
      // The reply goes once the step it leaves behind is kept: the sender's next message finds it.
      await turn.written()
    }
  }

  private async route (turn: ConversationTurn, command: { handler: Handler } | undefined, stored: Dialog | undefined): Promise<string> {
    const { text, dialog } = turn
    if (command) {
      if (stored && !dialog) turn.endDialog()
      return command.handler(turn)
    }
    if (dialog) {
      const reply = await (this.steps[dialog.step] as StepHandler)(turn)
      if (reply !== undefined) return reply
    } else if (stored) {
      turn.endDialog()
      return texts.stepExpired(RESTART[stored.step])
    }
    if (text === '确认') return texts.nothingToConfirm
    return texts.unknown
  }

  private find (text: string): { word: string, handler: Handler } | undefined {
    const lower = text.toLowerCase()
    for (const command of this.commands) if (startsWithWord(lower, command.word)) return command
    return undefined
  }
}

/** A turn as plain fields plus two methods on the prototype: nothing is allocated per message but it. */
class ConversationTurn implements Turn {
  readonly text: string
  readonly sender: string
  readonly asker: User | undefined
  readonly now: Millis
  /** The turn's dialog writes, one after another in the order they were asked for. */
  private writes: Promise<void> = Promise.resolve()

  constructor (
    private readonly dialogs: Dialogs,
    input: { text: string, sender: string, asker: User | undefined, now: Millis },
    readonly args: string,
    readonly dialog: Dialog | undefined,
  ) {
    this.text = input.text
    this.sender = input.sender
    this.asker = input.asker
    this.now = input.now
  }

  setDialog (step: DialogStep): void {
    this.writes = this.writes.then(() => this.dialogs.set(this.sender, step, this.now))
  }

  endDialog (): void {
    this.writes = this.writes.then(() => this.dialogs.clear(this.sender))
  }

  /** Resolves once every dialog write of the turn is done (rejects if one failed). */
  written (): Promise<void> {
    return this.writes
  }
}

/** `help` matches `help` and `help me` but not `helpful`; Chinese words need no space after them. Both lower-case. */
function startsWithWord (text: string, word: string): boolean {
  if (!text.startsWith(word)) return false
  const next = text[word.length]
  if (next === undefined || /\s/.test(next)) return true
  // `help_desk1` is a WeChat ID, not `help`: a Latin word must stand alone; 绑定查询138… needs no space.
  return !/[a-z]$/.test(word) && !/^[A-Za-z0-9_-]+$/.test(text)
}
