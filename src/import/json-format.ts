// The JSON import format: one object with three lists, `accounts`, `people` and `bindings` (README,
// "Importing your accounts and people"). A file with a key twice in one object is refused as a whole;
// otherwise each record is checked on its own with the platform API's field schemas and refused with its
// path (`people[2]`) and the line it starts on. Pure.
import { z } from 'zod'
import { newUserFields } from '../fields.js'
import * as fields from './fields.js'
import { jsonLayout } from './json-layout.js'
import { fileRejected } from './model.js'
import type { Problem, Reading, Rejection, Source, Statement } from './model.js'

const AccountRecord = z.object({
  id: fields.accountId,
  name: fields.accountName,
  admin: fields.wechatId,
  riskProtection: z.boolean().optional(),
  riskAlerts: z.boolean().optional(),
}).strict()

/** POST /v1/users's body, with the accounts the person follows. */
const PersonRecord = z.object({
  ...newUserFields,
  name: fields.name,
  follows: z.array(fields.accountId).optional(),
}).strict()

const BindingRecord = z.object({
  account: fields.accountId,
  wechatId: fields.wechatId,
  role: z.enum(['long', 'short']),
  boundAt: fields.time.optional(),
  expiresAt: fields.time.optional(),
}).strict()

const LISTS = ['accounts', 'people', 'bindings'] as const
type List = typeof LISTS[number]
const Document = z.object({
  accounts: z.array(z.unknown()).optional(),
  people: z.array(z.unknown()).optional(),
  bindings: z.array(z.unknown()).optional(),
}, { error: 'expected one object: { "accounts": [...], "people": [...], "bindings": [...] }' }).strict()

export function readJsonImport (text: string): Reading {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    const { line, detail } = syntaxError(text, (err as Error).message)
    return fileRejected([{ kind: 'json-syntax', detail }], { line })
  }
  const { elementLines: lines, duplicates } = jsonLayout(text)
  if (duplicates.length > 0) {
    return {
      statements: [],
      rejections: duplicates.map(({ key, at, first, record }) => ({ source: { line: at.line, record }, problems: [{ kind: 'duplicate-key', key: key.slice(0, 40), column: at.column, first }] })),
      rows: 0,
    }
  }
  const document = Document.safeParse(raw)
  if (!document.success) return fileRejected(problemsOf(document.error, raw))

  const statements: Statement[] = []
  const rejections: Rejection[] = []
  let rows = 0
  for (const list of LISTS) {
    (document.data[list] ?? []).forEach((record, index) => {
      rows++
      const source = { line: lines.get(list)?.[index] ?? 1, record: `${list}[${index}]` }
      const result = recordStatements(list, record, source)
      if ('statements' in result) statements.push(...result.statements)
      else rejections.push({ source, problems: result.problems })
    })
  }
  if (rows === 0) return fileRejected([{ kind: 'no-rows' }])
  return { statements, rejections, rows }
}

function recordStatements (list: List, record: unknown, source: Source): { statements: Statement[] } | { problems: Problem[] } {
  switch (list) {
    case 'accounts': {
      const parsed = AccountRecord.safeParse(record)
      if (!parsed.success) return { problems: problemsOf(parsed.error, record) }
      const { id: accountId, admin, ...details } = parsed.data
      return {
        statements: [
          { kind: 'account', source, accountId, details, complete: true },
          { kind: 'admin', source, accountId, wechatId: admin },
        ],
      }
    }
    case 'people': {
      const parsed = PersonRecord.safeParse(record)
      if (!parsed.success) return { problems: problemsOf(parsed.error, record) }
      const { wechatId, follows, ...details } = parsed.data
      return {
        statements: [
          { kind: 'person', source, wechatId, details, complete: true },
          ...(follows ?? []).map((accountId): Statement => ({ kind: 'follow', source, accountId, wechatId })),
        ],
      }
    }
    case 'bindings': {
      const parsed = BindingRecord.safeParse(record)
      if (!parsed.success) return { problems: problemsOf(parsed.error, record) }
      const { account: accountId, wechatId, role, boundAt, expiresAt } = parsed.data
      if (role === 'short' && expiresAt === undefined) return { problems: [{ kind: 'missing-value', field: 'expiresAt' }] }
      if (role === 'long' && expiresAt !== undefined) return { problems: [{ kind: 'not-for-role', field: 'expiresAt', role }] }
      return { statements: [{ kind: 'binding', source, accountId, wechatId, role, boundAt, expiresAt }] }
    }
  }
}

/** Zod's issues as problems: a field left out, a field not in the format, a value that does not pass. */
function problemsOf (error: z.ZodError, record: unknown): Problem[] {
  return error.issues.flatMap((issue): Problem[] => {
    const field = issue.path.map(String).join('.') || '(record)'
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ kind: 'unknown-field', field: key.slice(0, 40) }))
    const given = issue.path.length === 1 && typeof record === 'object' && record !== null && Object.hasOwn(record, issue.path[0]!)
    if (issue.code === 'invalid_type' && issue.path.length === 1 && !given) return [{ kind: 'missing-value', field }]
    return [{ kind: 'invalid-value', field, detail: issue.message }]
  })
}

/** JSON.parse's complaint with its position as a line, and without the snippet of the file it may quote. */
function syntaxError (text: string, message: string): { line: number, detail: string } {
  const position = /at position (\d+)/.exec(message)
  const detail = message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '')
  if (!position) return { line: 1, detail }
  const before = text.slice(0, Number(position[1]))
  const line = (before.match(/\n/g)?.length ?? 0) + 1
  return { line, detail: `${detail} (line ${line}, column ${before.length - before.lastIndexOf('\n')})` }
}
