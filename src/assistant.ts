// Puts the assistant together from its configuration: the store, the services, the outbox and the
// scheduled jobs. Knows nothing of Wechaty nor of the chat's commands (the bot builds its own router
// on the services exposed here): it is handed a way to send a text to a contact.
import type { Millis } from './domain/calendar.js'
import type { WindowLimit } from './domain/rate-limit.js'
import { checkConfig } from './config-check.js'
import { maskPersonalNumbers } from './domain/masking.js'
import { Scheduler } from './jobs/scheduler.js'
import { runExpirySweep } from './jobs/expiry-sweep.js'
import { runReminders } from './jobs/reminders.js'
import { runAlertDigest } from './jobs/alert-digest.js'
import { DIGEST_CRON } from './domain/alerts.js'
import { runAccessReviews } from './jobs/access-reviews.js'
import { runRetention } from './jobs/retention.js'
import { DEFAULT_BACKUPS_KEPT, runBackup } from './jobs/backup.js'
import type { BackupPolicy } from './jobs/backup.js'
import { DEFAULT_RETENTION } from './domain/retention.js'
import type { Logger } from './log.js'
import { DEFAULT_OUTBOX_POLICY, Outbox } from './outbox/outbox.js'
import type { OutboxPolicy, SendText } from './outbox/outbox.js'
import { WebhookDelivery } from './outbox/webhook.js'
import { DEFAULT_WEBHOOK_POLICY } from './domain/webhook.js'
import type { WebhookPolicy } from './domain/webhook.js'
import type { WebhookService } from './services/webhook.js'
import type { ServiceContext } from './services/context.js'
import { createServices } from './services/index.js'
import type { Services } from './services/index.js'
import type { AccountRegistry } from './services/account-registry.js'
import type { AccountService } from './services/accounts.js'
import { HealthService } from './services/health.js'
import type { Health } from './services/health.js'
import type { Roster } from './services/operators.js'
import type { PeopleService } from './services/people.js'
import type { LoginService } from './services/logins.js'
import type { RiskyOperationService } from './services/risky-operations.js'
import type { Account } from './store/schema.js'
import type { Pool } from 'pg'
import { backupsBeside } from './store/backup.js'
import type { BackupSource } from './store/backup.js'
import { loadSeed } from './store/document.js'
import { Store } from './store/store.js'
import type { StoreEngine } from './store/contract.js'
import { StoreError } from './store/errors.js'
import { createPool, describeDatabaseUrl, describePool } from './store/postgres/connect.js'
import { openPostgresEngine } from './store/postgres/engine.js'

/** Cron expressions (Asia/Shanghai; node-cron allows a leading seconds field). */
export interface Schedules {
  expirySweep: string
  reminders: string
  outbox: string
  retention: string
  backup: string
  /** The daily digest of 风险操作提醒 (08:00 Asia/Shanghai). */
  alertDigest: string
  accessReviews: string
  /** Webhook events due for (another) attempt. */
  webhook: string
}

export const DEFAULT_SCHEDULES: Schedules = {
  expirySweep: '* * * * *',
  reminders: '*/5 * * * *',
  outbox: '*/10 * * * * *',
  retention: '30 3 * * *',
  backup: '0 3 * * *',
  alertDigest: DIGEST_CRON,
  accessReviews: '0 9 * * *',
  webhook: '*/10 * * * * *',
}

/**
 * PostgreSQL instead of the data file: a connection URL (the assistant makes the pool and ends it when it
 * closes), or the host's own pool (left open: the host ends it).
 */
export type DatabaseOption = { url: string } | { pool: Pool }

export interface AssistantConfig {
  /** The embedded engine's JSON file; not with `database`. */
  dataFile?: string | undefined
  /** PostgreSQL; not with `dataFile`. */
  database?: DatabaseOption | undefined
  /** The world an empty data file or an empty database starts from. */
  seedFile?: string | undefined
  clock: () => Millis
  log: Logger
  lookupLimit?: WindowLimit | undefined
  invitationTtl?: Millis | undefined
  /** How long history and ended records are kept (one year). */
  retention?: Millis | undefined
  outbox?: OutboxPolicy | undefined
  /** The platform's webhook: attempts and age before an event is given up on, and each attempt's timeout. */
  webhook?: Partial<WebhookPolicy> | undefined
  /**
   * Daily backups (a copy as a data file, named by its time). Default on a data file: `backups/` beside
   * it, the last 7 kept. On PostgreSQL off unless given: the database's own backups (pg_dump) come first.
   */
  backups?: Partial<BackupPolicy> | false | undefined
  /** false: no schedule at all (the jobs can still be run by hand, e.g. by tests). */
  schedules?: Partial<Schedules> | false | undefined
}

