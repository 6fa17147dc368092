// The data file's schema, validated at load. Bump SCHEMA_VERSION and add a migration when it changes.
import { z } from 'zod'
import { daysInMonth } from '../domain/calendar.js'
import { parseIdNumber, parsePhone, parseWechatId } from '../domain/identity.js'
import type { ParseResult } from '../domain/identity.js'
import { REVIEW_DAYS_MAX, REVIEW_DAYS_MIN } from '../domain/reviews.js'
import { isStorableText } from '../domain/text.js'
import { ALERT_MODES } from '../domain/alerts.js'
import { OPERATIONS } from '../domain/permissions.js'
import { webhookUrlProblem } from '../domain/webhook.js'

export const SCHEMA_VERSION = 6

/** What toIso writes: 2026-11-21T02:00:00.000Z (milliseconds optional), a real moment in a sane range. */
const isoTime = z.string().regex(/^(?:19|2\d)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z$/, 'not an ISO date-time in UTC (2026-11-21T02:00:00.000Z)')
  .refine(isRealMoment, 'not a real date and time')
/**
 * A real moment: a month of the year, a day of that month (Date.parse would roll 02-30 over into March),
 * an hour below 24 (it would take 24:00), minutes and seconds below 60. Read digit by digit: every
 * stored time passes here when a data file loads.
 */
function isRealMoment (iso: string): boolean {
  const month = digitsAt(iso, 5, 2)
  const day = digitsAt(iso, 8, 2)
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(digitsAt(iso, 0, 4), month) &&
    digitsAt(iso, 11, 2) < 24 && digitsAt(iso, 14, 2) < 60 && digitsAt(iso, 17, 2) < 60
}

/** The number written by `count` ASCII digits from `from`, or NaN where there are not that many. */
function digitsAt (text: string, from: number, count: number): number {
  let value = 0
  for (let i = from; i < from + count; i++) {
    const digit = text.charCodeAt(i) - 48
    if (!(digit >= 0 && digit <= 9)) return Number.NaN
    value = value * 10 + digit
  }
  return value
}

/** Text from people or other systems: nothing any engine would refuse to keep. */
const text = z.string().refine(isStorableText, 'holds a control character or a broken character')
const name = text.pipe(z.string().min(1))

/** The short codes people quote: five characters (four in data made before schema 6) of an alphabet without 0/O, 1/I/L (see services/codes.ts). */
const code = z.string().regex(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4,5}$/, 'not a code (4 or 5 of A–Z, 2–9, without I, L, O)')
const id = z.string().min(1)
const operation = z.enum(OPERATIONS)
/** Why an open request was closed without a decision: what it depended on no longer holds. */
const closedReason = z.enum(['unbound', 'removed', 'expired', 'not-admin'])
/** Identifiers are kept in their normalised form, so that indexes and comparisons are exact. */
const normalised = (parse: (v: string) => ParseResult, what: string) =>
  z.string().refine((v) => { const r = parse(v); return r.ok && r.identifier.value === v }, `not a valid ${what}`)

function closedWithReason (request: { status: string, closedAt?: string | undefined, closedReason?: string | undefined }): boolean {
  const closed = request.status === 'closed'
  return closed === (request.closedReason !== undefined) && closed === (request.closedAt !== undefined)
}

export const AccountSchema = z.object({
  id,
  name,
  adminUserId: id,
  riskProtection: z.boolean(),
  riskAlerts: z.boolean(),
  /** 风险操作提醒 per kind of operation (domain/alerts.ts); a kind left out, or no choices at all, is 'immediate'. */
  alertModes: z.object({
    login: z.enum(ALERT_MODES).optional(),
    massSend: z.enum(ALERT_MODES).optional(),
    serverConfig: z.enum(ALERT_MODES).optional(),
    appSecret: z.enum(ALERT_MODES).optional(),
  }).strict().optional(),
  /** 复核周期: days between access reviews (absent: DEFAULT_REVIEW_DAYS). */
  reviewIntervalDays: z.number().int().min(REVIEW_DAYS_MIN).max(REVIEW_DAYS_MAX).optional(),
})

