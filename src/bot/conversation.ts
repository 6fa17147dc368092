// One routing primitive: a turn goes to a command by its leading word, else to the sender's current
// dialog step, else to the fallback. Commands and steps are plain async functions returning the reply.
import type { Millis } from '../domain/calendar.js'
import type { User } from '../store/schema.js'
import type { Dialog, DialogStep, Dialogs } from './dialog.js'
import { RESTART } from './dialog.js'
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
/** A step handler may pass (undefined) on text that is not for it; the fallback answers then. */
type StepHandler = (turn: Turn) => Promise<string | undefined> | string | undefined
type StepHandlers = {
  [S in DialogStep['step']]: (turn: Turn & { dialog: Extract<Dialog, { step: S }> }) => Promise<string | undefined> | string | undefined
}

export class Conversation {
  private readonly commands: Array<{ word: string, handler: Handler }> = []

  constructor (private readonly dialogs: Dialogs, private readonly steps: StepHandlers) {}

  command (words: string[], handler: Handler): this {
    for (const word of words) this.commands.push({ word, handler })
    // Longest first, so that 解绑运营者 is never taken for 解绑.
    this.commands.sort((a, b) => b.word.length - a.word.length)
    return this
  }

  isCommand (text: string): boolean {
    return this.commands.some(({ word }) => startsWithWord(text, word))
  }

  async reply (input: { text: string, sender: string, asker: User | undefined, now: Millis }): Promise<string> {
    const { text, sender, now } = input
    const stored = this.dialogs.get(sender)
    const dialog = stored && stored.expiresAt > now ? stored : undefined
    const turn: Turn = {
      ...input,
      args: '',
      dialog,
      setDialog: (step) => this.dialogs.set(sender, step, now),
      endDialog: () => this.dialogs.clear(sender),
    }
    const command = this.commands.find(({ word }) => startsWithWord(text, word))
    if (command) {
      if (stored && !dialog) this.dialogs.clear(sender)
      return command.handler({ ...turn, args: text.slice(command.word.length).trim() })
    }
    if (dialog) {
      const reply = await (this.steps[dialog.step] as StepHandler)(turn)
      if (reply !== undefined) return reply
    } else if (stored) {
      this.dialogs.clear(sender)
      return texts.stepExpired(RESTART[stored.step])
    }
    if (text === '确认') return texts.nothingToConfirm
    return texts.unknown(text)
  }
}

/** `help` matches `help` and `help me` but not `helpful`; Chinese words need no space after them. */
function startsWithWord (text: string, word: string): boolean {
  if (!text.toLowerCase().startsWith(word.toLowerCase())) return false
  const next = text[word.length]
  return next === undefined || /\s/.test(next) || /[^A-Za-z]/.test(word.slice(-1)) || !/[A-Za-z]/.test(next)
}
