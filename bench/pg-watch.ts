// A pg.Pool whose statements are counted and timed by kind, for the benchmark to say where the time of a
// transaction goes: waiting for the shared transaction lock, the commit (its WAL flush), the rest.
import pg from 'pg'

export type StatementKind = 'lock' | 'commit' | 'other'

export interface Watch {
  roundTrips: number
  ms: Record<StatementKind, number>
  count: Record<StatementKind, number>
}

/** The engine's first statement of a transaction takes the lock (engine.ts: begin; select pg_advisory_xact_lock). */
const kindOf = (sql: string): StatementKind =>
  /pg_advisory_xact_lock\(\d+\)/.test(sql) ? 'lock' : /^\s*commit\s*$/i.test(sql) ? 'commit' : 'other'

export function watchedPool (url: string): { pool: pg.Pool, watch: Watch } {
  const watch: Watch = { roundTrips: 0, ms: { lock: 0, commit: 0, other: 0 }, count: { lock: 0, commit: 0, other: 0 } }
  const pool = new pg.Pool({ connectionString: url })
  pool.on('error', () => undefined)
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown
    // pool.query calls with a callback, the engine's transactions without: both are timed.
    ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (typeof args[0] !== 'string') return query(...args)
      const kind = kindOf(args[0])
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
  for (const kind of ['lock', 'commit', 'other'] as const) { watch.ms[kind] = 0; watch.count[kind] = 0 }
}
