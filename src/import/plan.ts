// What an import would do, decided from the file's statements and the stored state alone: what is
// added, what is already stored exactly so (unchanged), and every row rejected with each rule it
// breaks. The rules are the product's own: the API's formats (read by the formats), one WeChat ID and
// one mobile number per person, one admin per account, and for every new binding the invitation
// preconditions of domain/invitation-rules.ts (5 long-term and 20 short-term operators an account, 5
// roles a person, counting what is stored, pending invitations and the file's own rows). Pure: time is
// an argument.
import { adminRefusals, NEW_ACCOUNT_SWITCHES } from '../domain/accounts.js'
import { addMonths } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { withoutUndefined } from '../domain/defined.js'
import { normaliseText, wechatIdKey } from '../domain/identity.js'
import { invitationRefusals, isPending } from '../domain/invitation-rules.js'
import { isActive, SHORT_TERM_MONTHS } from '../domain/roles.js'
import type { OperatorRole } from '../domain/roles.js'
import type { NewUser } from '../fields.js'
import type { AccountDetails, PersonDetails, Problem, Reading, Rejection, Source, Statement } from './model.js'
import type { Stored } from './stored.js'

export type PlanState = 'new' | 'unchanged'


export interface PlannedPerson { source: Source, state: PlanState, person: NewUser }
export interface PlannedAccount { source: Source, state: PlanState, accountId: string, name: string, adminWechatId: string, riskProtection: boolean, riskAlerts: boolean }
export interface PlannedFollow { source: Source, state: PlanState, wechatId: string, accountId: string }
export interface PlannedBinding { source: Source, state: PlanState, wechatId: string, accountId: string, role: OperatorRole, boundAt: Millis, expiresAt?: Millis | undefined }

export interface Plan {
  now: Millis
  /** Rows read from the file. */
  rows: number
  people: PlannedPerson[]
  accounts: PlannedAccount[]
  follows: PlannedFollow[]
  bindings: PlannedBinding[]
  /** Every rejected row with all its problems, by line. Nothing is written unless this is empty. */
  rejections: Rejection[]
}

const PERSON_FIELDS = ['name', 'phone', 'idNumber', 'accountProtection', 'bankCard'] as const
const REQUIRED_PERSON_FIELDS = ['name', 'accountProtection', 'bankCard'] as const
const ACCOUNT_FIELDS = ['name', 'riskProtection', 'riskAlerts'] as const

/** One person or account as the file describes it across its rows: each field from the first row giving it. */
interface Described<D> {
  id: string
  first: Source
  details: D
  givenAt: Map<keyof D, Source>
  /** The JSON record that described it whole (a second one is a duplicate). */
  record?: Source | undefined
  rejected: boolean
}

export function planImport (reading: Reading, stored: Stored, now: Millis): Plan {
  const problems = new Problems(reading.rejections)
  const { statements } = reading
  const people = describePeople(statements, stored, problems)
  const accounts = describeAccounts(statements, stored, people, problems)
  const known = {
    person: (key: string) => people.has(key) || stored.people.has(key),
    account: (id: string) => accounts.has(id) || stored.accounts.has(id),
  }
  const referenced = statements.filter((s): s is Extract<Statement, { kind: 'follow' | 'binding' }> => {
    if (s.kind !== 'follow' && s.kind !== 'binding') return false
    const personKnown = known.person(wechatIdKey(s.wechatId))
    const accountKnown = known.account(s.accountId)
    if (!accountKnown) problems.add(s.source, { kind: 'unknown-account', accountId: s.accountId })
    if (!personKnown) problems.add(s.source, { kind: 'unknown-person', wechatId: s.wechatId })
    return personKnown && accountKnown
  })
  const bindings = planBindings(referenced.filter((s) => s.kind === 'binding'), { stored, people, accounts, problems, now })
  // An operator follows the account (WeChat asks it of every operator): a binding row records the follow too.
  const follows = planFollows(referenced, stored, problems)

  const fine = <T extends { source: Source }>(items: T[]): T[] => items.filter((item) => !problems.rejects(item.source))
  return {
    now,
    rows: reading.rows,
    people: fine([...people.values()].filter((p) => !p.rejected).map((p) => plannedPerson(p, stored))),
    accounts: fine([...accounts.values()].filter((a) => !a.rejected).map((a) => plannedAccount(a, stored))),
    follows: fine(follows),
    bindings: fine(bindings),
    rejections: problems.rejections(),
  }
}

