// Delivers the pushes the store has queued: at a limited rate, retried with back-off, marked sent once
// the chat took them, given up on (and the admin told) after the last attempt.
import { toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { bucketAt, retryDelay, takeToken } from '../domain/rate-limit.js'
import type { Bucket, BucketLimit } from '../domain/rate-limit.js'
import type { Logger } from '../log.js'
import type { Delivery } from '../services/context.js'
import type { OutboxMessage } from '../store/schema.js'
import { claimStillOurs } from '../store/contract.js'
import type { StoreEngine } from '../store/contract.js'
import { notify } from '../services/notices.js'
import { storable } from '../domain/text.js'
import { SinglePass } from './single-pass.js'
import { within } from '../within.js'

/** Sends one text to a chat contact; rejects when the chat does not take it. */
export type SendText = (contactId: string, text: string) => Promise<void>

export interface OutboxPolicy {
  /** Sends a minute, with a burst: a large sweep never floods WeChat. */
  rate: BucketLimit
  /** Attempts before a message is given up on. */
  maxAttempts: number
  /** How long one send may take before it counts as failed (SEND_TIMEOUT unless told). */
  sendTimeoutMs?: number | undefined
}

export const DEFAULT_OUTBOX_POLICY: OutboxPolicy = { rate: { perMinute: 60, burst: 20 }, maxAttempts: 8 }

/**
 * A send the chat has not answered by then counts as failed and is tried again later: a hung connection
 * would otherwise hold the delivery pass, every push behind it, and the bot's stop, for ever. Generous: a
 * send that was only slow arrives, and its retry would be a second copy.
 */
export const SEND_TIMEOUT: Millis = 30_000

export class Outbox {
  private readonly passes = new SinglePass(() => this.deliverPass(), (err) => this.log.error('delivering queued messages failed', err))
  private online = false
  private bucket: Bucket
  /** One attempt per message at a time, whoever asked for it. */
  private readonly inFlight = new Map<string, Promise<Delivery>>()
  /** Claimed by the delivery pass under way and not started yet: deliverNow waits for its turn in the pass. */
  private readonly claimedByPass = new Map<string, { outcome: Promise<Delivery>, settle: (delivery: Promise<Delivery> | Delivery) => void }>()

  constructor (
    private readonly engine: StoreEngine,
    private readonly send: SendText,
    private readonly now: () => Millis,
    private readonly log: Logger,
    private readonly policy: OutboxPolicy = DEFAULT_OUTBOX_POLICY,
  ) {
    this.bucket = { tokens: policy.rate.burst, at: now() }
  }

  /** Delivery waits while the bot is logged out. */
  setOnline (online: boolean): void {
    this.online = online
    if (online) this.kick()
  }

  kick (): void {
    if (this.online) this.passes.kick()
  }

  /** Sends what is due as far as the rate allows; the rest waits for the next call (the outbox job). */
  deliverDue (): Promise<void> {
    return this.online ? this.passes.run() : Promise.resolve()
  }

  /** Tries one message now (or joins the attempt under way) and says how it went. */
  async deliverNow (id: string): Promise<Delivery> {
    const message = await this.engine.message(id)
    if (!message) throw new Error(`No outbox message ${id}`)
    if (message.sentAt) return { sent: true }
    // The embedded engine: not before the write holding it is on disk.
    if (!await this.engine.deliverable(id)) return { sent: false, reason: 'failed', error: 'not deliverable' }
    if (!this.online) return { sent: false, reason: 'offline' }
    const failure = this.engine.failure()
    if (failure) return { sent: false, reason: 'failed', error: failure.message }
    const running = this.inFlight.get(id) ?? this.claimedByPass.get(id)?.outcome
    if (running) return running
    if (!this.takeToken()) return { sent: false, reason: 'busy' }
    // Claimed first, so that no other process (nor a delivery pass here) sends it too.
    const claimed = await this.engine.transaction((tx) => tx.claimMessage(id, this.now()))
    // Not claimable: another process has it, or this process's own pass does (then its outcome is ours).
    if (!claimed) return this.inFlight.get(id) ?? this.claimedByPass.get(id)?.outcome ?? { sent: false, reason: 'busy' }
    return this.attempt(claimed)
  }

  /** Resolves when nothing is being delivered: for an orderly stop and for tests. */
  async idle (): Promise<void> {
    while (this.passes.busy || this.inFlight.size > 0) {
      await this.passes.idle()
      await Promise.allSettled(this.inFlight.values())
    }
  }

  private async deliverPass (): Promise<void> {
    // Whatever it sent now could not be marked sent, and would go out again and again.
    if (this.engine.failure()) return
    const now = this.now()
    // As many as the rate allows now, claimed at once: due, durable, to people who have chatted with the
    // assistant, and taken by no other process (store/contract.ts, claimDueMessages).
    this.bucket = bucketAt(this.policy.rate, this.bucket, now)
    const room = Math.floor(this.bucket.tokens)
    if (room < 1 || !this.online) return
    const claimed = await this.engine.transaction((tx) => tx.claimDueMessages(now, room))
    for (const message of claimed) {
      let settle!: (delivery: Promise<Delivery> | Delivery) => void
      const outcome = new Promise<Delivery>((resolve) => { settle = resolve })
      this.claimedByPass.set(message.id, { outcome, settle })
    }
    const recorded: Array<Promise<Delivery>> = []
    let tried = 0
    let outlived = false
    try {
      for (const message of claimed) {
        if (!this.online) break
        // Slow sends, or the clock moved under the pass: the rest are given back before another process
        // could take them (their claims run out, or read as from before the jump) and send them a second time,
        // and another pass claims them afresh.
        if (!claimStillOurs(now, this.now())) {
          outlived = true
          break
        }
        if (!this.inFlight.has(message.id)) {
          if (!this.takeToken()) break
          // Sends go one after another; their records share group-commit writes instead of one write each.
          const { sent, done } = this.start(message)
          this.endPassTurn(message.id, done)
          await sent
          recorded.push(done)
        }
        this.endPassTurn(message.id, this.inFlight.get(message.id) ?? { sent: false, reason: 'busy' })
        tried++
      }
    } finally {
      // Not tried after all: whoever waits on them hears so, and no one waits for ever.
      for (const message of claimed) this.endPassTurn(message.id, { sent: false, reason: this.online ? 'busy' : 'offline' })
    }
    // Not tried (the bot went offline, the pass ran long, the clock went back): given back at once rather than when the claim runs out.
    const untried = claimed.slice(tried).map((m) => m.id)
    if (untried.length > 0) await this.engine.transaction((tx) => tx.releaseClaims(untried, now))
    if (outlived) this.passes.followUp() // claims afresh, from the clock as it reads then
    await Promise.all(recorded)
  }

  /** The pass is done with a message it claimed: a deliverNow waiting on it gets this outcome. */
  private endPassTurn (id: string, delivery: Promise<Delivery> | Delivery): void {
    this.claimedByPass.get(id)?.settle(delivery)
    this.claimedByPass.delete(id)
  }

  private takeToken (): boolean {
    const { taken, bucket } = takeToken(this.policy.rate, this.bucket, this.now())
    this.bucket = bucket
    return taken
  }

  /** One attempt per message at a time: joins the one under way, else starts one. */
  private attempt (message: OutboxMessage): Promise<Delivery> {
    return this.inFlight.get(message.id) ?? this.start(message).done
  }

  /** `sent` settles when the chat answered, `done` once the outcome is recorded in the store. */
  private start (message: OutboxMessage): { sent: Promise<Delivery>, done: Promise<Delivery> } {
    const sent = this.sendOnce(message)
    const done = sent.then(async (delivery) => {
      await this.record(message, delivery)
      return delivery
    }).finally(() => this.inFlight.delete(message.id))
    this.inFlight.set(message.id, done)
    return { sent, done }
  }

  private async sendOnce (message: OutboxMessage): Promise<Delivery> {
    const recipient = await this.engine.user(message.toUserId)
    if (!recipient?.contactId) return { sent: false, reason: 'no-contact' }
    try {
      await within(this.send(recipient.contactId, message.text), this.sendTimeout, `no answer from the chat within ${this.sendTimeout / 1000} s`)
      return { sent: true }
    } catch (err) {
      return { sent: false, reason: 'failed', error: (err as Error).message }
    }
  }

  private get sendTimeout (): Millis {
    return this.policy.sendTimeoutMs ?? SEND_TIMEOUT
  }

  private async record (message: OutboxMessage, delivery: Delivery): Promise<void> {
    const now = this.now()
    const attempts = message.attempts + 1
    if (delivery.sent) {
      await this.engine.transaction((tx) => tx.updateMessage(message.id, { sentAt: toIso(now), attempts, lastError: undefined, nextAttemptAt: undefined }))
      return
    }
    const lastError = storable(delivery.reason === 'failed' ? delivery.error ?? 'failed' : delivery.reason) // a chat error's words, kept
    // No contact yet is not a failure of the chat: it waits for the contact instead of counting down.
    const givesUp = delivery.reason === 'failed' && attempts >= this.policy.maxAttempts
    await this.engine.transaction(async (tx) => {
      await tx.updateMessage(message.id, givesUp
        ? { attempts, lastError, failedAt: toIso(now), nextAttemptAt: undefined }
        : { attempts, lastError, nextAttemptAt: delivery.reason === 'failed' ? toIso(now + retryDelay(attempts)) : undefined })
      const account = message.accountId ? await tx.account(message.accountId) : undefined
      if (givesUp && account && account.adminUserId !== message.toUserId) {
        const recipient = await tx.user(message.toUserId)
        await notify(tx, { to: account.adminUserId, notice: { kind: 'delivery-failed', recipientName: recipient?.name ?? message.toUserId, accountName: account.name, text: message.text, reason: lastError }, at: toIso(now), accountId: account.id })
      }
    })
    this.log.warn(`message ${message.id} to ${message.toUserId} not delivered (attempt ${attempts}): ${lastError}${givesUp ? '; given up' : ''}`)
    if (givesUp) this.kick()
  }
}
