// Every text the import command prints: each rejection as the rule that failed and what to do, each
// planned change, the summary. Phone and ID numbers are masked here, and the command passes every line
// through the last mask as well. Pure.
import { formatDateTime } from '../domain/calendar.js'
import type { FormatProblem } from '../domain/identity.js'
import { maskIdNumber, maskPhone } from '../domain/identity.js'
import type { Refusal } from '../domain/invitation-rules.js'
import type { OperatorRole } from '../domain/roles.js'
import { apiTexts } from '../texts.js'
import { COLUMNS } from './csv-format.js'
import type { AccountField, PersonField, Problem, Rejection, Source } from './model.js'
import type { Plan, PlannedAccount, PlannedBinding, PlannedFollow, PlannedPerson, PlanState } from './plan.js'

const ROLE: Record<OperatorRole, string> = { long: 'long-term operator', short: 'short-term operator' }
const PERSON_FIELD: Record<PersonField, string> = {
  name: 'name', phone: 'mobile number', idNumber: 'ID number', accountProtection: '帐号保护 (account protection)', bankCard: 'bank card',
}
const ACCOUNT_FIELD: Record<AccountField, string> = { name: 'name', riskProtection: '风险操作保护', riskAlerts: '风险操作提醒' }
/** What each identifier format problem means, instead of its code. */
const FORMAT: Record<FormatProblem, string> = {
  'phone.length': 'a mobile number has 11 digits (+86 and spaces or dashes may be added)',
  'phone.prefix': 'a mobile number starts with 13 to 19',
  'idNumber.length': 'an ID number has 18 characters',
  'idNumber.characters': 'an ID number is 17 digits and a last digit or X',
  'idNumber.birthDate': 'the birth date in this ID number is not a real date',
  'idNumber.checkDigit': 'the last character (the check digit) does not match the first 17',
  'wechatId.length': 'a WeChat ID has 6 to 20 characters',
  'wechatId.start': 'a WeChat ID starts with a letter',
  'wechatId.characters': 'a WeChat ID holds letters, digits, _ and - only',
  unrecognised: 'not recognised',
}

function describeSource (source: Source): string {
  return source.record ? `line ${source.line} (${source.record})` : `line ${source.line}`
}

const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1)
const at = (time: number): string => `${formatDateTime(time)} (Beijing time)`

