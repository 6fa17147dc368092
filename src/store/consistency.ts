// What the schema alone cannot say about a document: which ids must be unique, and which fields must
// point at a record. Checked over the whole file at load and over each touched record before a write.
import type { z } from 'zod'
import type { Millis } from '../domain/calendar.js'
import { wechatIdKey } from '../domain/identity.js'
import { isActive, PER_USER_LIMIT, SLOT_LIMIT } from '../domain/roles.js'
import type { OperatorRole } from '../domain/roles.js'
import { AccountSchema, ApprovalSchema, DataSchema, BindingSchema, DigestEntrySchema, HistorySchema, InvitationSchema, LoginSchema, LookupNoticeSchema, OutboxSchema, RenewalSchema, ReviewSchema, UserSchema, WebhookEventSchema, WebhookSchema } from './schema.js'
import type { Data } from './schema.js'

export type Collection = Exclude<keyof Data, 'version'>
type RecordOf<C extends Collection> = Data[C][number]

/** The schema of one record of each collection: the same ones the whole document is loaded with. */
export const RECORD_SCHEMA: { [C in Collection]: z.ZodType<RecordOf<C>> } = {
  accounts: AccountSchema,
  users: UserSchema,
  bindings: BindingSchema,
  invitations: InvitationSchema,
  renewals: RenewalSchema,
  approvals: ApprovalSchema,
  logins: LoginSchema,
  history: HistorySchema,
  outbox: OutboxSchema,
  digestEntries: DigestEntrySchema,
  lookupNotices: LookupNoticeSchema,
  reviews: ReviewSchema,
  webhooks: WebhookSchema,
  webhookEvents: WebhookEventSchema,
}

/** The collections a reference can point into. */
export type Target = 'accounts' | 'users' | 'bindings'

/** Each collection's references: the field, what it is called in a message, and where it points. */
const REFERENCES: { readonly [C in Collection]: ReadonlyArray<{ key: string, label: string, target: Target }> } = {
  accounts: [{ key: 'adminUserId', label: 'admin', target: 'users' }],
  users: [{ key: 'follows', label: 'follows', target: 'accounts' }],
  bindings: [{ key: 'accountId', label: 'account', target: 'accounts' }, { key: 'userId', label: 'user', target: 'users' }, { key: 'endedBy', label: 'endedBy', target: 'users' }],
  invitations: [{ key: 'accountId', label: 'account', target: 'accounts' }, { key: 'inviteeUserId', label: 'invitee', target: 'users' }, { key: 'invitedBy', label: 'invitedBy', target: 'users' }],
  renewals: [{ key: 'bindingId', label: 'binding', target: 'bindings' }, { key: 'accountId', label: 'account', target: 'accounts' }, { key: 'requestedBy', label: 'requestedBy', target: 'users' }, { key: 'decidedBy', label: 'decidedBy', target: 'users' }],
  approvals: [{ key: 'accountId', label: 'account', target: 'accounts' }, { key: 'actorUserId', label: 'actor', target: 'users' }, { key: 'bindingId', label: 'binding', target: 'bindings' }, { key: 'decidedBy', label: 'decidedBy', target: 'users' }],
  // approvalId is not checked: retention may drop a decided approval before the login that names it.
  logins: [{ key: 'accountId', label: 'account', target: 'accounts' }, { key: 'userId', label: 'user', target: 'users' }],
  history: [{ key: 'accountId', label: 'account', target: 'accounts' }, { key: 'actorUserId', label: 'actor', target: 'users' }],
  outbox: [{ key: 'toUserId', label: 'recipient', target: 'users' }, { key: 'accountId', label: 'account', target: 'accounts' }],
  digestEntries: [{ key: 'accountId', label: 'account', target: 'accounts' }, { key: 'actorUserId', label: 'actor', target: 'users' }],
  lookupNotices: [{ key: 'ownerUserId', label: 'owner', target: 'users' }],
  // Its items name bindings and users as they were when it started: a binding retention later drops
  // leaves the item reading "gone", never a file that refuses to load.
  reviews: [{ key: 'accountId', label: 'account', target: 'accounts' }, { key: 'startedBy', label: 'startedBy', target: 'users' }],
  webhooks: [],
  webhookEvents: [],
}
const NONE: readonly string[] = []

