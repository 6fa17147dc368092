// What the platform API takes and gives, as zod schemas: the request schemas validate every path, query
// and body (unknown fields refused), and all of them are what /openapi.json describes.
import { z } from 'zod'
import { ACCOUNT_NAME_MAX } from '../domain/accounts.js'
import { idNumber, nameField, newUserFields, personName, phone, wechatId } from '../fields.js'
import { OPERATIONS } from '../domain/permissions.js'
import { isStorableText } from '../domain/text.js'
import { WEBHOOK_EVENT_TYPES } from '../store/schema.js'
import { apiTexts } from '../texts.js'

// ─────────────────────────────────────────────────────────────────────────────── what requests carry

/** A record id the platform quotes back: never one no engine could hold (PostgreSQL refuses a NUL in a query). */
const recordId = (description: string) => z.string().min(1).max(100).refine(isStorableText, 'not an id: holds a control character or a broken character')
  .meta({ description })

/** NFKC-normalised and trimmed (as the bot reads names admins type), then checked. */
const accountName = nameField(ACCOUNT_NAME_MAX, apiTexts.badName).meta({ description: `The official account's name: 1–${ACCOUNT_NAME_MAX} characters on one line, unique among accounts (NFKC-normalised and trimmed).` })

export const OperationBody = z.object({
  account: recordId('The account id.'),
  actor: wechatId,
  operation: z.enum(OPERATIONS),
}).strict()

export const LoginBody = z.object({
  account: recordId('The account id.'),
  actor: wechatId.meta({ description: 'The WeChat ID of the person logging in: a known user, who is asked to confirm it in chat.' }),
}).strict()

export const NewUserBody = z.object(newUserFields).strict()

export const SecurityBody = z.object({ accountProtection: z.boolean().optional(), bankCard: z.boolean().optional() }).strict()
  .refine((b) => Object.keys(b).length > 0, 'name accountProtection or bankCard')

export const ProfileBody = z.object({
  name: personName.optional(),
  wechatId: wechatId.optional(),
  phone: phone.optional(),
  idNumber: idNumber.optional(),
}).strict().refine((b) => Object.keys(b).length > 0, 'name at least one of name, wechatId, phone, idNumber')

export const NewAccountBody = z.object({
  name: accountName,
  admin: wechatId.meta({ description: 'The admin\'s WeChat ID: a known user with 帐号保护 on and a bank card bound.' }),
  riskProtection: z.boolean().optional().meta({ description: '风险操作保护 (operators\' login and mass send wait for the admin\'s approval); off unless given.' }),
  riskAlerts: z.boolean().optional().meta({ description: '风险操作提醒 (the admin is alerted of every operator\'s risky operation); on unless given.' }),
}).strict()

export const AccountChangeBody = z.object({
  name: accountName.optional(),
  admin: wechatId.meta({ description: 'The new admin\'s WeChat ID (a known user with 帐号保护 on and a bank card bound). Their operator role on the account ends; open requests go to them.' }).optional(),
}).strict().refine((b) => Object.keys(b).length > 0, 'name name or admin (or both)')

/** Decimal digits only: Number() would also take 0x1, 1e0 and 0b11. */
const wholeNumber = z.string().regex(/^\d{1,9}$/, 'a whole number in decimal digits').pipe(z.coerce.number())

export const PageQuery = z.object({
  page: wholeNumber.pipe(z.number().int().min(1)).default(1).meta({ description: 'Which page, from 1.' }),
  perPage: wholeNumber.pipe(z.number().int().min(1).max(200)).default(50).meta({ description: 'Items a page (1–200).' }),
}).strict()

export const WebhookBody = z.object({
  url: z.string().meta({ description: 'Where each event is POSTed: an http or https URL, without user name, password or #fragment, at most 2048 characters. Redirects are never followed.' }),
  rotateSecret: z.boolean().optional().meta({ description: 'true: a new secret replaces the old one (and is shown in this answer, once). A first registration always makes one.' }),
}).strict()

export const DeliveriesQuery = z.object({
  limit: wholeNumber.pipe(z.number().int().min(1).max(200)).default(50).meta({ description: 'How many of the latest events (1–200).' }),
}).strict()

export const AccountPath = z.object({ account: recordId('The account id (acc_…).') })
export const UserPath = z.object({ wechatId })
export const FollowerPath = z.object({ account: AccountPath.shape.account, wechatId })
export const OperationPath = z.object({ id: recordId('The id a pending answer gave (op_…).') })
export const LoginPath = z.object({ id: recordId('The id POST /v1/logins gave (lg_…).') })

// ─────────────────────────────────────────────────────────────────────────────── what answers carry

const time = z.string().meta({ description: 'An ISO 8601 time in UTC.', examples: ['2026-11-21T02:00:00.000Z'] })
const masked = z.string().nullable().meta({ description: 'Masked (138****8000, 110***********002X); null when unknown.' })
const role = z.enum(['long', 'short']).meta({ description: 'long: 长期运营者 (no expiry); short: 短期运营者 (one calendar month).' })
const count = z.number().int().min(0)