export const UserSchema = z.object({
  id,
  name,
  wechatId: normalised(parseWechatId, 'WeChat ID'),
  /** The chat contact this user talks to the assistant from, once known. */
  contactId: z.string().min(1).optional(),
  phone: normalised(parsePhone, 'mobile number (11 digits)').optional(),
  idNumber: normalised(parseIdNumber, 'ID number (18 characters, upper-case X)').optional(),
  accountProtection: z.boolean(),
  bankCard: z.boolean(),
  follows: z.array(id).refine((follows) => new Set(follows).size === follows.length, 'follows an account twice'),
})

export const BindingSchema = z.object({
  id,
  accountId: id,
  userId: id,
  role: z.enum(['long', 'short']),
  boundAt: isoTime,
  expiresAt: isoTime.optional(),
  endedAt: isoTime.optional(),
  endReason: z.enum(['unbound', 'removed', 'expired']).optional(),
  endedBy: id.optional(),
  /** Days-before-expiry reminders already sent (3, 1), so each goes out once. */
  remindersSent: z.array(z.number().int()).optional(),
  /** When the operator last did anything on the platform under this binding (an operation asked about). */
  lastSeenAt: isoTime.optional(),
})
  .refine((b) => (b.role === 'short') === (b.expiresAt !== undefined), { message: 'a short-term binding has an expiry and a long-term one has none', path: ['expiresAt'] })
  .refine((b) => (b.endedAt === undefined) === (b.endReason === undefined), { message: 'endedAt and endReason go together', path: ['endReason'] })

export const InvitationSchema = z.object({
  id,
  /** Short code the invitee quotes when answering one of several invitations. */
  code,
  accountId: id,
  inviteeUserId: id,
  invitedBy: id,
  role: z.enum(['long', 'short']),
  createdAt: isoTime,
  expiresAt: isoTime,
  /** 'pending' past expiresAt counts as expired by the clock, before any sweep marks it. */
  status: z.enum(['pending', 'accepted', 'declined', 'cancelled', 'expired']),
  answeredAt: isoTime.optional(),
})

export const HistorySchema = z.object({
  id,
  accountId: id,
  at: isoTime,
  actorUserId: id.optional(),
  action: z.string().min(1),
  detail: text,
})

export const RenewalSchema = z.object({
  id,
  /** What the admin quotes to approve or refuse. */
  code,
  bindingId: id,
  accountId: id,
  requestedBy: id,
  createdAt: isoTime,
  /** 'pending' past this counts as lapsed (refused) by the clock. */
  expiresAt: isoTime,
  status: z.enum(['pending', 'approved', 'refused', 'expired', 'closed']),
  decidedAt: isoTime.optional(),
  decidedBy: id.optional(),
  /** Set with status 'closed': the binding it would renew was unbound or removed. */
  closedAt: isoTime.optional(),
  closedReason: closedReason.optional(),
}).refine(closedWithReason, { message: 'a closed request has closedAt and closedReason, and only a closed one', path: ['closedReason'] })

/** One long-term operator in an access review, in the order the admin was shown them (number = index + 1). */
export const ReviewItemSchema = z.object({
  bindingId: id,
  userId: id,
  /** The admin's answer; absent while undecided. An operator who left meanwhile needs none. */
  decision: z.enum(['keep', 'remove']).optional(),
  decidedAt: isoTime.optional(),
}).refine((i) => (i.decision === undefined) === (i.decidedAt === undefined), { message: 'decision and decidedAt go together', path: ['decidedAt'] })

/** 权限复核: the admin confirms or removes each long-term operator of the account (domain/reviews.ts). */
export const ReviewSchema = z.object({
  id,
  accountId: id,
  startedAt: isoTime,
  /** The admin who started it (权限复核); absent when the schedule did. */
  startedBy: id.optional(),
  /** 'open' until every operator is decided ('completed') or it ran out unanswered ('lapsed'). */
  status: z.enum(['open', 'completed', 'lapsed']),
  items: z.array(ReviewItemSchema).min(1).max(100),
  /** Reminder days (3, 7) already sent, so each goes out once. */
  remindersSent: z.array(z.number().int()),
  closedAt: isoTime.optional(),
}).refine((r) => (r.status === 'open') === (r.closedAt === undefined), { message: 'a closed review has closedAt, and only a closed one', path: ['closedAt'] })

