// Delivers the pushes the store has queued, marking each sent once the chat accepted it.
import { toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import type { Logger } from '../log.js'
import type { Store } from '../store/store.js'

/** Sends one text to a chat contact; rejects when the chat does not take it. */
export type SendText = (contactId: string, text: string) => Promise<void>

export class Outbox {
  private running: Promise<void> | undefined
  private again = false
  private online = false

  constructor (
    private readonly store: Store,
    private readonly send: SendText,
    private readonly now: () => Millis,
    private readonly log: Logger,
  ) {}

  /** Delivery waits while the bot is logged out. */
  setOnline (online: boolean): void {
    this.online = online
    if (online) this.kick()
  }

  /** Starts a delivery pass, or asks the running one to look again when it ends. */
  kick (): void {
    if (!this.online) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.deliverAll().finally(() => {
      this.running = undefined
      if (this.again) {
        this.again = false
        this.kick()
      }
    })
  }

  /** Resolves when nothing is being delivered: for an orderly stop and for tests. */
  async idle (): Promise<void> {
    while (this.running) await this.running
  }

  private async deliverAll (): Promise<void> {
    const pending = this.store.data.outbox.filter((m) => m.sentAt === undefined)
    for (const message of pending) {
      if (!this.online) return
      const recipient = this.store.user(message.toUserId)
      let error: string | undefined
      if (!recipient?.contactId) error = 'the recipient has not chatted with the assistant yet'
      else {
        try {
          await this.send(recipient.contactId, message.text)
        } catch (err) {
          error = (err as Error).message
        }
      }
      const at = toIso(this.now())
      await this.store.change((tx) => tx.updateMessage(message.id, error === undefined
        ? { sentAt: at, attempts: message.attempts + 1, lastError: undefined }
        : { attempts: message.attempts + 1, lastError: error }))
      if (error !== undefined) this.log.warn(`message ${message.id} to ${message.toUserId} not delivered: ${error}`)
    }
  }
}
