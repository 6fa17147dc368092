// Delivers the pushes the store has queued, marking each sent once the chat accepted it.
import { toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import type { Logger } from '../log.js'
import type { Delivery } from '../services/context.js'
import type { OutboxMessage } from '../store/schema.js'
import type { Store } from '../store/store.js'

/** Sends one text to a chat contact; rejects when the chat does not take it. */
export type SendText = (contactId: string, text: string) => Promise<void>

export class Outbox {
  private running: Promise<void> | undefined
  private again = false
  private online = false
  /** One attempt per message at a time, whoever asked for it. */
  private readonly inFlight = new Map<string, Promise<Delivery>>()

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

  /** Tries one message now (or joins the attempt under way) and says how it went. */
  async deliverNow (id: string): Promise<Delivery> {
    const message = this.store.message(id)
    if (!message) throw new Error(`No outbox message ${id}`)
    if (message.sentAt) return { sent: true }
    return this.attempt(message)
  }

  /** Resolves when nothing is being delivered: for an orderly stop and for tests. */
  async idle (): Promise<void> {
    while (this.running || this.inFlight.size > 0) {
      await this.running
      await Promise.all(this.inFlight.values())
    }
  }

  private async deliverAll (): Promise<void> {
    const pending = this.store.data.outbox.filter((m) => m.sentAt === undefined)
    for (const message of pending) {
      if (!this.online) return
      // Messages to people who never chatted with the assistant wait until they do.
      if (message.sentAt === undefined && this.store.user(message.toUserId)?.contactId) await this.attempt(message)
    }
  }

  private attempt (message: OutboxMessage): Promise<Delivery> {
    const running = this.inFlight.get(message.id)
    if (running) return running
    const attempt = this.tryOnce(message).finally(() => this.inFlight.delete(message.id))
    this.inFlight.set(message.id, attempt)
    return attempt
  }

  private async tryOnce (message: OutboxMessage): Promise<Delivery> {
    if (!this.online) return { sent: false, reason: 'offline' }
    const recipient = this.store.user(message.toUserId)
    let delivery: Delivery
    if (!recipient?.contactId) delivery = { sent: false, reason: 'no-contact' }
    else {
      try {
        await this.send(recipient.contactId, message.text)
        delivery = { sent: true }
      } catch (err) {
        delivery = { sent: false, reason: 'failed', error: (err as Error).message }
      }
    }
    const at = toIso(this.now())
    await this.store.change((tx) => tx.updateMessage(message.id, delivery.sent
      ? { sentAt: at, attempts: message.attempts + 1, lastError: undefined }
      : { attempts: message.attempts + 1, lastError: delivery.reason === 'failed' ? delivery.error : delivery.reason }))
    if (!delivery.sent) this.log.warn(`message ${message.id} to ${message.toUserId} not delivered: ${message.lastError}`)
    return delivery
  }
}