/** A risky operation the platform asked about that waits for the admin (风险操作保护, rename, delete). */
export const ApprovalSchema = z.object({
  id,
  code,
  accountId: id,
  actorUserId: id,
  /** The operator binding the request was made under; absent when the actor is the admin. */
  bindingId: id.optional(),
  operation,
  createdAt: isoTime,
  /** 'pending' past this counts as lapsed (refused) by the clock. */
  expiresAt: isoTime,
  status: z.enum(['pending', 'approved', 'refused', 'lapsed', 'closed']),
  decidedAt: isoTime.optional(),
  decidedBy: id.optional(),
  /** Set with status 'closed': the actor lost the role the request depended on. */
  closedAt: isoTime.optional(),
  closedReason: closedReason.optional(),
}).refine(closedWithReason, { message: 'a closed request has closedAt and closedReason, and only a closed one', path: ['closedReason'] })

/**
 * A login the platform asked about (the real platform's QR scan): the person confirms it in chat, then the
 * rules of the operation 'login' decide it (an approval under 风险操作保护, an alert under 风险操作提醒).
 */
export const LoginSchema = z.object({
  id,
  /** What the person quotes (确认登录 K7Q2M, 不是我 K7Q2M): theirs only. */
  code,
  accountId: id,
  userId: id,
  createdAt: isoTime,
  /** 'pending' past this counts as lapsed by the clock. */
  expiresAt: isoTime,
  /** pending: waits for the person; confirmed: the rules decided (result); rejected: the person said it was not them. */
  status: z.enum(['pending', 'confirmed', 'rejected', 'lapsed']),
  answeredAt: isoTime.optional(),
  /** What the rules said when the person confirmed. */
  result: z.enum(['allowed', 'denied', 'pending']).optional(),
  deniedReason: z.enum(['unknown-account', 'not-bound', 'binding-expired', 'role-not-permitted']).optional(),
  /** The approval request it waits on (result 'pending'); it may be pruned before the login. */
  approvalId: id.optional(),
})
  .refine((l) => (l.status === 'confirmed') === (l.result !== undefined), { message: 'a confirmed login has a result, and only a confirmed one', path: ['result'] })
  .refine((l) => (l.result === 'denied') === (l.deniedReason !== undefined), { message: 'a denied login has a reason, and only a denied one', path: ['deniedReason'] })
  .refine((l) => (l.result === 'pending') === (l.approvalId !== undefined), { message: 'a login waiting for the admin names its approval, and only such a one', path: ['approvalId'] })
  .refine((l) => (l.status === 'pending' || l.status === 'lapsed') === (l.answeredAt === undefined), { message: 'an answered login has answeredAt, and only an answered one', path: ['answeredAt'] })

export const OutboxSchema = z.object({
  id,
  toUserId: id,
  text: name,
  createdAt: isoTime,
  attempts: z.number().int().min(0),
  sentAt: isoTime.optional(),
  lastError: z.string().optional(),
  /** Not tried again before this (back-off after a failure). */
  nextAttemptAt: isoTime.optional(),
  /** Given up on after the last allowed attempt. */
  failedAt: isoTime.optional(),
  /** No longer worth sending (an invitation resent, withdrawn or expired before this push went out). */
  withdrawnAt: isoTime.optional(),
  /** The account it is about, so its admin can see what never arrived. */
  accountId: id.optional(),
  /** The record it is about (a binding, an invitation) and what kind of news it is, so it can be taken back. */
  about: id.optional(),
  topic: z.enum(['invitation', 'reminder', 'expiry', 'request']).optional(),
})

/** An operation waiting for its account's daily digest (风险操作提醒 汇总); dropped in the change that queues the digest. */
export const DigestEntrySchema = z.object({
  id,
  accountId: id,
  actorUserId: id,
  operation: operation,
  at: isoTime,
})