type PersonEntry = Described<PersonDetails>
type AccountEntry = Described<AccountDetails> & { admin?: { wechatId: string, source: Source } | undefined }

/** People by wechatIdKey, each merged from its rows and checked against the others and the stored one. */
function describePeople (statements: readonly Statement[], stored: Stored, problems: Problems): Map<string, PersonEntry> {
  const people = new Map<string, PersonEntry>()
  for (const s of statements) {
    if (s.kind !== 'person') continue
    const key = wechatIdKey(s.wechatId)
    const entry = people.get(key) ?? described<PersonDetails>(s.wechatId, s.source)
    people.set(key, entry)
    absorb(entry, s, PERSON_FIELDS, problems, {
      twice: (first) => ({ kind: 'listed-twice', what: 'person', id: s.wechatId, first }),
      differs: (field, first) => ({ kind: 'differs-in-file', what: 'person', id: s.wechatId, field, first }),
    })
  }
  const phoneOwners = new Map<string, { key: string, wechatId: string, source: Source }>()
  for (const [key, entry] of people) {
    const reject = (source: Source, problem: Problem): void => { problems.add(source, problem); entry.rejected = true }
    const storedUser = stored.people.get(key)?.user
    for (const [field, source] of entry.givenAt) {
      if (storedUser && !sameValue(storedUser[field], entry.details[field])) reject(source, { kind: 'differs-from-stored', what: 'person', id: entry.id, field })
    }
    const missing = storedUser ? [] : REQUIRED_PERSON_FIELDS.filter((field) => entry.details[field] === undefined)
    if (missing.length > 0) reject(entry.first, { kind: 'new-person-incomplete', wechatId: entry.id, missing })
    const phone = entry.details.phone
    if (phone === undefined) continue
    const phoneSource = entry.givenAt.get('phone')!
    // Like WeChat itself, and as the API refuses it: one mobile number, one WeChat account.
    const holder = (stored.phones.get(phone) ?? []).find((user) => wechatIdKey(user.wechatId) !== key)
    if (holder) reject(phoneSource, { kind: 'phone-taken', wechatId: entry.id, holder: holder.wechatId })
    const owner = phoneOwners.get(phone)
    if (owner && owner.key !== key) reject(phoneSource, { kind: 'phone-taken', wechatId: entry.id, holder: owner.wechatId, first: owner.source })
    else phoneOwners.set(phone, { key, wechatId: entry.id, source: phoneSource })
  }
  return people
}

