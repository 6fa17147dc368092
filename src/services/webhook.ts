// The platform's webhook registration: one URL, with a secret the assistant makes and shows once (when the
// webhook is first registered, or when the platform asks for a new one); what waits on it and what was
// delivered, for the platform to see failures without reading logs.
import { randomInt } from 'node:crypto'
import { toIso } from '../domain/calendar.js'
import { webhookHostProblem, webhookUrlProblem } from '../domain/webhook.js'
import type { WebhookUrlProblem } from '../domain/webhook.js'
import type { WebhookBacklog } from '../store/contract.js'
import type { Webhook, WebhookEvent } from '../store/schema.js'
import type { ServiceContext } from './context.js'

/** The one webhook's id. */
const WEBHOOK_ID = 'platform'
/** Letters only: no run of digits the last mask could take for a phone number and change on its way out. */
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const SECRET_LENGTH = 40 // about 228 bits

export type RegisterResult =
  | { kind: 'refused', problem: WebhookUrlProblem }
  /** `secret`: only when it is new (a first registration, or rotateSecret): it is never shown again. */
  | { kind: 'registered', webhook: Webhook, created: boolean, secret: string | undefined }

export class WebhookService {
  constructor (private readonly ctx: ServiceContext) {}

  /** Registers `url` (or moves the webhook there): events still waiting go to the new URL. */
  async register (url: string, rotateSecret: boolean): Promise<RegisterResult> {
    const problem = webhookUrlProblem(url) ?? webhookHostProblem(url)
    if (problem) return { kind: 'refused', problem }
    const at = toIso(this.ctx.now())
    const result = await this.ctx.engine.transaction(async (tx): Promise<RegisterResult> => {
      const current = await tx.webhook()
      const secret = current && !rotateSecret ? undefined : newSecret()
      const webhook: Webhook = { id: WEBHOOK_ID, url, secret: secret ?? current!.secret, createdAt: current?.createdAt ?? at, updatedAt: at }
      await tx.setWebhook(webhook)
      return { kind: 'registered', webhook, created: current === undefined, secret }
    })
    this.ctx.deliver() // what waited (a receiver that was down, a URL that was wrong) is tried at once
    return result
  }

  current (): Promise<Webhook | undefined> {
    return this.ctx.engine.webhook()
  }

  /** Removes the webhook and every event queued for it (the platform polls again); undefined when there was none. */
  async remove (): Promise<{ droppedEvents: number } | undefined> {
    return this.ctx.engine.transaction(async (tx) => {
      if (!await tx.webhook()) return undefined
      return { droppedEvents: await tx.removeWebhook() }
    })
  }

  /** The events queued last, newest first, each with how its delivery went. */
  recent (limit: number): Promise<WebhookEvent[]> {
    return this.ctx.engine.webhookEvents(limit)
  }

  backlog (): Promise<WebhookBacklog> {
    return this.ctx.engine.webhookBacklog(this.ctx.now())
  }
}

function newSecret (): string {
  return `whsec_${Array.from({ length: SECRET_LENGTH }, () => SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)]).join('')}`
}
