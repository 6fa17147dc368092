// How each collection of the document maps onto its table (migrations/001_initial.sql): which field is
// which column, and how a value crosses over. users.follows and the codes live in tables of their own.
import type { Collection } from '../consistency.js'

/** Times cross as timestamptz; JSON as jsonb (sent as its text); everything else (text, boolean, integer, integer[]) as it is. */
type Kind = 'time' | 'json' | 'plain'

export interface Column {
  field: string
  column: string
  kind: Kind
}

export interface Table {
  collection: Collection
  table: string
  /** In the schema's field order, so that an exported record reads like one from the JSON file. */
  columns: readonly Column[]
}

/** `accountId` → `account_id`. */
const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

function table (collection: Collection, fields: ReadonlyArray<string | [string, Kind]>): Table {
  return {
    collection,
    table: snake(collection),
    columns: fields.map((f) => {
      const [field, kind] = typeof f === 'string' ? [f, 'plain' as const] : f
      return { field, column: snake(field), kind }
    }),
  }
}

/** In the order a whole document is imported: every table after the ones it refers to. */
export const TABLES: readonly Table[] = [
  table('users', ['id', 'name', 'wechatId', 'contactId', 'phone', 'idNumber', 'accountProtection', 'bankCard']),
  table('accounts', ['id', 'name', 'adminUserId', 'riskProtection', 'riskAlerts', 'alertModes', 'reviewIntervalDays']),
  table('bindings', ['id', 'accountId', 'userId', 'role', ['boundAt', 'time'], ['expiresAt', 'time'], ['endedAt', 'time'], 'endReason',
    'endedBy', 'remindersSent', ['lastSeenAt', 'time']]),
  table('invitations', ['id', 'code', 'accountId', 'inviteeUserId', 'invitedBy', 'role', ['createdAt', 'time'], ['expiresAt', 'time'],
    'status', ['answeredAt', 'time']]),
  table('renewals', ['id', 'code', 'bindingId', 'accountId', 'requestedBy', ['createdAt', 'time'], ['expiresAt', 'time'], 'status',
    ['decidedAt', 'time'], 'decidedBy', ['closedAt', 'time'], 'closedReason']),
  table('approvals', ['id', 'code', 'accountId', 'actorUserId', 'bindingId', 'operation', ['createdAt', 'time'], ['expiresAt', 'time'],
    'status', ['decidedAt', 'time'], 'decidedBy', ['closedAt', 'time'], 'closedReason']),
  table('logins', ['id', 'code', 'accountId', 'userId', ['createdAt', 'time'], ['expiresAt', 'time'], 'status', ['answeredAt', 'time'],
    'result', 'deniedReason', 'approvalId']),
  table('history', ['id', 'accountId', ['at', 'time'], 'actorUserId', 'action', 'detail']),
  table('outbox', ['id', 'toUserId', 'text', ['createdAt', 'time'], 'attempts', ['sentAt', 'time'], 'lastError',
    ['nextAttemptAt', 'time'], ['failedAt', 'time'], ['withdrawnAt', 'time'], 'accountId', 'about', 'topic']),
  table('digestEntries', ['id', 'accountId', 'actorUserId', 'operation', ['at', 'time']]),
  table('lookupNotices', ['id', 'askerKey', 'ownerUserId', ['at', 'time']]),
  table('reviews', ['id', 'accountId', ['startedAt', 'time'], 'startedBy', 'status', ['items', 'json'], 'remindersSent', ['closedAt', 'time']]),
  table('webhooks', ['id', 'url', 'secret', ['createdAt', 'time'], ['updatedAt', 'time']]),
  table('webhookEvents', ['id', 'type', ['at', 'time'], 'body', ['createdAt', 'time'], 'attempts', ['deliveredAt', 'time'], 'lastError',
    ['nextAttemptAt', 'time'], ['failedAt', 'time']]),
]

/** The collections whose records carry a short code, and the kind each code is registered as. */
export const CODE_KINDS = { invitations: 'invitation', renewals: 'renewal', approvals: 'approval', logins: 'login' } as const

/** Every table that holds state, whether or not it is part of the document. */
export const STATE_TABLES = ['users', 'accounts', 'user_follows', 'bindings', 'codes', 'invitations', 'renewals', 'approvals',
  'logins', 'history', 'outbox', 'digest_entries', 'lookup_notices', 'reviews', 'webhooks', 'webhook_events', 'dialogs', 'lookup_limits'] as const

type Row = Record<string, unknown>

/** A record as a row keyed by column; absent fields are left out (NULL), times in one ISO spelling. */
export function toRow (table: Table, record: object): Row {
  const row: Row = {}
  const fields = record as Record<string, unknown>
  for (const { field, column, kind } of table.columns) {
    const value = fields[field]
    if (value === undefined) continue
    row[column] = kind === 'time' ? new Date(Date.parse(value as string)).toISOString() : value
  }
  return row
}

/** A row's value as a statement parameter: JSON goes as its text (the driver would make an array a PostgreSQL array). */
export function toParam (column: Column, value: unknown): unknown {
  return column.kind === 'json' && value !== undefined && value !== null ? JSON.stringify(value) : value
}

/** A row back as a record; NULL columns become absent fields, as in the JSON file. */
export function fromRow (table: Table, row: Row): Record<string, unknown> {
  const record: Record<string, unknown> = {}
  for (const { field, column, kind } of table.columns) {
    const value = row[column]
    if (value === null || value === undefined) continue
    record[field] = kind === 'time' ? (value as Date).toISOString() : value
  }
  return record
}
