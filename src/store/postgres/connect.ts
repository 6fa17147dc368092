// The database an assistant runs on: a pool made from a URL (the runner's ASSISTANT_DATABASE_URL or the
// plugin's `database: { url }`), and how to name a database without its password.
import pg from 'pg'
import type { Pool } from 'pg'
import { isPostgresUrl, notPostgresUrl } from '../database-url.js'
import { StoreError } from '../errors.js'

/**
 * Calls `onError` for a failed idle connection (a restarted server): without a listener the process would
 * crash. A URL of another database is refused before any connection (a mysql:// one would fail as a host not found).
 */
export function createPool (url: string, onError: (err: Error) => void): Pool {
  if (!isPostgresUrl(url)) throw new StoreError(notPostgresUrl(url))
  const pool = new pg.Pool({ connectionString: url })
  pool.on('error', onError)
  return pool
}

/** postgres://user@host:port/db, never the password (nor the query string, which may hold one). */
export function describeDatabaseUrl (url: string): string {
  try {
    const parsed = new URL(url)
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`
  } catch {
    return 'postgres://(a URL that does not parse)'
  }
}

/** The same for a pool a host made. */
export function describePool (pool: Pool): string {
  const options = (pool as Pool & { options?: { connectionString?: string, user?: string, host?: string, port?: number, database?: string } }).options ?? {}
  if (options.connectionString) return describeDatabaseUrl(options.connectionString)
  const user = options.user ? `${options.user}@` : ''
  return `postgres://${user}${options.host ?? 'localhost'}${options.port ? `:${options.port}` : ''}/${options.database ?? ''}`
}