/**
 * The last time an owner was told that an asker looked up their phone or ID number: at most once a day
 * per asker and owner. `askerKey` is the asker's user id, or their chat contact when they are not a known user.
 */
export const LookupNoticeSchema = z.object({
  id,
  askerKey: id,
  ownerUserId: id,
  at: isoTime,
})

/** The platform's webhook (at most one): where each outcome is POSTed, signed with `secret` (HMAC-SHA256). */
export const WebhookSchema = z.object({
  id,
  /** http or https, checked by domain/webhook.ts when the platform registers it. */
  url: z.string().refine((url) => webhookUrlProblem(url) === undefined, 'not a webhook URL (http or https, no credentials nor fragment)'),
  /** Made by the assistant and shown once; every delivery is signed with it. */
  secret: z.string().min(32),
  createdAt: isoTime,
  updatedAt: isoTime,
})

/** What the platform is told through its webhook (services/platform-events.ts). */
export const WEBHOOK_EVENT_TYPES = ['operation.approved', 'operation.refused', 'operation.lapsed', 'operation.closed',
  'binding.started', 'binding.ended', 'login.confirmed', 'login.rejected', 'login.lapsed'] as const

/** One event for the webhook, with its delivery: queued in the transaction of the change, POSTed after. */
export const WebhookEventSchema = z.object({
  id,
  type: z.enum(WEBHOOK_EVENT_TYPES),
  /** When it happened. */
  at: isoTime,
  /** The exact JSON POSTed ({ id, type, at, data }), made once when queued, so every retry sends the same bytes. */
  body: text.pipe(z.string().min(2)),
  createdAt: isoTime,
  attempts: z.number().int().min(0),
  deliveredAt: isoTime.optional(),
  /** Why the last attempt failed (an HTTP status, a timeout, a refused connection). */
  lastError: z.string().optional(),
  /** Not tried again before this (back-off after a failure). */
  nextAttemptAt: isoTime.optional(),
  /** Given up on: too many attempts, or too old. */
  failedAt: isoTime.optional(),
})

export const DataSchema = z.object({
  version: z.literal(SCHEMA_VERSION),
  accounts: z.array(AccountSchema),
  users: z.array(UserSchema),
  bindings: z.array(BindingSchema),
  invitations: z.array(InvitationSchema),
  renewals: z.array(RenewalSchema),
  approvals: z.array(ApprovalSchema),
  logins: z.array(LoginSchema),
  history: z.array(HistorySchema),
  outbox: z.array(OutboxSchema),
  digestEntries: z.array(DigestEntrySchema),
  lookupNotices: z.array(LookupNoticeSchema),
  reviews: z.array(ReviewSchema),
  webhooks: z.array(WebhookSchema).max(1, 'at most one webhook'),
  webhookEvents: z.array(WebhookEventSchema),
})

/** A seed is a data file plus the moment its times were written for; start-up shifts them to now. */
export const SeedSchema = DataSchema.extend({ seededAt: isoTime })

export type Account = z.infer<typeof AccountSchema>
export type User = z.infer<typeof UserSchema>
export type Binding = z.infer<typeof BindingSchema>
export type Invitation = z.infer<typeof InvitationSchema>
export type Renewal = z.infer<typeof RenewalSchema>
export type Approval = z.infer<typeof ApprovalSchema>
export type Login = z.infer<typeof LoginSchema>
export type HistoryEntry = z.infer<typeof HistorySchema>
export type Review = z.infer<typeof ReviewSchema>
export type ReviewItem = z.infer<typeof ReviewItemSchema>
export type OutboxMessage = z.infer<typeof OutboxSchema>
export type Webhook = z.infer<typeof WebhookSchema>
export type WebhookEvent = z.infer<typeof WebhookEventSchema>
export type OutboxTopic = NonNullable<OutboxMessage['topic']>
export type ClosedReason = z.infer<typeof closedReason>
export type DigestEntry = z.infer<typeof DigestEntrySchema>
export type LookupNotice = z.infer<typeof LookupNoticeSchema>
export type Data = z.infer<typeof DataSchema>
export type Seed = z.infer<typeof SeedSchema>
