// Moving a whole document between the JSON file and PostgreSQL: into an empty database in one
// transaction, and back out as a document of the current schema version, validated like a data file.
import type { Pool, PoolClient } from 'pg'
import { checkDocument, listProblems } from '../consistency.js'
import type { Collection } from '../consistency.js'
import { StoreError } from '../errors.js'
import { SCHEMA_VERSION } from '../schema.js'
import type { Data } from '../schema.js'
import { CODE_KINDS, fromRow, STATE_TABLES, TABLES, toRow } from './tables.js'
import { inTransaction } from './transaction.js'

/** Rows written per table: one per record, plus users' follows and the registered codes. */
export type ImportCounts = Record<Collection, number> & { follows: number, codes: number }

type Row = Record<string, unknown>

/**
 * Copies a whole document into a migrated, empty database, all or nothing. Refuses a database that holds
 * any state, and a document that would not load from a data file either.
 */
export async function importDocument (pool: Pool, data: Data): Promise<ImportCounts> {
  const document = validated(data, 'The document to import')
  return inTransaction(pool, async (client) => {
    // Two imports at once: the second waits here, then finds the first one's rows and is refused.
    await client.query(`lock table ${STATE_TABLES.join(', ')} in exclusive mode`)
    const occupied = await tablesWithRows(client)
    if (occupied.length > 0) {
      throw new StoreError(`Cannot import into a database that already holds state (rows in ${occupied.join(', ')}): import only into a new, migrated database`)
    }
    // Codes first (they refer to nothing), follows last (nothing refers to them).
    const codes = Object.entries(CODE_KINDS).flatMap(([collection, kind]) =>
      document[collection as keyof typeof CODE_KINDS].map((r) => ({ code: r.code, kind })))
    const counts = { codes: await insertRows(client, 'codes', ['code', 'kind'], codes) } as ImportCounts
    for (const table of TABLES) {
      const rows = document[table.collection].map((record) => toRow(table, record))
      counts[table.collection] = await insertRows(client, table.table, table.columns.map((c) => c.column), rows)
    }
    const follows = document.users.flatMap((u) => u.follows.map((accountId) => ({ user_id: u.id, account_id: accountId })))
    counts.follows = await insertRows(client, 'user_follows', ['user_id', 'account_id'], follows)
    return counts
  })
}

/** The whole state as a document of the current version, records in the order they were added. */
export async function exportDocument (pool: Pool): Promise<Data> {
  const raw = await inTransaction(pool, async (client) => {
    const document: Record<string, unknown> = { version: SCHEMA_VERSION }
    for (const table of TABLES) {
      const columns = table.columns.map((c) => c.column).join(', ')
      const { rows } = await client.query<Row>(`select ${columns} from ${table.table} order by seq`)
      document[table.collection] = rows.map((row) => fromRow(table, row))
    }
    const follows = await followsByUser(client)
    for (const user of document.users as Array<Record<string, unknown>>) user.follows = follows.get(user.id as string) ?? []
    return document
  }, { mode: 'isolation level repeatable read, read only' })
  return validated(raw, 'The database')
}

/** Rows inserted in the order given (so `seq` follows the document), in one statement; returns how many. */
async function insertRows (client: PoolClient, table: string, columns: readonly string[], rows: readonly Row[]): Promise<number> {
  if (rows.length === 0) return 0
  const list = columns.join(', ')
  try {
    const result = await client.query(
      `insert into ${table} (${list}) select ${list} from jsonb_populate_recordset(null::${table}, $1::jsonb) with ordinality as r order by r.ordinality`,
      [JSON.stringify(rows)])
    return result.rowCount ?? 0
  } catch (err) {
    // The message names the constraint, never the values (they may be phone or ID numbers).
    throw new StoreError(`PostgreSQL refused the ${table} of the document: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

async function tablesWithRows (client: PoolClient): Promise<string[]> {
  const probes = STATE_TABLES.map((t) => `select '${t}' as name where exists (select from ${t})`).join(' union all ')
  const { rows } = await client.query<{ name: string }>(probes)
  const occupied = new Set(rows.map((r) => r.name))
  return STATE_TABLES.filter((t) => occupied.has(t))
}

async function followsByUser (client: PoolClient): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ user_id: string, account_id: string }>('select user_id, account_id from user_follows order by seq')
  const byUser = new Map<string, string[]>()
  for (const { user_id: userId, account_id: accountId } of rows) {
    const list = byUser.get(userId)
    if (list) list.push(accountId)
    else byUser.set(userId, [accountId])
  }
  return byUser
}

/** The same two checks a data file passes at load: the schema, then uniqueness and references. */
function validated (raw: unknown, what: string): Data {
  const checked = checkDocument(raw)
  if ('schema' in checked) throw new StoreError(`${what} does not match the schema (${checked.schema})`)
  if ('inconsistent' in checked) throw new StoreError(`${what} is inconsistent: ${listProblems(checked.inconsistent)}`)
  return checked.data
}