export const Person = z.object({ wechatId: z.string(), name: z.string() }).meta({ id: 'Person' })

export const UserView = z.object({
  wechatId: z.string(),
  name: z.string(),
  phone: masked,
  idNumber: masked,
  accountProtection: z.boolean(),
  bankCard: z.boolean(),
  follows: z.array(z.string()).meta({ description: 'Ids of the accounts the user follows.' }),
}).meta({ id: 'User' })

export const UserStandingView = UserView.extend({
  administers: z.array(z.object({ id: z.string(), name: z.string() })),
  operatorOf: z.array(z.object({ account: z.object({ id: z.string(), name: z.string() }), role, boundAt: time, expiresAt: time.nullable() }))
    .meta({ description: 'Active operator roles (a short-term role past its expiry is not active, swept or not).' }),
}).meta({ id: 'UserWithRoles' })

const Slots = z.object({
  long: z.object({ used: count, limit: count }),
  short: z.object({ used: count, limit: count }),
}).meta({ description: 'Operator slots: active operators plus pending invitations, against the limits (5 long-term, 20 short-term).' })

export const AccountView = z.object({
  id: z.string(),
  name: z.string(),
  admin: Person,
  riskProtection: z.boolean(),
  riskAlerts: z.boolean(),
}).meta({ id: 'Account' })

export const AccountDetailView = AccountView.extend({ slots: Slots }).meta({ id: 'AccountWithSlots' })

export const AccountChangedView = AccountDetailView.extend({
  changes: z.object({
    renamed: z.object({ from: z.string(), to: z.string() }).optional(),
    admin: z.object({
      from: Person,
      to: Person,
      endedOperatorRole: role.nullable().meta({ description: 'The new admin\'s operator role on the account, ended by the change.' }),
      requestsForwarded: count.meta({ description: 'Open requests (risky operations, renewals) now put to the new admin.' }),
      requestsClosed: count.meta({ description: 'Requests that no longer stood and were closed: the old admin\'s own, or the new admin\'s as an operator.' }),
    }).optional(),
  }).meta({ description: 'What the change did; empty when the name and admin were already as given.' }),
}).meta({ id: 'AccountChanged' })

export const OperatorsView = z.object({
  account: z.string(),
  admin: Person,
  operators: z.array(Person.extend({ phone: masked, role, boundAt: time, expiresAt: time.nullable() })),
  slots: Slots,
}).meta({ id: 'Operators' })

export const InvitationView = z.object({
  code: z.string().meta({ description: 'What the invitee quotes (同意 K7Q2) when several invitations wait.' }),
  invitee: Person,
  invitedBy: Person,
  role,
  status: z.enum(['pending', 'accepted', 'declined', 'cancelled', 'expired']).meta({ description: 'By the clock: pending past its deadline reads expired.' }),
  createdAt: time,
  expiresAt: time,
  answeredAt: time.nullable(),
  delivery: z.enum(['delivered', 'queued', 'undeliverable']).meta({ description: 'Whether its latest push reached the invitee.' }),
}).meta({ id: 'Invitation' })

export const HistoryEntryView = z.object({
  at: time,
  action: z.string().meta({ description: 'binding.created, invitation.cancelled, operation.denied, account.admin-changed, …' }),
  actor: Person.nullable().meta({ description: 'Who did it; null for the platform and the scheduler.' }),
  detail: z.string().meta({ description: 'As 操作记录 shows it (Chinese).' }),
}).meta({ id: 'HistoryEntry' })

/** A page of `item`s; the newest first for history and invitations, the oldest first for accounts. */
export const paged = <T extends z.ZodType>(item: T, id: string) => z.object({
  items: z.array(item),
  page: count,
  pages: count,
  perPage: count,
  total: count,
}).meta({ id })

const denyReason = z.enum(['not-bound', 'binding-expired', 'role-not-permitted', 'unknown-account'])

export const OperationAnswerView = z.union([
  z.object({ result: z.literal('allowed') }),
  z.object({ result: z.literal('denied'), reason: denyReason, message: z.string() }),
  z.object({
    result: z.literal('pending'),
    id: z.string(),
    expiresAt: time,
    waitsFor: z.enum(['approval', 'confirmation']).meta({ description: 'approval: an operator\'s, under 风险操作保护; confirmation: the admin\'s own rename or delete.' }),
    message: z.string(),
  }),
]).meta({ id: 'OperationAnswer', description: 'message: what to tell the person (Chinese).' })

export const OperationStateView = z.object({
  id: z.string(),
  state: z.enum(['pending', 'approved', 'refused', 'lapsed', 'closed']),
  account: z.string(),
  operation: z.enum(OPERATIONS),
  createdAt: time,
  expiresAt: time,
  decidedAt: time.nullable().meta({ description: 'When the admin approved or refused it; null otherwise.' }),
  decidedBy: z.string().nullable().meta({ description: 'The WeChat ID of the admin who approved or refused it; null otherwise.' }),
  closedReason: z.enum(['unbound', 'removed', 'expired', 'not-admin']).nullable()
    .meta({ description: 'With state closed: the actor lost the role the request was asked under, so it was never approved.' }),
}).meta({ id: 'OperationState' })