/** What the platform (公众平台) calls: the HTTP API and the demo console's /op. */
export interface Platform {
  operations: RiskyOperationService
  /** Logins confirmed by the person (POST /v1/logins). */
  logins: LoginService
  people: PeopleService
  /** Creating, renaming and handing over accounts. */
  registry: AccountRegistry
  /** Reading accounts, their history and invitations. */
  accounts: AccountService
  /** An account's operators and slots. */
  roster: (account: Account) => Promise<Roster>
  /** Whether the store answers and the bot is logged in; the outbox backlog. */
  health: () => Promise<Health>
  /** The webhook the platform registers, and how its deliveries went. */
  webhook: WebhookService
  /** Why the assistant cannot take changes now (its data file failed), if it cannot. */
  failure: () => Error | undefined
  /** The last mask, for every answer the platform gets. */
  mask: (text: string) => Promise<string>
}

export interface Assistant {
  /** The embedded store (undefined on PostgreSQL), for tests of the data file only: everyone else uses `engine`. */
  store: Store | undefined
  /** The store contract on the chosen engine: what services, jobs and the outbox use. */
  engine: StoreEngine
  /** Where the state lives, for log lines: `data file <path>` or `database postgres://user@host/db` (no password). */
  storage: string
  outbox: Outbox
  /** Delivers the events queued for the platform's webhook. */
  webhooks: WebhookDelivery
  /** Every service, for the bot's router. */
  services: Services
  platform: Platform
  /** Every job by name, runnable by hand with a chosen time. */
  jobs: Record<keyof Schedules, (now: Millis) => Promise<unknown>>
  scheduler: Scheduler | undefined
  /** The bot logged in or out (the plugin says so): pushes wait while it is out, and the health check reports it. */
  setLoggedIn: (loggedIn: boolean) => void
  /** The last mask of invariant 5: every text that leaves passes it (known WeChat IDs are asked of the engine). */
  mask: (text: string) => Promise<string>
  close: () => Promise<void>
}

export async function openAssistant (config: AssistantConfig, send: SendText): Promise<Assistant> {
  // A bad option is refused before the data file is opened (and locked) or the database reached.
  checkConfig(config)
  const schedules = config.schedules === false ? false : { ...DEFAULT_SCHEDULES, ...config.schedules }
  if (schedules) Scheduler.check(schedules)
  const opened = await openEngine(config)
  try {
    return assemble(config, send, opened, schedules)
  } catch (err) {
    await opened.engine.close()
    throw err
  }
}

interface OpenedEngine {
  store: Store | undefined
  engine: StoreEngine
  storage: string
  /** What a backup copies: the data file, or the database through the pool. */
  backupSource: BackupSource
}

/** The engine the options choose: the data file, or PostgreSQL (migrated, and seeded when empty). */
async function openEngine (config: AssistantConfig): Promise<OpenedEngine> {
  const { clock, log } = config
  if (!config.database) {
    const file = config.dataFile! // checkConfig: one of the two
    const store = await Store.open({ file, seedFile: config.seedFile, now: clock(), warn: (message) => log.warn(message) })
    return { store, engine: store.engine(), storage: `data file ${file}`, backupSource: { dataFile: file } }
  }
  const hostPool = 'pool' in config.database ? config.database.pool : undefined
  const storage = `database ${hostPool ? describePool(hostPool) : describeDatabaseUrl((config.database as { url: string }).url)}`
  // The seed file is read (and checked, as for a new data file) only when the database holds no state yet.
  const { seedFile } = config
  const seed = seedFile ? () => loadSeed(seedFile, clock()) : undefined
  const pool = hostPool ?? createPool((config.database as { url: string }).url, (err) => log.warn(`${storage}: an idle connection failed (${err.message})`))
  try {
    const engine = await openPostgresEngine(pool, { seed, keepPool: hostPool !== undefined })
    return { store: undefined, engine, storage, backupSource: { pool } }
  } catch (err) {
    if (!hostPool) await pool.end().catch(() => undefined)
    if (err instanceof StoreError) throw err // the seed file's own message
    // The driver's messages name the server, never the password.
    throw new StoreError(`Cannot open the ${storage}: ${(err as Error).message}`)
  }
}