/** One problem as a sentence: the rule that failed, then what to do. */
export function describeProblem (p: Problem): string {
  switch (p.kind) {
    case 'file-too-large': return `The file is larger than ${mb(p.max)} MB, the most an import file may be. Split it into several files and import each.`
    case 'not-utf8': return 'The file is not UTF-8 text. Save it as "CSV UTF-8" (Excel: 另存为 → CSV UTF-8(逗号分隔)) or as UTF-8 JSON, and import it again.'
    case 'unknown-format': return 'Cannot tell whether this is CSV or JSON: name the file .csv or .json.'
    case 'no-rows': return 'The file holds nothing to import: a CSV file needs a header row and rows under it, a JSON file records in accounts, people or bindings.'
    case 'json-syntax': return `Not valid JSON: ${p.detail}. Fix it (a missing comma or quote, a comma after the last item) and import again.`
    case 'duplicate-key': return `The key ${JSON.stringify(p.key)} is in this object twice (column ${p.column}, and first on line ${p.first.line}, column ${p.first.column}): ` +
      'a JSON reader keeps only the last one, which may not be the value you reviewed. Remove one of them, and import again.'
    case 'csv-unclosed-quote': return 'A double quote opened on this line is never closed, so the rest of the file would be one value. Close it, and write a quote inside a value as "".'
    case 'csv-column':
      if (p.problem === 'unknown') return `Unknown column "${p.column}". The columns are ${COLUMNS.map(([c]) => c).join(', ')} (or their Chinese names, see the README): rename or remove it.`
      if (p.problem === 'twice') return `The column "${p.column}" is in the header twice: keep one.`
      return 'The header has no wechat_id (微信号) column, and every row names its person by WeChat ID. Is the first row the header?'
    case 'row-too-long': return `This row is ${p.length.toLocaleString('en')} characters long; a row may be at most ${p.max.toLocaleString('en')}. Is it text pasted into a cell, or not an export of people at all?`
    case 'cell-count': return `This row has ${p.found} values but the header names ${p.expected} columns: a value holding a comma must be in double quotes ("a, b").`
    case 'text-after-quote': return 'A quoted value is followed by more text before the next comma: put the whole value inside the quotes, and a quote inside it as "".'
    case 'invalid-value': return `${p.field}: ${explainFormat(p.detail)}. Correct it (an optional value may be left blank).`
    case 'missing-value': return `${p.field} is missing: ${/expir/i.test(p.field) ? 'a short-term binding needs its expiry (2026-12-31 18:00, Beijing time)' : 'fill it in'}.`
    case 'unknown-field': return `"${p.field}" is not a field of this record: remove it (the README lists the fields).`
    case 'not-for-role': return `${p.field} does not belong on ${p.role === 'none' ? 'a row without a role' : `a ${p.role} row`}: risk_protection and risk_alerts go on the admin row, bound_at on operator rows, expires_at on short-term rows only. Clear it or correct the role.`
    case 'role-without-account': return 'A role needs an account: fill in account_id, or clear role for a person on no account.'
    case 'account-without-role': return 'The row names an account but no role: set role to admin, long, short or follower.'
    case 'listed-twice':
      if (p.what === 'binding') return `${p.id} is bound to this account on ${describeSource(p.first)} already: one binding a person and account; keep one row.`
      return `${p.what === 'person' ? 'The person' : 'The account'} ${p.id} is listed on ${describeSource(p.first)} already: keep one record.`
    case 'differs-in-file': {
      const field = p.what === 'person' ? PERSON_FIELD[p.field as PersonField] : ACCOUNT_FIELD[p.field as AccountField]
      return `The ${p.what} ${p.id} has another ${field} on ${describeSource(p.first)}: make the rows agree, or leave the value blank on all but one.`
    }
    case 'differs-from-stored':
      if (p.what === 'person') {
        return `${p.id} is stored already with another ${PERSON_FIELD[p.field as PersonField]}, and the import adds people but never changes them. ` +
          `Give the stored value (or leave it blank), or change it through the platform API first (PATCH /v1/users/${p.id}/profile or /security).`
      }
      if (p.field === 'name') return `The account ${p.id} is stored already under another name, and the import does not rename accounts (a rename needs the admin's confirmation). Give the stored name, or leave it blank.`
      return `The account ${p.id} is stored already with ${ACCOUNT_FIELD[p.field as AccountField]} set the other way; the admin switches it in the chat (${ACCOUNT_FIELD[p.field as AccountField]} 开|关). Give the stored setting, or leave it blank.`
    case 'new-person-incomplete': return `${p.wechatId} is a new person, and no row gives their ${p.missing.map((f) => PERSON_FIELD[f]).join(', ')}: fill it in on one of their rows.`
    case 'new-account-incomplete': return `The account ${p.accountId} is new, and the file gives no ${p.missing.map((m) => m === 'name' ? 'name (account_name)' : 'admin (a row with role admin)').join(' and no ')}: add ${p.missing.length > 1 ? 'them' : 'it'}.`
    case 'phone-taken': return `The mobile number of ${p.wechatId} belongs to ${p.holder} ${p.first ? `on ${describeSource(p.first)}` : '(stored)'} already, and one mobile number belongs to one WeChat account: correct it, or leave it blank.`
    case 'account-name-taken': return `The new account ${p.accountId} is named ${p.name}, the name of ${p.holder} ${p.first ? `on ${describeSource(p.first)}` : '(stored)'} already; admins name their accounts in commands, so a name stands for one account. Give its real, distinct name.`
    case 'unknown-person': return `No person with the WeChat ID ${p.wechatId} is in the file or stored: add them (their name, 帐号保护 and bank card), or correct the WeChat ID.`
    case 'admin-refused': return `${p.wechatId} cannot be the admin of a new account yet (an admin approves operators' risky operations, so their WeChat must be protected): ${p.refusals.map((r) => apiTexts.adminRefusal(r)).join('; ')}. Set it in the file (account_protection, bank_card), or name another admin.`
    case 'unknown-account': return `No account ${p.accountId} is in the file or stored: add it with its name and admin, or correct the id.`
    case 'admin-differs':
      if (p.first) return `The account ${p.accountId} has the admin ${p.admin} on ${describeSource(p.first)} already, and an account has exactly one admin: keep one admin row.`
      return `The account ${p.accountId} is stored with the admin ${p.admin}, and the import does not transfer an account: give ${p.admin} as its admin, or remove this row.`
    case 'bound-differently':
      return `${p.wechatId} is stored as ${ROLE[p.role]} of ${p.accountId} already (bound ${at(p.boundAt)}${p.expiresAt === undefined ? '' : `, until ${at(p.expiresAt)}`}), and this row says otherwise; the import adds bindings but never changes them. ` +
        'Make the row match (or leave the times blank), or unbind the operator in the chat (解绑运营者) first.'
    case 'binding-refused': return describeRefusal(p.wechatId, p.accountId, p.refusal)
    case 'bound-in-future': return `The binding time ${at(p.boundAt)} is in the future; an imported binding exists already: give the time it was made, or leave it blank for now.`
    case 'expiry-passed': return `The expiry ${at(p.expiresAt)} has passed, so this short-term binding has ended: leave the row out (the person can be invited again).`
    case 'expiry-too-far': return `The expiry ${at(p.expiresAt)} is later than ${at(p.latest)}: a short-term binding lasts at most one month from now (renewals add a month at a time, in the chat). Give its real expiry, or make it long-term.`
    case 'expiry-before-bound': return `The expiry ${at(p.expiresAt)} is not after the binding time ${at(p.boundAt)}: correct one of them.`
  }
}