/** Accounts by id, merged from their rows, each with its one admin, checked against the stored one. */
function describeAccounts (statements: readonly Statement[], stored: Stored, people: ReadonlyMap<string, PersonEntry>, problems: Problems): Map<string, AccountEntry> {
  const accounts = new Map<string, AccountEntry>()
  const entryOf = (accountId: string, source: Source): AccountEntry => {
    const entry: AccountEntry = accounts.get(accountId) ?? described<AccountDetails>(accountId, source)
    accounts.set(accountId, entry)
    return entry
  }
  for (const s of statements) {
    if (s.kind === 'account') {
      absorb(entryOf(s.accountId, s.source), s, ACCOUNT_FIELDS, problems, {
        twice: (first) => ({ kind: 'listed-twice', what: 'account', id: s.accountId, first }),
        differs: (field, first) => ({ kind: 'differs-in-file', what: 'account', id: s.accountId, field, first }),
      })
    } else if (s.kind === 'admin') {
      const entry = entryOf(s.accountId, s.source)
      if (!entry.admin) entry.admin = { wechatId: s.wechatId, source: s.source }
      else if (wechatIdKey(entry.admin.wechatId) !== wechatIdKey(s.wechatId)) {
        problems.add(s.source, { kind: 'admin-differs', accountId: s.accountId, admin: entry.admin.wechatId, first: entry.admin.source })
      }
    }
  }
  const newNames = new Map<string, { id: string, first: Source }>()
  for (const entry of accounts.values()) {
    const reject = (source: Source, problem: Problem): void => { problems.add(source, problem); entry.rejected = true }
    const storedAccount = stored.accounts.get(entry.id)
    if (storedAccount) {
      for (const [field, source] of entry.givenAt) {
        if (!sameValue(storedAccount.account[field], entry.details[field])) reject(source, { kind: 'differs-from-stored', what: 'account', id: entry.id, field })
      }
      // Admin transfer is out of the product's scope: the stored admin stays.
      if (entry.admin && wechatIdKey(entry.admin.wechatId) !== wechatIdKey(storedAccount.adminWechatId)) {
        reject(entry.admin.source, { kind: 'admin-differs', accountId: entry.id, admin: storedAccount.adminWechatId })
      }
    } else {
      const missing = [...entry.details.name === undefined ? ['name' as const] : [], ...entry.admin ? [] : ['admin' as const]]
      if (missing.length > 0) reject(entry.first, { kind: 'new-account-incomplete', accountId: entry.id, missing })
      const name = entry.details.name
      // Admins name their account in commands (运营者列表 晨光茶馆): a name stands for one account.
      const holder = name === undefined ? undefined : stored.accountNames.get(name)
      const other = name === undefined ? undefined : newNames.get(name)
      if (holder !== undefined) reject(entry.givenAt.get('name')!, { kind: 'account-name-taken', accountId: entry.id, name: name!, holder })
      else if (other) reject(entry.givenAt.get('name')!, { kind: 'account-name-taken', accountId: entry.id, name: name!, holder: other.id, first: other.first })
      else if (name !== undefined) newNames.set(name, { id: entry.id, first: entry.givenAt.get('name')! })
    }
    const admin = entry.admin
    const adminKey = admin ? wechatIdKey(admin.wechatId) : undefined
    if (admin && !people.has(adminKey!) && !stored.people.has(adminKey!)) {
      reject(admin.source, { kind: 'unknown-person', wechatId: admin.wechatId })
    } else if (admin && !storedAccount) {
      // The same conditions as the API's (POST /v1/accounts): what the file says, else what is stored.
      const given = people.get(adminKey!)?.details ?? {}
      const storedUser = stored.people.get(adminKey!)?.user
      const refusals = adminRefusals({
        accountProtection: given.accountProtection ?? storedUser?.accountProtection ?? false,
        bankCard: given.bankCard ?? storedUser?.bankCard ?? false,
      })
      if (refusals.length > 0) reject(admin.source, { kind: 'admin-refused', wechatId: admin.wechatId, refusals })
    }
  }
  return accounts
}

/** A stored value against the file's: stored text read as the file's is (NFKC), so that ＡＢＣ and ABC agree. */
function sameValue (stored: string | boolean | undefined, given: string | boolean | undefined): boolean {
  return (typeof stored === 'string' ? normaliseText(stored) : stored) === given
}

function described<D> (id: string, first: Source): Described<D> {
  return { id, first, details: {} as D, givenAt: new Map(), rejected: false }
}

/**
 * One row's details taken into what the file says of a person or account: a second whole JSON record
 * is a duplicate; a field one row gives otherwise than an earlier one, a conflict.
 */
function absorb<D> (entry: Described<D>, s: { source: Source, complete: boolean, details: D }, fields: ReadonlyArray<keyof D>, problems: Problems,
  say: { twice: (first: Source) => Problem, differs: (field: keyof D, first: Source) => Problem }): void {
  if (s.complete && entry.record) return problems.add(s.source, say.twice(entry.record))
  if (s.complete) entry.record = s.source
  for (const field of fields) {
    const mismatch = merge(entry, field, s.details[field], s.source)
    if (mismatch) problems.add(s.source, say.differs(field, mismatch))
  }
}

/** Sets a field the first time a row gives it; a later row giving another value returns where the first came from. */
function merge<D> (entry: Described<D>, field: keyof D, value: D[keyof D] | undefined, source: Source): Source | undefined {
  if (value === undefined) return undefined
  if (entry.details[field] === undefined) {
    entry.details[field] = value
    entry.givenAt.set(field, source)
    return undefined
  }
  return entry.details[field] === value ? undefined : entry.givenAt.get(field)
}

interface BindingContext {
  stored: Stored
  people: ReadonlyMap<string, PersonEntry>
  accounts: ReadonlyMap<string, AccountEntry>
  problems: Problems
  now: Millis
}

type BindingStatement = Extract<Statement, { kind: 'binding' }>