/**
 * The last mask with the WeChat IDs of known users kept whole: a first pass notes the words it would ask
 * about, the engine is asked about those, and a second pass keeps the ones that are somebody's.
 */
async function maskWith (engine: StoreEngine, text: string): Promise<string> {
  const asked = new Set<string>()
  const first = maskPersonalNumbers(text, (word) => { asked.add(word); return false })
  if (asked.size === 0) return first
  const words = [...asked]
  const found = await Promise.all(words.map((word) => engine.userByWechatId(word)))
  const known = new Set(words.filter((_, i) => found[i] !== undefined))
  return known.size === 0 ? first : maskPersonalNumbers(text, (word) => known.has(word))
}

function assemble (config: AssistantConfig, send: SendText, opened: OpenedEngine, schedules: Schedules | false): Assistant {
  const { clock, log } = config
  const { store, engine, storage } = opened
  const outbox = new Outbox(engine, send, clock, log, config.outbox ?? DEFAULT_OUTBOX_POLICY)
  const webhooks = new WebhookDelivery(engine, clock, log, { ...DEFAULT_WEBHOOK_POLICY, ...config.webhook })
  // A change that queued pushes may have queued webhook events too: each delivery goes its own way.
  const deliver = (): void => {
    outbox.kick()
    webhooks.kick()
  }
  const context: ServiceContext = { engine, now: clock, deliver, deliverNow: (id) => outbox.deliverNow(id), log }
  const services = createServices(context, { lookupLimit: config.lookupLimit, invitationTtl: config.invitationTtl })
  // Known users' WeChat IDs stay whole even when they hold digits (an admin types them back).
  const mask = (text: string): Promise<string> => maskWith(engine, text)
  let loggedIn = false
  const health = new HealthService(context, () => loggedIn)
  const platform: Platform = {
    operations: services.operations,
    logins: services.logins,
    people: services.people,
    registry: services.registry,
    accounts: services.accounts,
    roster: services.operators.roster,
    health: () => health.check(),
    webhook: services.webhook,
    failure: () => services.status.failure(),
    mask,
  }

  const jobs: Assistant['jobs'] = {
    expirySweep: async (now) => {
      await services.lookups.forget(now)
      return runExpirySweep(context, now)
    },
    reminders: (now) => runReminders(context, now),
    accessReviews: (now) => runAccessReviews(context, now),
    outbox: () => outbox.deliverDue(),
    retention: (now) => runRetention(context, now, config.retention ?? DEFAULT_RETENTION),
    backup: async (now) => {
      const policy = backupPolicy(config)
      return policy ? runBackup(opened.backupSource, policy, now, log) : undefined
    },
    alertDigest: (now) => runAlertDigest(context, now),
    // Started, not awaited: a receiver that is slow to answer never holds the scheduler (nor its start-up catch-up).
    webhook: async () => webhooks.kick(),
  }
  let scheduler: Scheduler | undefined
  if (schedules) {
    scheduler = new Scheduler(
      (Object.keys(jobs) as Array<keyof Schedules>).map((name) => ({ name, schedule: schedules[name], run: jobs[name] })),
      clock,
      log,
    )
  }

  return {
    store,
    engine,
    storage,
    outbox,
    webhooks,
    services,
    platform,
    jobs,
    scheduler,
    setLoggedIn: (on) => {
      loggedIn = on
      outbox.setOnline(on)
    },
    mask,
    close: async () => {
      try {
        await scheduler?.stop()
        await services.lookupNotices.idle() // an owner's notice still on its way is queued before the store closes
        await outbox.idle()
        await webhooks.stop()
      } catch (err) {
        log.error('stopping jobs and deliveries failed', err)
      } finally {
        await engine.close() // the embedded store, or the engine (and the pool it made, not a host's)
      }
    },
  }
}

/** Where and how many daily backups: beside the data file by default; on PostgreSQL only when asked for. */
function backupPolicy (config: AssistantConfig): BackupPolicy | undefined {
  if (config.backups === false) return undefined
  const dir = config.backups?.dir ?? (config.dataFile ? backupsBeside(config.dataFile) : undefined)
  if (dir === undefined) return undefined
  return { dir, keep: config.backups?.keep ?? DEFAULT_BACKUPS_KEPT }
}
