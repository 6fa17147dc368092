// Takes messages off the bot: drops its own, duplicates and ones older than the start, keeps each
// sender's messages in order, and turns a failing handler into an apology and a log line.
import type { Message } from 'wechaty'
import type { Logger } from '../log.js'

const REMEMBERED_IDS = 10_000

export class MessageIntake {
  private readonly seen = new Set<string>()
  private readonly queues = new Map<string, Promise<void>>()
  private readonly startedAt: number

  constructor (
    private readonly handle: (message: Message) => Promise<void>,
    private readonly apologise: (message: Message) => Promise<void>,
    private readonly log: Logger,
    /** The chat's own time (message timestamps), not the assistant's business clock. */
    wallClock: () => number,
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
    this.seen.add(id)
    if (this.seen.size > REMEMBERED_IDS) this.seen.delete(this.seen.values().next().value!)
  }
}
