// Puts the assistant together from its configuration: the store, the services, the conversation and
// the scheduled jobs. Knows nothing of Wechaty: it is handed a way to send a text to a contact.
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
import { DEFAULT_INVITATION_TTL, InvitationService } from './services/invitations.js'
import { DEFAULT_LOOKUP_LIMIT, LookupService } from './services/lookup.js'
import { RenewalService } from './services/renewals.js'
import { PeopleService } from './services/people.js'
import { RiskyOperationService } from './services/risky-operations.js'
import { Store } from './store/store.js'
import { AccountScope } from './bot/commands/account-scope.js'
import { adminCommands } from './bot/commands/admin.js'
import { settingsCommands } from './bot/commands/settings.js'
import { basicCommands } from './bot/commands/basics.js'
import { invitationCommands } from './bot/commands/invitations.js'
import { lookupCommands } from './bot/commands/lookup.js'
import { renewalCommands } from './bot/commands/renewal.js'
import { unbindCommands } from './bot/commands/unbind.js'
import { Conversation } from './bot/conversation.js'
import { Dialogs } from './bot/dialog.js'

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
  store: Store
  outbox: Outbox
  services: ServiceContext
  platform: Platform
  conversation: Conversation
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
  const outbox = new Outbox(store, send, clock, log, config.outbox ?? DEFAULT_OUTBOX_POLICY)
  const services: ServiceContext = { store, now: clock, deliver: () => outbox.kick(), deliverNow: (id) => outbox.deliverNow(id), log }
  const dialogs = new Dialogs()
  const invitations = new InvitationService(services, config.invitationTtl ?? DEFAULT_INVITATION_TTL)
  const renewals = new RenewalService(services, invitations)
  // Known users' WeChat IDs stay whole even when they hold digits (an admin types them back).
  const mask = (text: string): string => maskPersonalNumbers(text, (word) => store.userByWechatId(word) !== undefined)
  const platform: Platform = { operations: new RiskyOperationService(services), people: new PeopleService(services), failure: () => store.failure, mask }
  const lookups = new LookupService(services, config.lookupLimit ?? DEFAULT_LOOKUP_LIMIT)
  const conversation = buildConversation(services, dialogs, {
    lookups,
    invitations,
    renewals,
    operations: platform.operations,
  })

  const jobs: Assistant['jobs'] = {
    expirySweep: (now) => {
      lookups.forget(now)
      return runExpirySweep({ ...services, forgetDialogs: (cutoff) => dialogs.forget(cutoff) }, now)
    },
    reminders: (now) => runReminders(services, now),
    outbox: () => outbox.deliverDue(),
    retention: (now) => runRetention(services, now, config.retention ?? DEFAULT_RETENTION),
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
    outbox,
    services,
    platform,
    conversation,
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

function buildConversation (
  services: ServiceContext,
  dialogs: Dialogs,
  with_: { lookups: LookupService, invitations: InvitationService, renewals: RenewalService, operations: RiskyOperationService },
): Conversation {
  const scope = new AccountScope(services.store)
  const basics = basicCommands(services.store)
  const lookup = lookupCommands(with_.lookups)
  const unbind = unbindCommands(services)
  const answers = invitationCommands(services.store, with_.invitations, with_.renewals, with_.operations)
  const admin = adminCommands(services, with_.invitations, scope)
  const settings = settingsCommands(services, scope)
  const renewal = renewalCommands(services.store, with_.renewals)
  return new Conversation(dialogs, {
    'lookup.method': lookup.chooseMethod,
    'lookup.value': lookup.enterValue,
    'lookup.results': unbind.fromResults,
    'unbind.confirm': unbind.confirm,
    'admin.account': scope.chooseAccount,
    'remove.confirm': admin.confirmRemove,
    'settings.confirm': settings.confirm,
  })
    .command(['帮助', '菜单', 'help', '?', '?'], basics.help)
    .command(['取消', 'cancel'], basics.cancel)
    .command(['绑定查询', '查询绑定'], lookup.start)
    .command(['解绑', '解除绑定'], unbind.command)
    .command(['我的邀请'], answers.list)
    .command(['同意', '接受'], answers.accept)
    .command(['允许'], answers.allow)
    .command(['拒绝'], answers.decline)
    .command(['续期'], renewal.request)
    .command(['绑定运营者', '邀请运营者'], admin.invite)
    .command(['运营者列表'], admin.roster)
    .command(['解绑运营者'], admin.remove)
    .command(['撤销邀请'], admin.withdraw)
    .command(['重发邀请'], admin.resend)
    .command(['风险操作保护'], settings.protection)
    .command(['风险操作提醒'], settings.alerts)
    .command(['操作记录'], settings.history)
}
