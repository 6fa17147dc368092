// How many statements (round trips to PostgreSQL) a 绑定查询 and a change cost, counted on the pool the
// assistant runs on: issue 9's median-lookup and two-process targets are won or lost by these counts
// (each round trip costs about as much as the whole echo bot's answer).
import test from 'ava'
import type pg from 'pg'
import { startDatabaseWorld } from './fixture.js'
import type { World } from './fixture.js'
import { postgresForFile } from './helpers/postgres.js'

const ZHANGWEI = 'u_zhangwei' // phone 13800138000, bound to two accounts, one ID number with another WeChat account

const postgres = postgresForFile(test)

/** Every statement sent on the pool's connections, in order. */
function counted (pool: pg.Pool): string[] {
  const sent: string[] = []
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown
    ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0]
      sent.push(typeof first === 'string' ? first : String((first as { text?: unknown })?.text ?? first))
      return query(...args)
    }
  })
  return sent
}

async function world (t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ w: World, sent: string[] }> {
  const { pool } = await postgres().freshDatabase()
  const sent = counted(pool)
  const w = await startDatabaseWorld({ database: { pool } })
  t.teardown(w.stop)
  return { w, sent }
}

/** The statements `act` sends (the world settled before and after). */
async function statementsOf (w: World, sent: string[], act: () => Promise<unknown>): Promise<string[]> {
  await w.settled()
  const from = sent.length
  await act()
  await w.settled()
  return sent.slice(from)
}

const LOOKUP_ROUND_TRIPS = 3
const CHANGE_ROUND_TRIPS = 4

test(`a 绑定查询 by a known contact costs at most ${LOOKUP_ROUND_TRIPS} round trips, its rate limit included`, async (t) => {
  const { w, sent } = await world(t)
  await w.ask(ZHANGWEI, '帮助') // the contact is known from here on
  const byPhone = await statementsOf(w, sent, () => w.ask(ZHANGWEI, '绑定查询 13800138000'))
  t.log(`by phone: ${byPhone.length} round trips`)
  t.true(byPhone.length <= LOOKUP_ROUND_TRIPS, byPhone.join('\n---\n'))
  const byIdNumber = await statementsOf(w, sent, () => w.ask(ZHANGWEI, '绑定查询 510107199208150069'))
  t.log(`by ID number: ${byIdNumber.length} round trips`)
  t.true(byIdNumber.length <= LOOKUP_ROUND_TRIPS, byIdNumber.join('\n---\n'))
})

test(`a change through the platform costs at most ${CHANGE_ROUND_TRIPS} round trips (BEGIN + lock, the read, the write, COMMIT)`, async (t) => {
  const { w, sent } = await world(t)
  const change = await statementsOf(w, sent, () => w.assistant.platform.people.update('zhangwei_ops', { bankCard: false }))
  t.log(`change: ${change.length} round trips`)
  t.true(change.length <= CHANGE_ROUND_TRIPS, change.join('\n---\n'))
})
