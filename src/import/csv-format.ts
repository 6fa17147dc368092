// The CSV import format: one row per person on an account (a person on no account has a row of their
// own), as a company's spreadsheet of "who is what on which official account" exports it. The header
// names the columns, in any order, in English or Chinese; README "Importing your accounts and people"
// documents each. Pure.
import type { z } from 'zod'
import { normaliseText } from '../domain/identity.js'
import { readCsv } from './csv.js'
import * as fields from './fields.js'
import { fileRejected } from './model.js'
import type { Problem, Reading, Rejection, Source, Statement } from './model.js'

export const MAX_ROW_CHARS = 10_000

export type Column =
  | 'account_id' | 'account_name' | 'role' | 'name' | 'wechat_id' | 'phone' | 'id_number'
  | 'account_protection' | 'bank_card' | 'bound_at' | 'expires_at' | 'risk_protection' | 'risk_alerts'

/** Each column's English name and the Chinese headers taken for it. */
export const COLUMNS: ReadonlyArray<readonly [Column, ...string[]]> = [
  ['account_id', '公众号id'],
  ['account_name', '公众号名称', '公众号'],
  ['role', '身份', '角色'],
  ['name', '姓名'],
  ['wechat_id', '微信号'],
  ['phone', '手机号', '手机号码'],
  ['id_number', '身份证号', '身份证号码'],
  ['account_protection', '帐号保护', '账号保护'],
  ['bank_card', '银行卡', '绑定银行卡'],
  ['bound_at', '绑定时间'],
  ['expires_at', '到期时间'],
  ['risk_protection', '风险操作保护'],
  ['risk_alerts', '风险操作提醒'],
]
const COLUMN_BY_HEADER = new Map<string, Column>(COLUMNS.flatMap(([column, ...chinese]) => [column, ...chinese].map((h) => [h, column] as const)))

type Role = 'admin' | 'long' | 'short' | 'follower'
const ROLE_WORDS = new Map<string, Role>([
  ['admin', 'admin'], ['管理员', 'admin'],
  ['long', 'long'], ['长期', 'long'], ['长期运营者', 'long'],
  ['short', 'short'], ['短期', 'short'], ['短期运营者', 'short'],
  ['follower', 'follower'], ['关注', 'follower'], ['关注者', 'follower'], ['粉丝', 'follower'],
])

/** `Wechat ID`, `wechat-id` and `WECHAT_ID` are all wechat_id; 公众号ID is 公众号id. */
function headerKey (header: string): string {
  return normaliseText(header).toLowerCase().replace(/[\s-]+/g, '_')
}

export function readCsvImport (text: string): Reading {
  const reading = readCsv(text, MAX_ROW_CHARS)
  if (!reading.ok) return fileRejected([{ kind: 'csv-unclosed-quote' }], { line: reading.line })
  const [header, ...rows] = reading.records.filter((r) => !('cells' in r) || r.cells.some((c) => c.trim() !== ''))
  if (!header) return fileRejected([{ kind: 'no-rows' }], { line: 1 })
  if (!('cells' in header)) return fileRejected(['tooLong' in header ? { kind: 'row-too-long', length: header.tooLong, max: MAX_ROW_CHARS } : { kind: 'text-after-quote' }], { line: header.line })
  const columns = headerColumns(header.cells)
  if (!Array.isArray(columns)) return fileRejected([columns], { line: header.line })
  if (rows.length === 0) return fileRejected([{ kind: 'no-rows' }], { line: header.line })

  const statements: Statement[] = []
  const rejections: Rejection[] = []
  for (const row of rows) {
    const source = { line: row.line }
    const result: RowResult = 'tooLong' in row
      ? { problems: [{ kind: 'row-too-long', length: row.tooLong, max: MAX_ROW_CHARS }] }
      : 'textAfterQuote' in row
        ? { problems: [{ kind: 'text-after-quote' }] }
        : row.cells.length > columns.length
          ? { problems: [{ kind: 'cell-count', found: row.cells.length, expected: columns.length }] }
          : rowStatements(new RowCells(columns, header.cells, row.cells), source)
    if ('statements' in result) statements.push(...result.statements)
    else rejections.push({ source, problems: result.problems })
  }
  return { statements, rejections, rows: rows.length }
}