/** The invitation preconditions (domain/invitation-rules.ts) as said to whoever imports. */
function describeRefusal (wechatId: string, accountId: string, r: Refusal): string {
  switch (r.kind) {
    case 'is-admin': return `${wechatId} is the admin of ${accountId}, who holds every permission already: an admin cannot also be its operator. Remove this row.`
    case 'already-bound': return `${wechatId} is already ${ROLE[r.role]} of ${accountId}.`
    case 'already-invited': return `${wechatId} has a pending ${ROLE[r.role]} invitation to ${accountId} (code ${r.code}, until ${at(r.expiresAt)}): let them answer it, or cancel it in the chat (撤销邀请 ${wechatId}), then import again.`
    case 'not-following': return `${wechatId} does not follow ${accountId}, and an operator must.`
    case 'no-account-protection': return `${wechatId} has 帐号保护 (account protection) off, and an operator needs it on: turn it on in WeChat and say yes in the file, or leave this binding out.`
    case 'no-bank-card': return `${wechatId} has no bank card bound, and an operator needs one: bind one in WeChat and say yes in the file, or leave this binding out.`
    case 'slots-full': return `${accountId} would have more than ${r.limit} ${ROLE[r.role]}s (${r.used} already, counting the stored ones, pending invitations and the rows above): leave bindings out, or unbind operators first.`
    case 'user-limit': return `${wechatId} would hold more than ${r.limit} operator roles (${r.held} already, counting stored ones, pending invitations and the rows above): one person holds at most ${r.limit}; leave one out.`
  }
}

function explainFormat (detail: string): string {
  return detail.replace(/\((\w+\.\w+)\)$/, (whole, code: string) => {
    const meaning = (FORMAT as Record<string, string | undefined>)[code]
    return meaning === undefined ? whole : `(${meaning})`
  })
}

const yes = (on: boolean): string => on ? 'on' : 'off'

function personLine (p: PlannedPerson): string {
  const { name, wechatId, phone, idNumber, accountProtection, bankCard } = p.person
  const identifiers = [phone && `mobile ${maskPhone(phone)}`, idNumber && `ID ${maskIdNumber(idNumber)}`].filter(Boolean).join(', ')
  return `person ${wechatId} ${name}${identifiers ? `, ${identifiers}` : ''}, 帐号保护 ${yes(accountProtection)}, bank card ${bankCard ? 'bound' : 'none'}`
}

function accountLine (a: PlannedAccount): string {
  return `account ${a.accountId} ${a.name}, admin ${a.adminWechatId}, 风险操作保护 ${yes(a.riskProtection)}, 风险操作提醒 ${yes(a.riskAlerts)}`
}

const followLine = (f: PlannedFollow): string => `follow: ${f.wechatId} follows ${f.accountId}`

function bindingLine (b: PlannedBinding, now: number): string {
  const bound = b.state === 'new' && b.boundAt === now ? 'bound now (no binding time given)' : `bound ${formatDateTime(b.boundAt)}`
  return `${ROLE[b.role]} ${b.wechatId} on ${b.accountId}, ${bound}${b.expiresAt === undefined ? '' : `, until ${formatDateTime(b.expiresAt)}`}`
}

/** Every planned change and every unchanged record, one a line with where it comes from. */
export function changeLines (plan: Plan): string[] {
  const items: Array<{ state: PlanState, source: Source, text: string }> = [
    ...plan.accounts.map((a) => ({ state: a.state, source: a.source, text: accountLine(a) })),
    ...plan.people.map((p) => ({ state: p.state, source: p.source, text: personLine(p) })),
    ...plan.follows.map((f) => ({ state: f.state, source: f.source, text: followLine(f) })),
    ...plan.bindings.map((b) => ({ state: b.state, source: b.source, text: bindingLine(b, plan.now) })),
  ]
  const section = (state: PlanState, title: string, mark: string): string[] => {
    const lines = items.filter((i) => i.state === state).map((i) => `  ${mark} ${i.text}  [${describeSource(i.source)}]`)
    return lines.length === 0 ? [] : [title, ...lines]
  }
  return [...section('new', 'Would add:', '+'), ...section('unchanged', 'Unchanged (stored exactly so already):', '=')]
}

/** Each rejected row: where, then every rule it breaks with what to do. */
export function rejectionLines (rejections: readonly Rejection[]): string[] {
  return rejections.flatMap((r) => r.problems.map((p) => `  ✗ ${describeSource(r.source)}: ${describeProblem(p)}`))
}

/** Counts of what was (or would be) added and what was already stored. */
export function summaryLines (plan: Plan): string[] {
  const count = (items: ReadonlyArray<{ state: PlanState }>): string => {
    const added = items.filter((i) => i.state === 'new').length
    return `${added} added, ${items.length - added} unchanged`
  }
  const newBindings = plan.bindings.filter((b) => b.state === 'new')
  const longTerm = newBindings.filter((b) => b.role === 'long').length
  return [
    `  accounts   ${count(plan.accounts)}`,
    `  people     ${count(plan.people)}`,
    `  follows    ${count(plan.follows)}`,
    `  bindings   ${count(plan.bindings)}${newBindings.length > 0 ? ` (added: ${longTerm} long-term, ${newBindings.length - longTerm} short-term)` : ''}`,
    `  rows       ${plan.rows} read, ${plan.rejections.length} rejected`,
  ]
}
