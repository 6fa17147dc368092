// Every service, handed its context once: what the bot, the platform API and the demo console call.
// Nothing here renders text or knows the chat; the store stays behind these.
import type { WindowLimit } from '../domain/rate-limit.js'
import type { Account, User } from '../store/schema.js'
import { AccountRegistry } from './account-registry.js'
import { AccountService } from './accounts.js'
import { AnswerService } from './answers.js'
import { ContactService } from './contacts.js'
import { DialogService } from './dialogs.js'
import type { ServiceContext } from './context.js'
import { DEFAULT_INVITATION_TTL, InvitationService } from './invitations.js'
import { LoginService } from './logins.js'
import { DEFAULT_LOOKUP_LIMIT, LookupService } from './lookup.js'
import { LookupNoticeService } from './lookup-notices.js'
import { findOperator, removeOperator, rosterOf } from './operators.js'
import type { OperatorLookup, RemoveResult, Roster } from './operators.js'
import { PeopleService } from './people.js'
import { RenewalService } from './renewals.js'
import { ReviewService } from './reviews.js'
import { RiskyOperationService } from './risky-operations.js'
import { setAlertMode, setSwitch } from './settings.js'
import type { AlertModeResult, Switch } from './settings.js'
import type { AlertMode, AlertTopic } from '../domain/alerts.js'
import { StatusService } from './status.js'
import { unbindSelf } from './unbind.js'
import { WebhookService } from './webhook.js'
import type { UnbindResult } from './unbind.js'
import type { Millis } from '../domain/calendar.js'

export interface Services {
  /** Who a chat contact is (linked on first contact). */
  contacts: ContactService
  /** Whether changes can be taken now; what the data holds. */
  status: StatusService
  /** Accounts by admin and by name, names for replies, lists, history and invitation pages. */
  accounts: AccountService
  /** Creating, renaming and handing over accounts (the platform's). */
  registry: AccountRegistry
  /** 同意 / 允许 / 拒绝: what an answer is for, carried out; 我的邀请. */
  answers: AnswerService
  lookups: LookupService
  /** Owners told when someone else looks up their phone or ID number. */
  lookupNotices: LookupNoticeService
  /** The bot's dialog steps, kept by the store. */
  dialogs: DialogService
  invitations: InvitationService
  renewals: RenewalService
  operations: RiskyOperationService
  /** Logins the platform asks about, confirmed by the person (确认登录 / 不是我). */
  logins: LoginService
  people: PeopleService
  /** 权限复核: periodic access reviews of long-term operators. */
  reviews: ReviewService
  /** An account's operators as its admin sees them, and removing one. */
  operators: {
    roster: (account: Account) => Promise<Roster>
    find: (account: Account, wechatId: string) => Promise<OperatorLookup>
    remove: (admin: User, account: Account, bindingId: string) => Promise<RemoveResult>
  }
  /** An operator giving up their own binding. */
  unbind: (asker: User, bindingId: string) => Promise<UnbindResult>
  /** 风险操作保护 / 风险操作提醒. */
  setSwitch: (admin: User, account: Account, setting: Switch, on: boolean) => Promise<void>
  /** 风险操作提醒 <操作> 即时|汇总|关. */
  setAlertMode: (admin: User, account: Account, topic: AlertTopic, mode: AlertMode) => Promise<AlertModeResult>
  /** The platform's webhook: its URL and secret, and how its deliveries went. */
  webhook: WebhookService
}

export interface ServiceOptions {
  lookupLimit?: WindowLimit | undefined
  invitationTtl?: Millis | undefined
}

export function createServices (ctx: ServiceContext, options: ServiceOptions = {}): Services {
  const invitations = new InvitationService(ctx, options.invitationTtl ?? DEFAULT_INVITATION_TTL)
  const renewals = new RenewalService(ctx, invitations)
  const operations = new RiskyOperationService(ctx)
  const lookupNotices = new LookupNoticeService(ctx)
  return {
    contacts: new ContactService(ctx),
    status: new StatusService(ctx),
    accounts: new AccountService(ctx),
    registry: new AccountRegistry(ctx),
    answers: new AnswerService(ctx, { invitations, renewals, operations }),
    lookups: new LookupService(ctx, options.lookupLimit ?? DEFAULT_LOOKUP_LIMIT, (lookup) => lookupNotices.tell(lookup)),
    lookupNotices,
    dialogs: new DialogService(ctx),
    invitations,
    renewals,
    operations,
    logins: new LoginService(ctx, operations),
    people: new PeopleService(ctx),
    reviews: new ReviewService(ctx),
    operators: {
      roster: (account) => rosterOf(ctx, account),
      find: (account, wechatId) => findOperator(ctx, account, wechatId),
      remove: (admin, account, bindingId) => removeOperator(ctx, admin, account, bindingId),
    },
    unbind: (asker, bindingId) => unbindSelf(ctx, asker, bindingId),
    setSwitch: (admin, account, setting, on) => setSwitch(ctx, admin, account, setting, on),
    setAlertMode: (admin, account, topic, mode) => setAlertMode(ctx, admin, account, topic, mode),
    webhook: new WebhookService(ctx),
  }
}
