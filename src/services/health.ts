// Whether the assistant is fit to work, for a monitor: the store takes changes and answers, the bot is
// logged in to WeChat; and how many pushes wait on delivery.
import type { Backlog, WebhookBacklog } from '../store/contract.js'
import type { ServiceContext } from './context.js'
import { within } from '../within.js'

export type HealthProblem =
  /** The store refuses changes (the data file could not be written): a restart is needed. */
  | 'store-failed'
  /** A read did not answer (in time): the database is down or unreachable. */
  | 'store-unreachable'
  /** The bot is not logged in to WeChat: nothing is received or sent. */
  | 'logged-out'

export interface Health {
  problems: HealthProblem[]
  loggedIn: boolean
  /** Undefined when the store did not answer. */
  backlog: Backlog | undefined
  /** The webhook's deliveries; undefined when no webhook is registered or the store did not answer. */
  webhook: WebhookBacklog | undefined
}

/** How long the store may take to answer a health check before it counts as unreachable. */
const HEALTH_READ_TIMEOUT = 5_000

export class HealthService {
  constructor (
    private readonly ctx: ServiceContext,
    /** Whether the bot is logged in, as the plugin last heard it. */
    private readonly loggedIn: () => boolean,
    private readonly timeoutMs = HEALTH_READ_TIMEOUT,
  ) {}

  /**
   * A backlog alone is no problem: a sweep may queue thousands of notices, which the send rate drains over
   * minutes, and an unhealthy answer would make a supervisor restart a working assistant.
   */
  async check (): Promise<Health> {
    const problems: HealthProblem[] = []
    if (this.ctx.engine.failure()) problems.push('store-failed')
    // The backlog is the cheap read that shows the store answers (an index on PostgreSQL, memory on the file).
    const backlog = await within(this.ctx.engine.outboxBacklog(this.ctx.now()), this.timeoutMs).catch(() => undefined)
    if (!backlog) problems.push('store-unreachable')
    const loggedIn = this.loggedIn()
    if (!loggedIn) problems.push('logged-out')
    // Reported, never a problem of the assistant's: a receiver that is down is the platform's to mend.
    const webhook = backlog && await within(this.webhookBacklog(), this.timeoutMs).catch(() => undefined)
    return { problems, loggedIn, backlog, webhook }
  }

  private async webhookBacklog (): Promise<WebhookBacklog | undefined> {
    if (!await this.ctx.engine.webhook()) return undefined
    return this.ctx.engine.webhookBacklog(this.ctx.now())
  }
}