/** The header's columns in order, or what is wrong with it. */
function headerColumns (headers: readonly string[]): Column[] | Problem {
  const columns: Column[] = []
  for (const header of headers) {
    const column = COLUMN_BY_HEADER.get(headerKey(header))
    if (!column) return { kind: 'csv-column', problem: 'unknown', column: header.slice(0, 40) }
    if (columns.includes(column)) return { kind: 'csv-column', problem: 'twice', column: header }
    columns.push(column)
  }
  if (!columns.includes('wechat_id')) return { kind: 'csv-column', problem: 'missing', column: 'wechat_id' }
  return columns
}

/** One row's cells by column, NFKC and trimmed; a blank cell (or one past a short row's end) is absent. */
class RowCells {
  readonly problems: Problem[] = []
  private readonly values = new Map<Column, string>()
  private readonly labels = new Map<Column, string>()

  constructor (columns: readonly Column[], headers: readonly string[], cells: readonly string[]) {
    columns.forEach((column, i) => {
      this.labels.set(column, headers[i]!.trim())
      const value = normaliseText(cells[i] ?? '')
      if (value !== '') this.values.set(column, value)
    })
  }

  has (column: Column): boolean { return this.values.has(column) }
  text (column: Column): string | undefined { return this.values.get(column) }

  /** The cell checked by `schema`; a problem (named by the file's own header) when it does not pass. */
  get<T> (column: Column, schema: z.ZodType<T, string>): T | undefined {
    const value = this.values.get(column)
    if (value === undefined) return undefined
    const parsed = schema.safeParse(value)
    if (parsed.success) return parsed.data
    this.problems.push({ kind: 'invalid-value', field: this.label(column), detail: parsed.error.issues[0]?.message ?? 'not valid' })
    return undefined
  }

  label (column: Column): string { return this.labels.get(column) ?? column }
}

type RowResult = { statements: Statement[] } | { problems: Problem[] }

/** The statements of one row, or every problem it has on its own. */
function rowStatements (row: RowCells, source: Source): RowResult {
  const wechatId = row.get('wechat_id', fields.wechatId)
  if (!row.has('wechat_id')) row.problems.push({ kind: 'missing-value', field: row.label('wechat_id') })
  const details = {
    name: row.get('name', fields.name),
    phone: row.get('phone', fields.phone),
    idNumber: row.get('id_number', fields.idNumber),
    accountProtection: row.get('account_protection', fields.yesNo),
    bankCard: row.get('bank_card', fields.yesNo),
  }
  const accountId = row.get('account_id', fields.accountId)
  const accountName = row.get('account_name', fields.accountName)
  const roleWord = row.text('role')
  const role = roleWord === undefined ? undefined : ROLE_WORDS.get(roleWord.toLowerCase())
  const unknownRole = roleWord !== undefined && role === undefined
  if (unknownRole) row.problems.push({ kind: 'invalid-value', field: row.label('role'), detail: 'not a role (admin, long, short or follower; 管理员, 长期, 短期 or 关注)' })
  if (row.has('role') && !row.has('account_id')) row.problems.push({ kind: 'role-without-account' })
  if (!row.has('role') && (row.has('account_id') || row.has('account_name'))) row.problems.push({ kind: 'account-without-role' })
  const operator = role === 'long' || role === 'short'
  const notFor = (column: Column, applies: boolean): void => {
    if (row.has(column) && !applies && !unknownRole) row.problems.push({ kind: 'not-for-role', field: row.label(column), role: role ?? 'none' })
  }
  notFor('risk_protection', role === 'admin')
  notFor('risk_alerts', role === 'admin')
  notFor('bound_at', operator)
  notFor('expires_at', role === 'short')
  if (role === 'short' && !row.has('expires_at')) row.problems.push({ kind: 'missing-value', field: row.label('expires_at') })
  const account = {
    name: accountName,
    riskProtection: row.get('risk_protection', fields.yesNo),
    riskAlerts: row.get('risk_alerts', fields.yesNo),
  }
  const boundAt = row.get('bound_at', fields.time)
  const expiresAt = row.get('expires_at', fields.time)
  if (row.problems.length > 0 || wechatId === undefined) return { problems: row.problems }

  const statements: Statement[] = [{ kind: 'person', source, wechatId, details, complete: false }]
  if (accountId === undefined || role === undefined) return { statements }
  statements.push({ kind: 'account', source, accountId, details: account, complete: false })
  if (role === 'admin') statements.push({ kind: 'admin', source, accountId, wechatId })
  else if (role === 'follower') statements.push({ kind: 'follow', source, accountId, wechatId })
  else statements.push({ kind: 'binding', source, accountId, wechatId, role, boundAt, expiresAt })
  return { statements }
}
