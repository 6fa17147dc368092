// What an import file says, once read: statements, each with the place in the file it came from, and
// the problems that reject a row. Both formats (CSV and JSON) read into these; the plan works on them
// alone. Pure types.
import type { AdminRefusal } from '../domain/accounts.js'
import type { Millis } from '../domain/calendar.js'
import type { Refusal } from '../domain/invitation-rules.js'
import type { OperatorRole } from '../domain/roles.js'

/** Where a statement or a problem comes from: a line of the file, and in JSON the record's path. */
export interface Source {
  line: number
  /** `people[2]`: the record in a JSON file. */
  record?: string | undefined
}

/** A person's details; in CSV a row may leave some blank (said on another row, or already stored). */
export interface PersonDetails {
  name?: string | undefined
  phone?: string | undefined
  idNumber?: string | undefined
  accountProtection?: boolean | undefined
  bankCard?: boolean | undefined
}

export interface AccountDetails {
  name?: string | undefined
  riskProtection?: boolean | undefined
  riskAlerts?: boolean | undefined
}

export type Statement =
  /** `complete`: a JSON person record says everything, once; CSV rows repeat a person and may leave fields blank. */
  | { kind: 'person', source: Source, wechatId: string, details: PersonDetails, complete: boolean }
  | { kind: 'account', source: Source, accountId: string, details: AccountDetails, complete: boolean }
  | { kind: 'admin', source: Source, accountId: string, wechatId: string }
  | { kind: 'follow', source: Source, accountId: string, wechatId: string }
  | { kind: 'binding', source: Source, accountId: string, wechatId: string, role: OperatorRole, boundAt?: Millis | undefined, expiresAt?: Millis | undefined }

/** The person fields an import can state, by one name in both formats. */
export type PersonField = keyof PersonDetails
export type AccountField = keyof AccountDetails

/** Why a row (or the whole file) is rejected: each names the rule; render.ts says it with what to do. */
export type Problem =
  // The file as a whole: nothing in it is read further.
  | { kind: 'file-too-large', bytes: number, max: number }
  | { kind: 'not-utf8' }
  | { kind: 'unknown-format' }
  | { kind: 'no-rows' }
  | { kind: 'json-syntax', detail: string }
  /** A key given twice in one object, at `column` of the rejection's line; JSON.parse would keep the last silently. */
  | { kind: 'duplicate-key', key: string, column: number, first: { line: number, column: number } }
  | { kind: 'csv-unclosed-quote' }
  | { kind: 'csv-column', problem: 'unknown' | 'twice' | 'missing', column: string }
  // One row on its own.
  | { kind: 'row-too-long', length: number, max: number }
  | { kind: 'cell-count', found: number, expected: number }
  | { kind: 'text-after-quote' }
  | { kind: 'invalid-value', field: string, detail: string }
  | { kind: 'missing-value', field: string }
  | { kind: 'unknown-field', field: string }
  | { kind: 'not-for-role', field: string, role: string }
  | { kind: 'role-without-account' }
  | { kind: 'account-without-role' }
  // Across rows, and against what is stored.
  | { kind: 'listed-twice', what: 'person' | 'account' | 'binding', id: string, first: Source }
  | { kind: 'differs-in-file', what: 'person', id: string, field: PersonField, first: Source }
  | { kind: 'differs-in-file', what: 'account', id: string, field: AccountField, first: Source }
  | { kind: 'differs-from-stored', what: 'person', id: string, field: PersonField }
  | { kind: 'differs-from-stored', what: 'account', id: string, field: AccountField }
  | { kind: 'new-person-incomplete', wechatId: string, missing: PersonField[] }
  | { kind: 'new-account-incomplete', accountId: string, missing: Array<'name' | 'admin'> }
  | { kind: 'phone-taken', wechatId: string, holder: string, first?: Source | undefined }
  | { kind: 'account-name-taken', accountId: string, name: string, holder: string, first?: Source | undefined }
  | { kind: 'unknown-person', wechatId: string }
  | { kind: 'admin-refused', wechatId: string, refusals: readonly AdminRefusal[] }
  | { kind: 'unknown-account', accountId: string }
  | { kind: 'admin-differs', accountId: string, admin: string, first?: Source | undefined }
  | { kind: 'bound-differently', wechatId: string, accountId: string, role: OperatorRole, expiresAt?: Millis | undefined, boundAt: Millis }
  | { kind: 'binding-refused', wechatId: string, accountId: string, refusal: Refusal }
  | { kind: 'bound-in-future', boundAt: Millis }
  | { kind: 'expiry-passed', expiresAt: Millis }
  | { kind: 'expiry-too-far', expiresAt: Millis, latest: Millis }
  | { kind: 'expiry-before-bound', expiresAt: Millis, boundAt: Millis }

/** One rejected row (or, at line 1 or where it broke, the whole file) and every reason. */
export interface Rejection {
  source: Source
  problems: Problem[]
}

/** What reading a file gives: the statements of its valid rows and the rows rejected on their own. */
export interface Reading {
  statements: Statement[]
  rejections: Rejection[]
  /** Rows read (excluding a CSV header and blank lines). */
  rows: number
}

/** The whole file refused, for `problems` found at `source` (the file's first line unless told). */
export function fileRejected (problems: Problem[], source: Source = { line: 1 }): Reading {
  return { statements: [], rejections: [{ source, problems }], rows: 0 }
}
