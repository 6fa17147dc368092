// What the schema alone cannot say about a document: which ids must be unique, and which fields must
// point at a record. Checked over the whole file at load and over each touched record before a write.
import type { z } from 'zod'
import type { Millis } from '../domain/calendar.js'
import { wechatIdKey } from '../domain/identity.js'
import { isActive, PER_USER_LIMIT, SLOT_LIMIT } from '../domain/roles.js'
import type { OperatorRole } from '../domain/roles.js'
import { AccountSchema, ApprovalSchema, BindingSchema, HistorySchema, InvitationSchema, OutboxSchema, RenewalSchema, UserSchema } from './schema.js'
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
  history: HistorySchema,
  outbox: OutboxSchema,
}

/** The collections a reference can point into. */
export type Target = 'accounts' | 'users' | 'bindings'

type Reference = [field: string, target: Target, id: string | undefined]

/** Every reference a record holds, as (field, collection, id); an undefined id is an absent optional field. */
export function referencesOf (collection: Collection, record: RecordOf<Collection>): Reference[] {
  switch (collection) {
    case 'accounts': { const r = record as RecordOf<'accounts'>; return [['admin', 'users', r.adminUserId]] }
    case 'users': { const r = record as RecordOf<'users'>; return r.follows.map((id): Reference => ['follows', 'accounts', id]) }
    case 'bindings': {
      const r = record as RecordOf<'bindings'>
      return [['account', 'accounts', r.accountId], ['user', 'users', r.userId], ['endedBy', 'users', r.endedBy]]
    }
    case 'invitations': {
      const r = record as RecordOf<'invitations'>
      return [['account', 'accounts', r.accountId], ['invitee', 'users', r.inviteeUserId], ['invitedBy', 'users', r.invitedBy]]
    }
    case 'renewals': {
      const r = record as RecordOf<'renewals'>
      return [['binding', 'bindings', r.bindingId], ['account', 'accounts', r.accountId], ['requestedBy', 'users', r.requestedBy], ['decidedBy', 'users', r.decidedBy]]
    }
    case 'approvals': {
      const r = record as RecordOf<'approvals'>
      return [['account', 'accounts', r.accountId], ['actor', 'users', r.actorUserId], ['binding', 'bindings', r.bindingId], ['decidedBy', 'users', r.decidedBy]]
    }
    case 'history': { const r = record as RecordOf<'history'>; return [['account', 'accounts', r.accountId], ['actor', 'users', r.actorUserId]] }
    case 'outbox': { const r = record as RecordOf<'outbox'>; return [['recipient', 'users', r.toUserId], ['account', 'accounts', r.accountId]] }
  }
}

/** Reference problems of one record, given a way to tell whether an id exists. */
export function danglingReferences (collection: Collection, record: RecordOf<Collection>, exists: (target: Target, id: string) => boolean): string[] {
  return referencesOf(collection, record)
    .filter(([, target, id]) => id !== undefined && !exists(target, id))
    .map(([field, target, id]) => `${singular(collection)} ${record.id} names an unknown ${field} ${id} (no such ${singular(target)})`)
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

/** Every uniqueness and reference problem of a whole document (already schema-valid). */
export function consistencyProblems (data: Data): string[] {
  const problems: string[] = []
  const unique = (what: string, values: Iterable<string | undefined>): void => {
    const seen = new Set<string>()
    for (const value of values) {
      if (value === undefined) continue
      if (seen.has(value)) { problems.push(`${what} ${value} appears twice`); return }
      seen.add(value)
    }
  }
  for (const collection of COLLECTIONS) unique(`${singular(collection)} id`, data[collection].map((r) => r.id))
  unique('WeChat ID', data.users.map((u) => wechatIdKey(u.wechatId)))
  unique('chat contact', data.users.map((u) => u.contactId))
  unique('mobile number', data.users.map((u) => u.phone))
  unique('code', [...data.invitations, ...data.renewals, ...data.approvals].map((r) => r.code))

  const ids: Record<Target, Set<string>> = {
    accounts: new Set(data.accounts.map((a) => a.id)),
    users: new Set(data.users.map((u) => u.id)),
    bindings: new Set(data.bindings.map((b) => b.id)),
  }
  const exists = (target: Target, id: string): boolean => ids[target].has(id)
  const bindings = new Map(data.bindings.map((b) => [b.id, b]))
  for (const collection of COLLECTIONS) {
    for (const record of data[collection]) {
      problems.push(...danglingReferences(collection, record, exists))
      const mismatch = bindingMismatch(collection, record, (id) => bindings.get(id))
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
  const seen = new Set<string>()
  const perAccount = new Map<string, Record<OperatorRole, number>>()
  const perUser = new Map<string, number>()
  for (const binding of active) {
    const pair = `${binding.accountId} ${binding.userId}`
    if (seen.has(pair)) problems.push(`user ${binding.userId} holds two active roles on account ${binding.accountId}`)
    seen.add(pair)
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

const COLLECTIONS: readonly Collection[] = ['accounts', 'users', 'bindings', 'invitations', 'renewals', 'approvals', 'history', 'outbox']

const SINGULAR: Record<Collection, string> = {
  accounts: 'account', users: 'user', bindings: 'binding', invitations: 'invitation', renewals: 'renewal request',
  approvals: 'approval request', history: 'history entry', outbox: 'outbox message',
}
function singular (collection: Collection): string { return SINGULAR[collection] }
