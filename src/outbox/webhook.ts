// Delivers the events queued for the platform's webhook (services/platform-events.ts): each POSTed as
// JSON, signed (domain/webhook.ts), claimed first exactly as the chat outbox claims its messages (the
// store's claim, lease and back-off: no other process sends it meanwhile, a crashed claimer's events come
// back when the lease runs out), marked delivered on a 2xx, tried again with back-off otherwise, and given
// up on after the policy's attempts or age. Apart from the chat outbox: a slow or dead receiver never
// holds a chat push back, and nothing here waits on WeChat.
import { lookup as dnsLookup } from 'node:dns'
import type { LookupAddress } from 'node:dns'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import type { LookupFunction } from 'node:net'
import { toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { storable } from '../domain/text.js'
import { afterFailure, answerProblem, EVENT_ID_HEADER, EVENT_TYPE_HEADER, isReachableWebhookAddress, SIGNATURE_HEADER, signatureHeader } from '../domain/webhook.js'
import type { WebhookPolicy } from '../domain/webhook.js'
import type { Logger } from '../log.js'
import { CLAIM_LEASE, claimStillOurs } from '../store/contract.js'
import type { StoreEngine } from '../store/contract.js'
import type { Webhook, WebhookEvent } from '../store/schema.js'
import { SinglePass } from './single-pass.js'


/**
 * One POST with node:http(s): redirects are never followed (a 3xx is a failed attempt), the answer's body
 * is never read, the whole attempt times out, and the connection is refused when the host is, or resolves
 * to, an address a webhook may never reach (domain/webhook.ts): checked at connect time, so a name that
 * points at the metadata service after it was registered is caught too.
 */
export const postJson = (url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number }> => new Promise((resolve, reject) => {
  const target = new URL(url)
  const literal = target.hostname.replace(/^\[(.*)\]$/, '$1')
  if (isIP(literal) !== 0 && !isReachableWebhookAddress(literal)) {
    reject(unreachable(literal))
    return
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  const request = send(target, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, lookup: reachableOnly, agent: false }, (response) => {
    clearTimeout(timer)
    resolve({ status: response.statusCode ?? 0 })
    response.destroy() // only the status counts
  })
  const timer = setTimeout(() => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { name: 'TimeoutError' })), timeoutMs)
  request.on('error', (err) => {
    clearTimeout(timer)
    reject(err)
  })
  request.end(body)
})

function unreachable (address: string): Error {
  return Object.assign(new Error(`${address} is an address a webhook may never reach`), { code: 'EADDRNOTALLOWED' })
}

/** dns.lookup, keeping only the addresses a webhook may reach. */
const reachableOnly: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0)
    const allowed = (addresses as LookupAddress[]).filter((a) => isReachableWebhookAddress(a.address))
    if (allowed.length === 0) return callback(unreachable(hostname) as NodeJS.ErrnoException, '', 0)
    if (options.all) (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, allowed)
    else callback(null, allowed[0]!.address, allowed[0]!.family)
  })
}

/** Events claimed at a time: each waits for the one before (they go out in the order they were queued). */
const BATCH = 20

export class WebhookDelivery {
  private readonly passes = new SinglePass(() => this.pass(), (err) => this.log.error('delivering webhook events failed', err))
  private stopped = false

  constructor (
    private readonly engine: StoreEngine,
    private readonly now: () => Millis,
    private readonly log: Logger,
    private readonly policy: WebhookPolicy,
  ) {}

  /** Starts a pass unless one is under way (then another follows it); never waits for it. */
  kick (): void {
    if (!this.stopped) this.passes.kick()
  }

  /** Delivers what is due now, batch after batch; resolves when this pass is over (tests and the job await it). */
  deliverDue (): Promise<void> {
    return this.stopped ? Promise.resolve() : this.passes.run()
  }

  /** No new pass starts; resolves once the one under way (at most one attempt's timeout per event) is over. */
  async stop (): Promise<void> {
    this.stopped = true
    await this.idle()
  }

