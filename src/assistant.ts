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
import { runRetention } from './jobs/retention.js'
import { DEFAULT_RETENTION } from './domain/retention.js'
import type { Logger } from './log.js'
import { DEFAULT_OUTBOX_POLICY, Outbox } from './outbox/outbox.js'
import type { OutboxPolicy, SendText } from './outbox/outbox.js'
import type { ServiceContext } from './services/context.js'
import { createServices } from './services/index.js'
import type { Services } from './services/index.js'
import type { PeopleService } from './services/people.js'
import type { RiskyOperationService } from './services/risky-operations.js'
import { Store } from './store/store.js'
import type { StoreEngine } from './store/contract.js'

/** Cron expressions (Asia/Shanghai; node-cron allows a leading seconds field). */
export interface Schedules {
  expirySweep: string
  reminders: string
  outbox: string
  retention: string
}

export const DEFAULT_SCHEDULES: Schedules = {
  expirySweep: '* * * * *',
  reminders: '*/5 * * * *',
  outbox: '*/10 * * * * *',
  retention: '30 3 * * *',
}

export interface AssistantConfig {
  dataFile: string
  seedFile?: string | undefined
  clock: () => Millis
  log: Logger
  lookupLimit?: WindowLimit | undefined
  invitationTtl?: Millis | undefined
  /** How long history and ended records are kept (one year). */
  retention?: Millis | undefined
  outbox?: OutboxPolicy | undefined
  /** false: no schedule at all (the jobs can still be run by hand, e.g. by tests). */
  schedules?: Partial<Schedules> | false | undefined
}

/** What the platform (公众平台) calls: the HTTP API and the demo console's /op. */
export interface Platform {
  operations: RiskyOperationService
  people: PeopleService
  /** Why the assistant cannot take changes now (its data file failed), if it cannot. */
  failure: () => Error | undefined
  /** The last mask, for every answer the platform gets. */
  mask: (text: string) => string
}

export interface Assistant {
  /** The embedded store, for the runner and tests only: services, jobs and the outbox use `engine`. */
  store: Store
  /** The store contract over `store`: what services, jobs and the outbox use. */
  engine: StoreEngine
  outbox: Outbox
  /** Every service, for the bot's router. */
  services: Services
  platform: Platform
  /** Every job by name, runnable by hand with a chosen time. */
  jobs: Record<keyof Schedules, (now: Millis) => Promise<unknown>>
  scheduler: Scheduler | undefined
  /** The last mask of invariant 5: every text that leaves passes it. */
  mask: (text: string) => string
  close: () => Promise<void>
}

export async function openAssistant (config: AssistantConfig, send: SendText): Promise<Assistant> {
  const { clock, log } = config
  // A bad option is refused before the data file is opened (and locked).
  checkConfig(config)
  const schedules = config.schedules === false ? false : { ...DEFAULT_SCHEDULES, ...config.schedules }
  if (schedules) Scheduler.check(schedules)
  const store = await Store.open({ file: config.dataFile, seedFile: config.seedFile, now: clock(), warn: (message) => log.warn(message) })
  try {
    return assemble(config, send, store, schedules)
  } catch (err) {
    await store.close()
    throw err
  }
}

function assemble (config: AssistantConfig, send: SendText, store: Store, schedules: Schedules | false): Assistant {
  const { clock, log } = config
  const engine = store.engine()
  const outbox = new Outbox(engine, send, clock, log, config.outbox ?? DEFAULT_OUTBOX_POLICY)
  const context: ServiceContext = { engine, now: clock, deliver: () => outbox.kick(), deliverNow: (id) => outbox.deliverNow(id), log }
  const services = createServices(context, { lookupLimit: config.lookupLimit, invitationTtl: config.invitationTtl })
  // Known users' WeChat IDs stay whole even when they hold digits (an admin types them back).
  const mask = (text: string): string => maskPersonalNumbers(text, (word) => store.userByWechatId(word) !== undefined)
  const platform: Platform = { operations: services.operations, people: services.people, failure: () => services.status.failure(), mask }

  const jobs: Assistant['jobs'] = {
    expirySweep: async (now) => {
      await services.lookups.forget(now)
      return runExpirySweep(context, now)
    },
    reminders: (now) => runReminders(context, now),
    outbox: () => outbox.deliverDue(),
    retention: (now) => runRetention(context, now, config.retention ?? DEFAULT_RETENTION),
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
    outbox,
    services,
    platform,
    jobs,
    scheduler,
    mask,
    close: async () => {
      try {
        await scheduler?.stop()
        await outbox.idle()
      } catch (err) {
        log.error('stopping jobs and deliveries failed', err)
      } finally {
        await store.close()
      }
    },
  }
}