/** Each binding row: unchanged when stored exactly so, else a new binding checked as an invitation is. */
function planBindings (statements: readonly BindingStatement[], ctx: BindingContext): PlannedBinding[] {
  const { stored, problems, now } = ctx
  const planned: PlannedBinding[] = []
  const seen = new Map<string, Source>()
  // New bindings of the file so far, per account and role and per person: they take slots as stored ones do.
  const newOnAccount = new Map<string, number>()
  const newOfPerson = new Map<string, number>()
  for (const s of statements) {
    const key = wechatIdKey(s.wechatId)
    const pair = `${key} ${s.accountId}` // a WeChat ID holds no space
    const first = seen.get(pair)
    if (first) {
      problems.add(s.source, { kind: 'listed-twice', what: 'binding', id: s.wechatId, first })
      continue
    }
    seen.set(pair, s.source)
    const storedPerson = stored.people.get(key)
    const existing = storedPerson?.bindings.find((b) => b.accountId === s.accountId && isActive(b, now))
    if (existing) {
      const boundAt = Date.parse(existing.boundAt)
      const expiresAt = existing.expiresAt === undefined ? undefined : Date.parse(existing.expiresAt)
      const same = existing.role === s.role && sameMinute(s.expiresAt, expiresAt) && sameMinute(s.boundAt, boundAt)
      if (same) planned.push({ source: s.source, state: 'unchanged', wechatId: s.wechatId, accountId: s.accountId, role: s.role, boundAt, expiresAt })
      else problems.add(s.source, { kind: 'bound-differently', wechatId: s.wechatId, accountId: s.accountId, role: existing.role, expiresAt, boundAt })
      continue
    }
    for (const problem of timeProblems(s, now)) problems.add(s.source, problem)
    const slot = `${s.accountId} ${s.role}`
    for (const refusal of refusalsFor(s, ctx, (newOnAccount.get(slot) ?? 0), (newOfPerson.get(key) ?? 0))) {
      problems.add(s.source, { kind: 'binding-refused', wechatId: s.wechatId, accountId: s.accountId, refusal })
    }
    newOnAccount.set(slot, (newOnAccount.get(slot) ?? 0) + 1)
    newOfPerson.set(key, (newOfPerson.get(key) ?? 0) + 1)
    planned.push({ source: s.source, state: 'new', wechatId: s.wechatId, accountId: s.accountId, role: s.role, boundAt: s.boundAt ?? now, expiresAt: s.expiresAt })
  }
  return planned
}

/** A file's time (to the minute) against a stored one; a time the file leaves out agrees with anything. */
function sameMinute (given: Millis | undefined, stored: Millis | undefined): boolean {
  if (given === undefined) return true
  return stored !== undefined && Math.floor(given / 60_000) === Math.floor(stored / 60_000)
}

/** A binding starts no later than now; a short-term one ends after now and no later than a new one would (one month). */
function timeProblems (s: BindingStatement, now: Millis): Problem[] {
  const found: Problem[] = []
  if (s.boundAt !== undefined && s.boundAt > now) found.push({ kind: 'bound-in-future', boundAt: s.boundAt })
  if (s.expiresAt === undefined) return found
  const latest = addMonths(now, SHORT_TERM_MONTHS)
  if (s.expiresAt <= now) found.push({ kind: 'expiry-passed', expiresAt: s.expiresAt })
  else if (s.expiresAt > latest) found.push({ kind: 'expiry-too-far', expiresAt: s.expiresAt, latest })
  if (s.boundAt !== undefined && s.expiresAt <= s.boundAt) found.push({ kind: 'expiry-before-bound', expiresAt: s.expiresAt, boundAt: s.boundAt })
  return found
}

