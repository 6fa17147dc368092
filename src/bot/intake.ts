// Takes messages off the bot: drops its own, duplicates and ones older than the start, keeps each
// sender's messages in order, and turns a failing handler into an apology and a log line.
import type { Message } from 'wechaty'
import type { Logger } from '../log.js'

/**
 * How long a message id is remembered: longer than any redelivery a puppet makes (a reconnect replays
 * recent history), so a replay never acts twice. Bounded in count too, so a flood cannot exhaust memory.
 */
export const REMEMBER_IDS_FOR = 48 * 3_600_000
const MAX_REMEMBERED_IDS = 2_000_000

export class MessageIntake {
  /** Message id → when it was first seen (the chat's clock), oldest first. */
  private readonly seen = new Map<string, number>()
  private readonly queues = new Map<string, Promise<void>>()
  private readonly startedAt: number

  constructor (
    private readonly handle: (message: Message) => Promise<void>,
    private readonly apologise: (message: Message) => Promise<void>,
    private readonly log: Logger,
    /** The chat's own time (message timestamps), not the assistant's business clock. */
    private readonly wallClock: () => number,
  ) {
    this.startedAt = wallClock()
  }

  accept (message: Message): void {
    if (message.self()) return
    if (this.seen.has(message.id)) return
    this.remember(message.id)
    if (message.date().getTime() < this.startedAt) return
    const sender = message.talker().id
    const previous = this.queues.get(sender)
    // safely() never rejects, so the chain never breaks; the last link removes the queue when idle.
    const next: Promise<void> = (previous ? previous.then(() => this.safely(message)) : this.safely(message)).then(() => {
      if (this.queues.get(sender) === next) this.queues.delete(sender)
    })
    this.queues.set(sender, next)
  }

  /** Resolves when every queued message has been handled. */
  async idle (): Promise<void> {
    while (this.queues.size > 0) await Promise.all(this.queues.values())
  }

  private async safely (message: Message): Promise<void> {
    try {
      await this.handle(message)
    } catch (err) {
      this.log.error(`handling message ${message.id} from ${message.talker().id} failed`, err)
      try {
        await this.apologise(message)
      } catch (sayErr) {
        this.log.error(`could not apologise for message ${message.id}`, sayErr)
      }
    }
  }

  private remember (id: string): void {
    const now = this.wallClock()
    this.seen.set(id, now)
    for (const [oldId, at] of this.seen) {
      if (at > now - REMEMBER_IDS_FOR && this.seen.size <= MAX_REMEMBERED_IDS) break
      this.seen.delete(oldId)
    }
  }
}