/**
 * Reference problems of one record, given a way to tell whether an id exists. Allocates nothing for a
 * record without problems: it runs over every record at start-up.
 */
export function danglingReferences (collection: Collection, record: RecordOf<Collection>, exists: (target: Target, id: string) => boolean): readonly string[] {
  let problems: string[] | undefined
  const fields = record as unknown as Record<string, unknown>
  for (const { key, label, target } of REFERENCES[collection]) {
    const value = fields[key]
    if (value === undefined) continue
    const ids = value as string | string[]
    for (let i = 0, n = typeof ids === 'string' ? 1 : ids.length; i < n; i++) {
      const id = typeof ids === 'string' ? ids : ids[i]!
      if (!exists(target, id)) (problems ??= []).push(`${singular(collection)} ${record.id} names an unknown ${label} ${id} (no such ${singular(target)})`)
    }
  }
  return problems ?? NONE
}

/**
 * A request that names a binding must be about that binding's account and person: one pointing at
 * someone else's binding would renew or approve the wrong role.
 */
export function bindingMismatch (collection: Collection, record: RecordOf<Collection>, bindingOf: (id: string) => RecordOf<'bindings'> | undefined): string | undefined {
  if (collection !== 'renewals' && collection !== 'approvals') return undefined
  const request = record as RecordOf<'renewals'> | RecordOf<'approvals'>
  const person = 'requestedBy' in request ? request.requestedBy : request.actorUserId
  const binding = request.bindingId === undefined ? undefined : bindingOf(request.bindingId)
  if (!binding || (binding.accountId === request.accountId && binding.userId === person)) return undefined
  return `${singular(collection)} ${request.id} names binding ${binding.id}, which is another account's or person's`
}

