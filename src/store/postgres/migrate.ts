// Brings a PostgreSQL database up to this program's schema with the numbered SQL files in migrations/,
// each applied once, in order, in its own transaction, and recorded in schema_migrations. A file is run as
// one multi-statement query inside that transaction: no BEGIN/COMMIT of its own, no CREATE INDEX CONCURRENTLY.
import { readdir, readFile } from 'node:fs/promises'
import type { Pool, PoolClient } from 'pg'
import { StoreError } from '../errors.js'
import { inTransaction } from './transaction.js'

export interface Migration {
  version: number
  name: string
  sql: string
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url)
const FILE_NAME = /^(\d+)_([a-z0-9_]+)\.sql$/

/**
 * One key for every process of this program on a database: while one holds the lock (to the end of its
 * transaction) the others wait, so two processes starting at once never apply the same migration twice.
 */
const MIGRATION_LOCK = 0x5ECA551 // any fixed number no other advisory lock of this program uses

/** The migrations shipped with the program, by version. */
export async function loadMigrations (dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = []
  for (const file of await readdir(dir)) {
    const match = FILE_NAME.exec(file)
    if (!match) continue
    migrations.push({ version: Number(match[1]), name: match[2]!, sql: await readFile(new URL(file, dir), 'utf8') })
  }
  migrations.sort((a, b) => a.version - b.version)
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations must be numbered 1, 2, 3… without gaps: found ${m.version} where ${i + 1} belongs (${dir.pathname})`)
  })
  return migrations
}

/**
 * Applies every shipped migration the database has not recorded yet; returns the versions this call
 * applied (none when the database was already up to date, or another process got there first).
 * Refuses a database that records a version this program does not know: a newer program migrated it.
 */
export async function migrate (pool: Pool, migrations?: readonly Migration[]): Promise<number[]> {
  const shipped = migrations ?? await loadMigrations()
  const recorded = await underMigrationLock(pool, async (client) => {
    await client.query(`create table if not exists schema_migrations (
      version    integer primary key,
      name       text not null,
      applied_at timestamptz not null default now()
    )`)
    await refuseForeignTable(client)
    return recordedVersions(client)
  })
  refuseNewer(recorded, shipped)

  const applied: number[] = []
  for (const migration of shipped) {
    if (recorded.has(migration.version)) continue
    const done = await underMigrationLock(pool, async (client) => {
      // Another process may have applied it while this one waited for the lock.
      if ((await recordedVersions(client)).has(migration.version)) return false
      await client.query(migration.sql).catch((err: unknown) => {
        throw new StoreError(`Database migration ${migrationFile(migration)} failed, nothing of it was applied: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
      })
      await client.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name])
      return true
    })
    if (done) applied.push(migration.version)
  }
  return applied
}

/** A transaction that first waits for every other process's migration step to end. */
async function underMigrationLock<T> (pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    return work(client)
  })
}

function migrationFile (m: Migration): string {
  return `${String(m.version).padStart(3, '0')}_${m.name}.sql`
}

async function recordedVersions (client: PoolClient): Promise<Set<number>> {
  const { rows } = await client.query<{ version: number }>('select version from schema_migrations')
  return new Set(rows.map((r) => r.version))
}

/**
 * Rails, golang-migrate and others keep a table of this very name: their versions read as this program's
 * would apply the wrong migrations or refuse with a wrong reason, on a database that is another program's.
 */
async function refuseForeignTable (client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ name: string, type: string }>(`select column_name as name, data_type as type from information_schema.columns
    where table_schema = current_schema() and table_name = 'schema_migrations' order by ordinal_position`)
  const shape = rows.map((c) => `${c.name} ${c.type}`).join(', ')
  if (shape !== 'version integer, name text, applied_at timestamp with time zone') {
    throw new StoreError(`The database already holds a schema_migrations table of another program (${shape}): give the assistant its own database (an empty one, or one only it has migrated)`)
  }
}

function refuseNewer (recorded: ReadonlySet<number>, shipped: readonly Migration[]): void {
  const known = shipped.length
  const newest = Math.max(0, ...recorded)
  if (newest > known) {
    throw new StoreError(`The database is at schema version ${newest}, newer than this assistant understands (${known}): run a newer version of the assistant, or point it at another database`)
  }
}