  idle (): Promise<void> {
    return this.passes.idle()
  }

  private async pass (): Promise<void> {
    // What it delivered now could not be recorded, and would go out again and again.
    if (this.engine.failure()) return
    for (;;) {
      const webhook = await this.engine.webhook()
      if (!webhook || this.stopped) return
      const now = this.now()
      // Never more than can be tried, each to its time-out, within half the claim's lease: another process
      // would otherwise take back the tail of a batch still being worked through, and send it twice.
      const size = Math.max(1, Math.min(BATCH, Math.floor(CLAIM_LEASE / 2 / this.policy.timeoutMs)))
      const batch = await this.engine.transaction((tx) => tx.claimDueWebhookEvents(now, size))
      let tried = 0
      for (const event of batch) {
        // The clock moved under the batch, as in the chat outbox (store/contract.ts claimStillOurs): set back,
        // the rest read as claimed before the jump, free for any process to take, and are claimed again at
        // the new time; stepped forward to near the end of the lease, an attempt could outlast the claim
        // while another process takes the event and sends it too. Either way none is sent alongside another.
        if (!claimStillOurs(now, this.now())) break
        await this.attempt(webhook, event)
        tried++
      }
      if (batch.length < size && tried === batch.length) return
    }
  }

  private async attempt (webhook: Webhook, event: WebhookEvent): Promise<void> {
    const timestamp = Math.floor(this.now() / 1000)
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'security-assistant-webhook/1',
      [SIGNATURE_HEADER]: signatureHeader(webhook.secret, timestamp, event.body),
      [EVENT_ID_HEADER]: event.id,
      [EVENT_TYPE_HEADER]: event.type,
    }
    let problem: string | undefined
    try {
      problem = answerProblem((await postJson(webhook.url, event.body, headers, this.policy.timeoutMs)).status)
    } catch (err) {
      problem = failureOf(err, this.policy.timeoutMs)
    }
    await this.record(webhook, event, problem).catch((err: unknown) => {
      // The webhook was removed meanwhile (its events went with it), or the store failed: logged, not thrown.
      this.log.warn(`webhook event ${event.id}: its attempt could not be recorded (${(err as Error).message})`)
    })
  }

  private async record (webhook: Webhook, event: WebhookEvent, problem: string | undefined): Promise<void> {
    const now = this.now()
    const attempts = event.attempts + 1
    if (problem === undefined) {
      await this.engine.transaction((tx) => tx.updateWebhookEvent(event.id, { deliveredAt: toIso(now), attempts, lastError: undefined, nextAttemptAt: undefined }))
      return
    }
    const lastError = storable(problem)
    const next = afterFailure(attempts, Date.parse(event.createdAt), now, this.policy)
    await this.engine.transaction((tx) => tx.updateWebhookEvent(event.id, next.givesUp
      ? { attempts, lastError, failedAt: toIso(now), nextAttemptAt: undefined }
      : { attempts, lastError, nextAttemptAt: toIso(next.retryAt) }))
    // The host only: a path or query may carry the platform's own token.
    this.log.warn(`webhook event ${event.id} (${event.type}) to ${hostOf(webhook.url)} not delivered (attempt ${attempts}): ${lastError}` +
      (next.givesUp ? '; given up' : `; next attempt at ${toIso(next.retryAt)}`))
  }
}

/** Why no answer came: a timeout, or the network's own reason (ECONNREFUSED, ENOTFOUND, …). */
function failureOf (err: unknown, timeoutMs: number): string {
  const e = err as { name?: string, code?: string, message?: string, cause?: { code?: string, message?: string } }
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`
  if (e?.code === 'EADDRNOTALLOWED') return e.message!
  return e?.code ?? e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err)
}

function hostOf (url: string): string {
  try {
    return new URL(url).host
  } catch {
    return '(the webhook)'
  }
}
