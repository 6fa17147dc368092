// A pg.Pool whose statements are counted and timed by kind, for the benchmark to say where the time of a
// transaction goes: getting a connection, waiting for the shared transaction lock, the statements, the
// commit, and the wait for the commit's WAL flush when the engine awaits it after the commit.
import pg from 'pg'

export const KINDS = ['connect', 'lock', 'statements', 'commit', 'flush'] as const
export type Kind = typeof KINDS[number]

export interface Watch {
  /** Statements sent (connections taken are not round trips). */
  roundTrips: number
  ms: Record<Kind, number>
  count: Record<Kind, number>
}

/** The engine's first statement of a transaction takes the lock (engine.ts); the flush wait emits a message. */
const kindOf = (sql: string): Kind =>
  /pg_advisory_xact_lock\(\d+\)/.test(sql)
    ? 'lock'
    : /^\s*commit\s*$/i.test(sql) ? 'commit' : /pg_logical_emit_message/.test(sql) ? 'flush' : 'statements'

const zero = (): Record<Kind, number> => ({ connect: 0, lock: 0, statements: 0, commit: 0, flush: 0 })

export function watchedPool (url: string): { pool: pg.Pool, watch: Watch } {
  const watch: Watch = { roundTrips: 0, ms: zero(), count: zero() }
  const pool = new pg.Pool({ connectionString: url })
  pool.on('error', () => undefined)
  // pool.connect() without a callback is the engine's transactions; pool.query passes one and is not counted here.
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown
  ;(pool as unknown as { connect: (...args: unknown[]) => unknown }).connect = (...args: unknown[]) => {
    if (args.length > 0) return connect(...args)
    const started = performance.now()
    watch.count.connect++
    return (connect() as Promise<unknown>).finally(() => { watch.ms.connect += performance.now() - started })
  }
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown
    // pool.query calls with a callback, the engine's transactions without: both are timed.
    ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      // A string, or a query config ({ name, text, values }: the engine's prepared statements).
      const sql = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | undefined)?.text
      if (typeof sql !== 'string') return query(...args)
      const kind = kindOf(sql)
      const started = performance.now()
      const done = (): void => { watch.ms[kind] += performance.now() - started }
      watch.roundTrips++
      watch.count[kind]++
      const last = args[args.length - 1]
      if (typeof last === 'function') {
        return query(...args.slice(0, -1), (...result: unknown[]) => { done(); (last as (...r: unknown[]) => void)(...result) })
      }
      const result = query(...args)
      return result instanceof Promise ? result.finally(done) : result
    }
  })
  return { pool, watch }
}

export function resetWatch (watch: Watch): void {
  watch.roundTrips = 0
  watch.ms = zero()
  watch.count = zero()
}
