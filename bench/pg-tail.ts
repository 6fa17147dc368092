// Child process: issue 9's tail figures on PostgreSQL for a world already in the database at `url`
// (bench/pg-load.ts): start-up against a bare query, the common measurement (bench/tail.ts) with the
// plugin on `database: { url }` and every other setting at its default, and the outbox at the default
// policy. A process of its own, so that its RSS is the assistant's and nothing else's.
import pg from 'pg'
import { openAssistant } from '../src/assistant.js'
import { Outbox, DEFAULT_OUTBOX_POLICY } from '../src/outbox/outbox.js'
import { openPostgresEngine } from '../src/store/postgres/engine.js'
import type { StoreEngine } from '../src/store/contract.js'
import { answer } from './child.js'
import { watchedPool, resetWatch } from './pg-watch.js'
import { measureTail, quantile, silent, sleep, tailWorldSize } from './tail.js'
import type { TailFigures } from './tail.js'

export interface PostgresTailFigures extends TailFigures {
  /** Median of three: opening the assistant (connect, migrations checked, holdings counted) on a new pool. */
  startupMs: number
  /** Median of three: a new pool's first query, `select count(*) from users` (a scan of the largest table). */
  bareQueryMs: number
  outbox: { notices: number, deliveredMs: number, transactions: number, roundTrips: number, walFlushes: number }
}

/**
 * One lookup due every 10 ms (100 a second), not every 2 ms as on the embedded engine: a lookup here is
 * three round trips (who the asker is with their dialog step, the rate limit with the bindings, the next
 * step), about 2 ms of work in this process and in a server process on the same two cores; 500 a second
 * would measure a saturated machine rather than what a change does to a lookup.
 */
const LOOKUP_EVERY_MS = 10

const [url, users, now] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])]
const size = tailWorldSize(users, now)

async function startup (): Promise<{ startupMs: number, bareQueryMs: number }> {
  const opens: number[] = []
  const queries: number[] = []
  for (let k = 0; k < 3; k++) {
    const pool = new pg.Pool({ connectionString: url })
    let started = performance.now()
    await pool.query('select count(*) from users')
    queries.push(performance.now() - started)
    await pool.end()
    // What the plugin's start does before it answers: open the assistant, count the holdings it logs.
    started = performance.now()
    const assistant = await openAssistant({ database: { url }, clock: () => now, log: silent, schedules: false }, async () => undefined)
    await assistant.services.status.holdings()
    opens.push(performance.now() - started)
    await assistant.close()
  }
  return { startupMs: quantile(opens, 0.5), bareQueryMs: quantile(queries, 0.5) }
}

/** 2,000 notices delivered at the default policy, time moved on by the outbox job's schedule. */
async function outbox (): Promise<PostgresTailFigures['outbox']> {
  const { pool, watch } = watchedPool(url)
  const engine = await openPostgresEngine(pool)
  await engine.transaction(async (tx) => {
    for (let k = 0; k < 2_000; k++) await tx.enqueue({ toUserId: `u${size.accounts + (k % 1000)}`, text: `通知 ${k}`, createdAt: new Date(now).toISOString(), accountId: undefined })
  })
  let transactions = 0
  const counted: StoreEngine = { ...engine, transaction: (work) => { transactions++; return engine.transaction(work) } }
  const observer = new pg.Pool({ connectionString: url, max: 1 }) // its own statements are not the outbox's
  const unsent = async (): Promise<number> => Number((await observer.query('select count(*) as n from outbox where sent_at is null and failed_at is null and withdrawn_at is null')).rows[0].n)
  let clock = now
  const delivery = new Outbox(counted, async () => undefined, () => clock, silent, DEFAULT_OUTBOX_POLICY)
  resetWatch(watch)
  const fsyncsBefore = await walFsyncs(observer)
  let deliveredMs = 0
  delivery.setOnline(true)
  while (await unsent() > 0) {
    const started = performance.now()
    await delivery.deliverDue()
    await delivery.idle()
    deliveredMs += performance.now() - started
    clock += 10_000 // the outbox job's schedule
  }
  const roundTrips = watch.roundTrips
  await engine.close() // its connections end, and report their statistics as they do
  await sleep(1_000)
  const walFlushes = await walFsyncs(observer) - fsyncsBefore
  await observer.end()
  return { notices: 2_000, deliveredMs, transactions, roundTrips, walFlushes }
}

/** WAL fsyncs of the whole server (pg_stat_io): every durable commit needs one, unless it shares another's. */
async function walFsyncs (pool: pg.Pool): Promise<number> {
  await pool.query('select pg_stat_clear_snapshot()')
  const { rows } = await pool.query<{ n: string }>(`select coalesce(sum(fsyncs), 0) as n from pg_stat_io where object = 'wal'`)
  return Number(rows[0]!.n)
}

const { startupMs, bareQueryMs } = await startup()
// The floor: one prepared one-row statement on a connection of its own to the same server.
const floorPool = new pg.Pool({ connectionString: url, max: 1 })
const floor = (): Promise<unknown> => floorPool.query({ name: 'floor', text: 'select $1::int as one', values: [1] })
const tail = await measureTail({ storage: { database: { url } }, lookupEveryMs: LOOKUP_EVERY_MS, floor }, users, now)
await floorPool.end()
answer({ ...tail, startupMs, bareQueryMs, outbox: await outbox() } satisfies PostgresTailFigures)