/** The invitation preconditions, on the state the import would leave: stored, pending, and the file's rows above. */
function refusalsFor (s: BindingStatement, ctx: BindingContext, newOnAccount: number, newOfPerson: number) {
  const { stored, people, accounts, now } = ctx
  const key = wechatIdKey(s.wechatId)
  const storedPerson = stored.people.get(key)
  const storedAccount = stored.accounts.get(s.accountId)
  const described = people.get(key)?.details ?? {}
  const adminWechatId = storedAccount?.adminWechatId ?? accounts.get(s.accountId)?.admin?.wechatId
  const pendingHere = (storedAccount?.invitations ?? []).filter((i) => isPending(i, now))
  const pendingOfPerson = (storedPerson?.invitations ?? []).filter((i) => isPending(i, now))
  const otherInvitation = pendingOfPerson.find((i) => i.accountId === s.accountId)
  return invitationRefusals({
    role: s.role,
    invitee: {
      isAdmin: adminWechatId !== undefined && wechatIdKey(adminWechatId) === key,
      follows: true, // the binding row records the follow
      // A new person without these is refused as incomplete already: not twice.
      accountProtection: described.accountProtection ?? storedPerson?.user.accountProtection ?? true,
      bankCard: described.bankCard ?? storedPerson?.user.bankCard ?? true,
    },
    existingBinding: undefined, // an active one was matched above
    otherPendingInvitation: otherInvitation && { role: otherInvitation.role, code: otherInvitation.code, expiresAt: Date.parse(otherInvitation.expiresAt) },
    slotsUsed: (storedAccount?.bindings ?? []).filter((b) => b.role === s.role && isActive(b, now)).length +
      pendingHere.filter((i) => i.role === s.role).length + newOnAccount,
    inviteeHolds: (storedPerson?.bindings ?? []).filter((b) => isActive(b, now)).length + pendingOfPerson.length + newOfPerson,
  })
}

/** The follows of follower rows and of binding rows: new unless the stored person follows already. */
function planFollows (statements: ReadonlyArray<Extract<Statement, { kind: 'follow' | 'binding' }>>, stored: Stored, problems: Problems): PlannedFollow[] {
  const planned = new Map<string, PlannedFollow>()
  for (const s of statements) {
    const key = wechatIdKey(s.wechatId)
    const pair = `${key} ${s.accountId}`
    // The same follow said twice (a follower row and a binding row, say) is one follow.
    if (planned.has(pair) || problems.rejects(s.source)) continue
    const follows = stored.people.get(key)?.user.follows.includes(s.accountId) ?? false
    planned.set(pair, { source: s.source, state: follows ? 'unchanged' : 'new', wechatId: s.wechatId, accountId: s.accountId })
  }
  return [...planned.values()]
}

function plannedPerson (entry: PersonEntry, stored: Stored): PlannedPerson {
  const storedUser = stored.people.get(wechatIdKey(entry.id))?.user
  const { name, phone, idNumber, accountProtection, bankCard } = storedUser ?? entry.details
  return {
    source: entry.first,
    state: storedUser ? 'unchanged' : 'new',
    person: { name: name!, wechatId: storedUser?.wechatId ?? entry.id, phone, idNumber, accountProtection: accountProtection!, bankCard: bankCard! },
  }
}

function plannedAccount (entry: AccountEntry, stored: Stored): PlannedAccount {
  const storedAccount = stored.accounts.get(entry.id)
  const base = storedAccount ? { ...storedAccount.account, adminWechatId: storedAccount.adminWechatId } : { ...NEW_ACCOUNT_SWITCHES, ...withoutUndefined(entry.details), adminWechatId: entry.admin!.wechatId }
  return {
    source: entry.first,
    state: storedAccount ? 'unchanged' : 'new',
    accountId: entry.id,
    name: base.name!,
    adminWechatId: base.adminWechatId,
    riskProtection: base.riskProtection,
    riskAlerts: base.riskAlerts,
  }
}


/** Problems by the row they reject, in file order; a row's same problem is said once. */
class Problems {
  private readonly byRow = new Map<string, Rejection>()

  constructor (initial: readonly Rejection[]) {
    for (const rejection of initial) for (const problem of rejection.problems) this.add(rejection.source, problem)
  }

  add (source: Source, problem: Problem): void {
    const row = rowKey(source)
    const rejection = this.byRow.get(row) ?? { source, problems: [] }
    this.byRow.set(row, rejection)
    const said = JSON.stringify(problem)
    if (!rejection.problems.some((p) => JSON.stringify(p) === said)) rejection.problems.push(problem)
  }

  rejects (source: Source): boolean { return this.byRow.has(rowKey(source)) }

  rejections (): Rejection[] {
    return [...this.byRow.values()].sort((a, b) => a.source.line - b.source.line)
  }
}

function rowKey (source: Source): string {
  return `${source.line} ${source.record ?? ''}`
}