export const LoginAskedView = z.object({
  id: z.string().meta({ description: 'Names the login in GET /v1/logins/{id}.' }),
  state: z.literal('awaiting-confirmation'),
  expiresAt: time.meta({ description: 'The person must confirm before this (5 minutes).' }),
  message: z.string().meta({ description: 'What to tell the person (Chinese).' }),
}).meta({ id: 'LoginAsked' })

export const LoginStateView = z.object({
  id: z.string(),
  account: z.string(),
  actor: z.string().meta({ description: 'The WeChat ID of the person logging in.' }),
  state: z.enum(['awaiting-confirmation', 'lapsed', 'rejected', 'allowed', 'denied', 'pending', 'refused']).meta({
    description: 'By the clock. awaiting-confirmation: the person has not answered yet; lapsed: they did not confirm within 5 minutes; ' +
      'rejected: they said it was not them (the admin was alerted); allowed: let them in; denied: the rules refuse it (reason); ' +
      'pending: confirmed, and the admin was asked (风险操作保护, see operation); refused: the admin refused it, or did not allow it in time.',
  }),
  reason: denyReason.nullable().meta({ description: 'With state denied: which rule refused it.' }),
  message: z.string().nullable().meta({ description: 'With state denied, pending or refused: what to tell the person (Chinese).' }),
  createdAt: time,
  expiresAt: time,
  confirmedAt: time.nullable().meta({ description: 'When the person confirmed (or disowned) it.' }),
  operation: OperationStateView.nullable().meta({ description: 'The approval request the login waited on (风险操作保护); null when none.' }),
}).meta({ id: 'LoginState' })
const WebhookBacklogView = z.object({
  pending: count.meta({ description: 'Events still to deliver (waiting for an attempt or for their back-off).' }),
  due: count.meta({ description: 'Of them, due for an attempt now.' }),
  failed: count.meta({ description: 'Events given up on (kept 30 days): the receiver never took them.' }),
  oldestQueuedAt: time.nullable().meta({ description: 'When the oldest waiting event was queued: a time far back means the receiver is failing.' }),
  lastFailedAt: time.nullable().meta({ description: 'When an event was last given up on.' }),
}).meta({ id: 'WebhookBacklog' })

export const WebhookView = z.object({
  url: z.string(),
  createdAt: time,
  updatedAt: time,
  secret: z.string().nullable().meta({ description: 'Only in the answer that made it (the first PUT, or one with rotateSecret): keep it, it is never shown again. null otherwise.' }),
  deliveries: WebhookBacklogView,
}).meta({ id: 'Webhook' })

export const WebhookRemovedView = z.object({
  removed: z.literal(true),
  droppedEvents: count.meta({ description: 'Events that were queued for the webhook (delivered or not), dropped with it.' }),
}).meta({ id: 'WebhookRemoved' })

export const WebhookDeliveriesView = z.object({
  items: z.array(z.object({
    id: z.string().meta({ description: 'The event\'s id (also in its body and in X-Assistant-Event-Id).' }),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    at: time.meta({ description: 'When it happened.' }),
    state: z.enum(['delivered', 'pending', 'failed']).meta({ description: 'delivered: a 2xx answer; pending: waiting for an attempt; failed: given up on.' }),
    attempts: count,
    deliveredAt: time.nullable(),
    nextAttemptAt: time.nullable(),
    failedAt: time.nullable(),
    lastError: z.string().nullable().meta({ description: 'Why the last attempt failed (HTTP 500, ECONNREFUSED, no answer within 10 s, a redirect…).' }),
    body: z.record(z.string(), z.unknown()).meta({ description: 'The event exactly as POSTed: { id, type, at, data }.' }),
  })),
}).meta({ id: 'WebhookDeliveries', description: 'The latest events, newest first.' })

export const HealthView = z.object({
  status: z.enum(['ok', 'unhealthy']),
  store: z.enum(['ok', 'failed', 'unreachable']),
  bot: z.enum(['logged-in', 'logged-out']),
  outbox: z.object({
    due: count.meta({ description: 'Pushes due for delivery now (to people who have chatted with the assistant).' }),
    oldestQueuedAt: time.nullable().meta({ description: 'When the oldest of them was queued: a time far back means pushes are stuck.' }),
  }).nullable().meta({ description: 'null when the store did not answer.' }),
  webhook: WebhookBacklogView.nullable().meta({ description: 'The webhook\'s deliveries; null when none is registered (or the store did not answer). Never a problem by itself: a failing receiver is the platform\'s to mend.' }),
  problems: z.array(z.object({ kind: z.enum(['store-failed', 'store-unreachable', 'logged-out']), message: z.string() })),
}).meta({ id: 'Health' })

export const OpenApiView = z.record(z.string(), z.unknown()).meta({ description: 'An OpenAPI 3.1 document.' })