/** The first few schema issues, each as `path: message`. */
export function describeIssues (error: z.ZodError, top = '(top level)'): string {
  return error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || top}: ${issue.message}`).join('; ')
}

/** What is wrong with one record by its schema (the one the whole document is loaded with), or undefined. */
export function recordProblem (collection: Collection, record: RecordOf<Collection>, top = '(top level)'): string | undefined {
  const parsed = RECORD_SCHEMA[collection].safeParse(record)
  return parsed.success ? undefined : `${collection} ${record.id}: ${describeIssues(parsed.error, top)}`
}

/** A whole document checked as every engine takes one in: the schema, then uniqueness and references. */
export function checkDocument (raw: unknown): { data: Data } | { schema: string } | { inconsistent: string[] } {
  const parsed = DataSchema.safeParse(raw)
  if (!parsed.success) return { schema: describeIssues(parsed.error) }
  const problems = consistencyProblems(parsed.data)
  return problems.length > 0 ? { inconsistent: problems } : { data: parsed.data }
}

/** The first three problems, and how many more. */
export function listProblems (problems: readonly string[]): string {
  return problems.slice(0, 3).join('; ') + (problems.length > 3 ? ` (and ${problems.length - 3} more)` : '')
}

/** Every uniqueness and reference problem of a whole document (already schema-valid). */
export function consistencyProblems (data: Data): string[] {
  const problems: string[] = []
  /** The set of keys, or the first repeat reported; loops instead of mapping: it runs over every record at start-up. */
  const unique = <R>(what: string, records: readonly R[], keyOf: (record: R) => string | undefined, into = new Set<string>()): Set<string> => {
    for (const record of records) {
      const key = keyOf(record)
      if (key === undefined) continue
      if (into.has(key)) { problems.push(`${what} ${key} appears twice`); break }
      into.add(key)
    }
    return into
  }
  const byId = (r: { id: string }): string => r.id
  const ids = new Map<Collection, Set<string>>(COLLECTIONS.map((c) => [c, unique(`${singular(c)} id`, data[c], byId)]))
  unique('WeChat ID', data.users, (u) => wechatIdKey(u.wechatId))
  unique('chat contact', data.users, (u) => u.contactId)
  unique('mobile number', data.users, (u) => u.phone)
  const codes = unique('code', data.invitations, (r) => r.code)
  unique('code', data.renewals, (r) => r.code, codes)
  unique('code', data.approvals, (r) => r.code, codes)
  unique('code', data.logins, (r) => r.code, codes)

  unique('lookup notice of asker and owner', data.lookupNotices, lookupNoticeKey)

  // One open review per account (PostgreSQL: a partial unique index).
  unique('open review of account', data.reviews, (r) => r.status === 'open' ? r.accountId : undefined)

  const exists = (target: Target, id: string): boolean => ids.get(target)!.has(id)
  const bindings = new Map(data.bindings.map((b) => [b.id, b]))
  const bindingOf = (id: string): RecordOf<'bindings'> | undefined => bindings.get(id)
  for (const collection of COLLECTIONS) {
    for (const record of data[collection]) {
      const dangling = danglingReferences(collection, record, exists)
      if (dangling.length > 0) problems.push(...dangling)
      const mismatch = bindingMismatch(collection, record, bindingOf)
      if (mismatch) problems.push(mismatch)
    }
  }
  return problems
}

/**
 * The product's limits as they stand at `now`: no one holds two roles on one account or an operator
 * role on an account they administer, no account has more than 5 long-term or 20 short-term operators,
 * no one more than 5 operator roles. The services never make such a state; a file holding one was
 * edited by hand or damaged, and decisions made on it would be wrong.
 */
export function ruleProblems (data: Data, now: Millis): string[] {
  const problems: string[] = []
  const active = data.bindings.filter((b) => isActive(b, now))
  const admins = new Map(data.accounts.map((a) => [a.id, a.adminUserId]))
  const seen = new Map<string, Set<string>>() // account → users with an active role there
  const perAccount = new Map<string, Record<OperatorRole, number>>()
  const perUser = new Map<string, number>()
  for (const binding of active) {
    let holders = seen.get(binding.accountId)
    if (!holders) seen.set(binding.accountId, holders = new Set())
    if (holders.has(binding.userId)) problems.push(`user ${binding.userId} holds two active roles on account ${binding.accountId}`)
    holders.add(binding.userId)
    if (admins.get(binding.accountId) === binding.userId) problems.push(`binding ${binding.id} makes the admin of account ${binding.accountId} its operator`)
    const counts = perAccount.get(binding.accountId) ?? { long: 0, short: 0 }
    counts[binding.role]++
    perAccount.set(binding.accountId, counts)
    perUser.set(binding.userId, (perUser.get(binding.userId) ?? 0) + 1)
  }
  for (const [accountId, counts] of perAccount) {
    for (const role of ['long', 'short'] as const) {
      if (counts[role] > SLOT_LIMIT[role]) problems.push(`account ${accountId} has ${counts[role]} active ${role}-term operators (at most ${SLOT_LIMIT[role]})`)
    }
  }
  for (const [userId, held] of perUser) {
    if (held > PER_USER_LIMIT) problems.push(`user ${userId} holds ${held} operator roles (at most ${PER_USER_LIMIT})`)
  }
  return problems
}

export const COLLECTIONS: readonly Collection[] = ['accounts', 'users', 'bindings', 'invitations', 'renewals', 'approvals', 'logins', 'history', 'outbox', 'digestEntries', 'lookupNotices', 'reviews', 'webhooks', 'webhookEvents']

/** One lookup notice per asker and owner (a Map key: neither part is ever a plain object's key). */
export function lookupNoticeKey (notice: { askerKey: string, ownerUserId: string }): string {
  return JSON.stringify([notice.askerKey, notice.ownerUserId])
}

const SINGULAR: Record<Collection, string> = {
  accounts: 'account', users: 'user', bindings: 'binding', invitations: 'invitation', renewals: 'renewal request',
  approvals: 'approval request', logins: 'login', history: 'history entry', outbox: 'outbox message', digestEntries: 'digest entry', lookupNotices: 'lookup notice',
  reviews: 'access review', webhooks: 'webhook', webhookEvents: 'webhook event',
}
function singular (collection: Collection): string { return SINGULAR[collection] }
