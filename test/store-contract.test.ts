// The store contract on every engine: the same tests for the embedded one (the JSON file) and for
// PostgreSQL (a fresh database on a throwaway server, filled with the demo world). Reads and writes of
// one transaction happen with nothing in between, a failure undoes all of it, the answer comes once it
// is durable, and every read answers what the embedded store answers. Then what PostgreSQL adds: several
// processes (pools) on one database.
import test from 'ava'
import type { ExecutionContext } from 'ava'
import { mkdtemp, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type pg from 'pg'
import { CLAIM_LEASE, READS } from '../src/store/contract.js'
import { takeHit } from '../src/domain/rate-limit.js'
import type { Reads, StoreEngine, StoreTransaction } from '../src/store/contract.js'
import { exportDocument, importDocument } from '../src/store/postgres/copy.js'
import { openPostgresEngine } from '../src/store/postgres/engine.js'
import { migrate } from '../src/store/postgres/migrate.js'
import type { Data, HistoryEntry } from '../src/store/schema.js'
import { Store } from '../src/store/store.js'
import { demoWorld, postgresForFile, SEED_FILE } from './helpers/postgres.js'

const NOW = Date.parse('2026-11-21T02:00:00Z')

const postgres = postgresForFile(test)


type Context = Pick<ExecutionContext, 'teardown'>

/** An engine under test holding the demo world, and how to see what it has made durable. */
interface Subject {
  engine: StoreEngine
  /** The state as a document, read the way another process (or a restart) would read it. */
  durable: () => Promise<Data>
  /** The embedded store behind the engine, for what only it has (file writes). */
  store?: Store
}

async function embeddedStore (t: Context): Promise<{ store: Store, file: string }> {
  const file = join(await mkdtemp(join(tmpdir(), 'assistant-contract-')), 'assistant.json')
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  t.teardown(() => store.close())
  return { store, file }
}

/** A migrated database holding the demo world; `connect` gives further pools on it (other processes). */
async function demoDatabase (): Promise<{ name: string, pool: pg.Pool }> {
  const database = await postgres().freshDatabase()
  await migrate(database.pool)
  await importDocument(database.pool, demoWorld(NOW))
  return database
}

const ENGINES: Array<{ name: string, open: (t: Context) => Promise<Subject> }> = [
  {
    name: 'embedded',
    open: async (t) => {
      const { store, file } = await embeddedStore(t)
      return { engine: store.engine(), store, durable: async () => JSON.parse(await readFile(file, 'utf8')) as Data }
    },
  },
  {
    name: 'PostgreSQL',
    open: async () => {
      const { name, pool } = await demoDatabase()
      const engine = await openPostgresEngine(pool)
      const other = postgres().connect(name)
      return { engine, durable: () => exportDocument(other) }
    },
  },
]

const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A promise and the function that settles it, to order steps of two transactions without timing. */
function signal (): { promise: Promise<void>, fire: () => void } {
  let fire!: () => void
  const promise = new Promise<void>((resolve) => { fire = resolve })
  return { promise, fire }
}

/** Plain data, as it would be written: undefined fields gone. */
const plain = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)) as T)

for (const { name, open } of ENGINES) {
  test(`${name}: transactions that read, wait and then write take turns: two flips of one switch cancel out`, async (t) => {
    const { engine } = await open(t)
    const before = (await engine.account('acc_tea'))!.riskAlerts
    const flip = (): Promise<void> => engine.transaction(async (tx) => {
      const was = (await tx.account('acc_tea'))!.riskAlerts
      await pause() // another transaction would get in here if they did not take turns
      await tx.updateAccount('acc_tea', { riskAlerts: !was })
    })
    await Promise.all([flip(), flip()])
    t.is((await engine.account('acc_tea'))!.riskAlerts, before)
  })

  test(`${name}: a transaction that throws after writing, or writes something invalid, leaves nothing behind`, async (t) => {
    const { engine, durable } = await open(t)
    const before = await durable()
    await t.throwsAsync(engine.transaction(async (tx) => {
      await tx.updateAccount('acc_tea', { riskAlerts: false })
      await pause()
      throw new Error('changed its mind')
    }), { message: 'changed its mind' })
    await t.throwsAsync(engine.transaction(async (tx) => {
      await tx.updateAccount('acc_tea', { riskProtection: 'toString' as unknown as boolean })
    }), { name: 'InvalidChange' })
    await t.throwsAsync(engine.transaction(async (tx) => {
      await tx.updateUser('u_wutian', { name: '吴天改' })
      await tx.addBinding({ id: 'b_new', accountId: 'acc_ghost', userId: 'u_wutian', role: 'long', boundAt: new Date(NOW).toISOString() })
    }), { name: 'InvalidChange' })
    t.deepEqual(plain(await engine.account('acc_tea')), before.accounts.find((a) => a.id === 'acc_tea'))
    t.is((await engine.user('u_wutian'))!.name, before.users.find((u) => u.id === 'u_wutian')!.name)
    t.deepEqual(await durable(), before, 'nothing was made durable')
    await engine.transaction(async (tx) => { await tx.updateAccount('acc_tea', { riskAlerts: false }) })
    t.false((await engine.account('acc_tea'))!.riskAlerts, 'the next transaction goes through')
  })

  test(`${name}: a transaction resolves once its change is durable, however many run at once`, async (t) => {
    const { engine, durable, store } = await open(t)
    const writesBefore = store?.fileWrites ?? 0
    await Promise.all(Array.from({ length: 50 }, (_, i) => engine.transaction(async (tx) => {
      await tx.updateUser('u_wutian', { name: `吴天${i}` })
    })))
    t.is((await durable()).users.find((u) => u.id === 'u_wutian')!.name, '吴天49')
    // The embedded engine shares one file write among the transactions that finish meanwhile.
    if (store) t.true(store.fileWrites - writesBefore <= 5, `${store.fileWrites - writesBefore} writes for 50 transactions`)
  })

  test(`${name}: the engine offers every read of the contract, answering what the embedded store answers`, async (t) => {
    const { engine } = await open(t)
    const { store: reference } = await embeddedStore(t)
    for (const read of READS) t.is(typeof engine[read], 'function', read)
    const world = demoWorld(NOW)
    const calls = argumentsForEveryRead(world)
    for (const read of READS) {
      const cases = calls[read]
      t.true(cases.length > 0, read)
      for (const args of cases) {
        const expected = (reference[read] as (...a: unknown[]) => unknown)(...args)
        const actual = await (engine[read] as (...a: unknown[]) => Promise<unknown>)(...args)
        // The embedded engine hands out its records in memory, where a materialised seed keeps undefined fields.
        t.deepEqual(name === 'embedded' ? plain(actual) : actual, plain(expected), `${read}(${args.join(', ')})`)
      }
    }
  })

  test(`${name}: every kind of write leaves the state the embedded store would have, and answers the same`, async (t) => {
    const { engine, durable } = await open(t)
    const { store: reference } = await embeddedStore(t)
    const mine = await engine.transaction(everyWrite)
    const theirs = await reference.engine().transaction(everyWrite)
    t.deepEqual(withoutRandomIds(plain(mine)), withoutRandomIds(plain(theirs)))
    t.deepEqual(withoutRandomIds(await durable()), withoutRandomIds(plain(reference.data as Data)))
    // And the reads inside a transaction saw its own writes.
    t.is(mine.nameSeenInside, '新名字')
    // The people in the order they were made: the seed's last one, then the one this transaction added.
    const seeded = demoWorld(NOW).users
    t.deepEqual(mine.lastUsers, [`${seeded.at(-1)!.id} ${seeded.at(-1)!.name}`, 'u_new 新名字'])
  })
}

// ------------------------------------------------------------------ claims, retention, conversation state

const MINUTE = 60_000
/** People of the demo world who have chatted with the assistant, and one who has not. */
const WITH_CONTACT = ['u_wangfang', 'u_liqiang', 'u_chenjing']

async function queueMessages (engine: StoreEngine, count: number, extra: Partial<{ toUserId: string }> = {}): Promise<string[]> {
  return engine.transaction(async (tx) => {
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      ids.push((await tx.enqueue({ toUserId: extra.toUserId ?? WITH_CONTACT[i % WITH_CONTACT.length]!, text: `通知 ${i}`, createdAt: new Date(NOW).toISOString(), accountId: undefined })).id)
    }
    return ids
  })
}

for (const { name, open } of ENGINES) {
  test(`${name}: due messages are claimed once, oldest first, until released, tried or the lease runs out`, async (t) => {
    const { engine } = await open(t)
    const earlier = (await engine.transaction((tx) => tx.claimDueMessages(NOW, 1000))).map((m) => m.id) // the demo world's own
    const ids = await queueMessages(engine, 6)
    await engine.transaction((tx) => tx.addUser({ id: 'u_stranger', name: '陌生人', wechatId: 'stranger_01', accountProtection: false, bankCard: false, follows: [] }))
    const waiting = await queueMessages(engine, 1, { toUserId: 'u_stranger' }) // never chatted: waits
    const texts = (list: readonly { text: string }[]): string[] => list.map((m) => m.text)
    const first = await engine.transaction((tx) => tx.claimDueMessages(NOW, 4))
    t.deepEqual(texts(first), ['通知 0', '通知 1', '通知 2', '通知 3'])
    t.deepEqual(first.map((m) => m.id), ids.slice(0, 4))
    t.deepEqual((await engine.transaction((tx) => tx.claimDueMessages(NOW, 10))).map((m) => m.id), ids.slice(4), 'the rest, not the claimed ones nor one to a stranger')
    t.deepEqual(await engine.transaction((tx) => tx.claimDueMessages(NOW, 10)), [], 'everything is claimed')
    t.is(await engine.transaction((tx) => tx.claimMessage(ids[0]!, NOW)), undefined, 'not even one by id')
    t.true(await engine.deliverable(ids[0]!), 'still deliverable: claimed is not sent')
    await engine.transaction((tx) => tx.releaseClaims([ids[1]!], NOW))
    await engine.transaction((tx) => tx.updateMessage(ids[2]!, { attempts: 1, lastError: 'x', nextAttemptAt: new Date(NOW + MINUTE).toISOString() }))
    t.deepEqual((await engine.transaction((tx) => tx.claimDueMessages(NOW, 10))).map((m) => m.id), [ids[1]], 'released; the tried one waits for its back-off')
    t.deepEqual((await engine.transaction((tx) => tx.claimDueMessages(NOW + MINUTE, 10))).map((m) => m.id), [ids[2]], 'after its back-off')
    t.is((await engine.transaction((tx) => tx.claimMessage(waiting[0]!, NOW)))?.id, waiting[0], 'by id: due or not, contact or not')
    const afterLease = NOW + CLAIM_LEASE + 1
    t.deepEqual((await engine.transaction((tx) => tx.claimDueMessages(afterLease, 100))).map((m) => m.id),
      [...earlier, ...ids].filter((id) => id !== ids[2]), 'a crashed claimer\'s messages come back (not the one claimed a minute later)')
    await engine.transaction((tx) => tx.releaseClaims([ids[4]!], NOW)) // the first claimer, late: the claim is no longer its own
    t.deepEqual(await engine.transaction((tx) => tx.claimDueMessages(afterLease, 100)), [], 'a claim made since by another is not given back by the first')
    await engine.transaction((tx) => tx.releaseClaims([ids[4]!], afterLease))
    t.deepEqual((await engine.transaction((tx) => tx.claimDueMessages(afterLease, 100))).map((m) => m.id), [ids[4]], 'its own claimer gives it back')
    await engine.transaction((tx) => tx.updateMessage(ids[3]!, { attempts: 1, sentAt: new Date(NOW).toISOString() }))
    t.false(await engine.deliverable(ids[3]!))
    t.is(await engine.transaction((tx) => tx.claimMessage(ids[3]!, afterLease + CLAIM_LEASE)), undefined, 'sent: never claimed again')
    t.is((await engine.message(ids[3]!))?.sentAt, new Date(NOW).toISOString())
  })

  test(`${name}: after the clock is set back by hours, claims and back-offs set before it are over: the messages are due at once`, async (t) => {
    const { engine } = await open(t)
    const earlier = (await engine.transaction((tx) => tx.claimDueMessages(NOW, 1000))).map((m) => m.id) // the demo world's own
    const ids = await queueMessages(engine, 3)
    t.is((await engine.transaction((tx) => tx.claimDueMessages(NOW, 2))).length, 2, 'claimed by a process that then crashed')
    await engine.transaction((tx) => tx.updateMessage(ids[2]!, { attempts: 1, lastError: 'x', nextAttemptAt: new Date(NOW + MINUTE).toISOString() }))
    const dueNow = (await engine.outboxBacklog(NOW)).due
    const back = NOW - 3 * 3_600_000
    t.is((await engine.outboxBacklog(back)).due, dueNow + 1, 'the one backing off counts as due too')
    t.is((await engine.transaction((tx) => tx.claimMessage(ids[0]!, back)))?.id, ids[0], 'by id')
    t.deepEqual((await engine.transaction((tx) => tx.claimDueMessages(back, 100))).map((m) => m.id), [...earlier, ...ids.slice(1)], 'the other claims and the back-off')
    t.deepEqual(await engine.transaction((tx) => tx.claimDueMessages(back, 100)), [], 'claimed anew, on the corrected clock')
    t.deepEqual((await engine.transaction((tx) => tx.claimDueMessages(back + CLAIM_LEASE + 1, 100))).map((m) => m.id), [...earlier, ...ids], 'for its lease, as ever')
  })

  test(`${name}: the backlog counts the messages due for delivery, claimed or not, and says when the oldest was queued`, async (t) => {
    const { engine } = await open(t)
    t.deepEqual(await engine.outboxBacklog(NOW), { due: 0 }, 'the demo world has none')
    const ids = await queueMessages(engine, 3)
    await engine.transaction((tx) => tx.enqueue({ toUserId: 'u_liqiang', text: '更早', createdAt: new Date(NOW - MINUTE).toISOString(), accountId: undefined }))
    await engine.transaction((tx) => tx.addUser({ id: 'u_stranger', name: '陌生人', wechatId: 'stranger_01', accountProtection: false, bankCard: false, follows: [] }))
    await queueMessages(engine, 1, { toUserId: 'u_stranger' }) // never chatted: waits for them, not for delivery
    t.deepEqual(await engine.outboxBacklog(NOW), { due: 4, oldestQueuedAt: new Date(NOW - MINUTE).toISOString() })
    await engine.transaction((tx) => tx.claimDueMessages(NOW, 2))
    t.is((await engine.outboxBacklog(NOW)).due, 4, 'claimed is not delivered')
    await engine.transaction((tx) => tx.updateMessage(ids[0]!, { attempts: 1, sentAt: new Date(NOW).toISOString() }))
    await engine.transaction((tx) => tx.updateMessage(ids[1]!, { attempts: 1, lastError: 'x', nextAttemptAt: new Date(NOW + MINUTE).toISOString() }))
    t.is((await engine.outboxBacklog(NOW)).due, 2, 'sent, and backing off')
    t.is((await engine.outboxBacklog(NOW + MINUTE)).due, 3, 'its back-off is over')
  })

  test(`${name}: retention prunes by time what the embedded store would`, async (t) => {
    const { engine, durable } = await open(t)
    const { store: reference } = await embeddedStore(t)
    for (const cutoff of [NOW - 400 * 86_400_000, NOW - 30 * 86_400_000, NOW + 400 * 86_400_000]) {
      const mine = await engine.transaction((tx) => tx.pruneOlderThan(cutoff))
      const theirs = await reference.engine().transaction((tx) => tx.pruneOlderThan(cutoff))
      t.deepEqual(mine, theirs, `cutoff ${new Date(cutoff).toISOString()}`)
      t.deepEqual(withoutRandomIds(await durable()), withoutRandomIds(plain(reference.data as Data)))
    }
    t.deepEqual(await engine.counts(), reference.counts())
  })

  test(`${name}: dialog steps and the lookup limit are kept as the bot and takeHit keep them`, async (t) => {
    const { engine } = await open(t)
    t.is(await engine.dialog('wxid_a'), undefined)
    await engine.setDialog('wxid_a', { step: 'lookup.value', data: { kind: 'phone' } }, NOW + 5 * MINUTE)
    await engine.setDialog('wxid_b', { step: 'lookup.method', data: {} }, NOW + MINUTE)
    t.deepEqual(await engine.dialog('wxid_a'), { step: 'lookup.value', data: { kind: 'phone' }, expiresAt: NOW + 5 * MINUTE })
    await engine.setDialog('wxid_a', { step: 'lookup.results', data: { entries: [{ accountId: 'acc_tea', role: 'long' }] } }, NOW + 6 * MINUTE)
    t.deepEqual(await engine.dialog('wxid_a'), { step: 'lookup.results', data: { entries: [{ accountId: 'acc_tea', role: 'long' }] }, expiresAt: NOW + 6 * MINUTE })
    await engine.forgetDialogs(NOW + 2 * MINUTE)
    t.is(await engine.dialog('wxid_b'), undefined, 'lapsed before the cutoff')
    t.truthy(await engine.dialog('wxid_a'))
    await engine.clearDialog('wxid_a')
    t.is(await engine.dialog('wxid_a'), undefined)

    const limit = { max: 3, windowMs: 10 * MINUTE }
    let hits: number[] = []
    for (const at of [0, 1, 2, 3, 4, 10, 11, 11, 12, 25].map((m) => NOW + m * MINUTE)) {
      const expected = takeHit(limit, hits, at)
      hits = expected.hits
      t.deepEqual(await engine.takeLookupHit('asker', at, limit), expected, `at +${(at - NOW) / MINUTE} min`)
    }
    t.true((await engine.takeLookupHit('other', NOW, limit)).allowed, 'per asker')
    // The clock set back by three hours: hits dated later than now count as made now.
    let jumped: number[] = []
    for (const at of [200, 201, 202, 20, 21, 30, 31].map((m) => NOW + m * MINUTE)) {
      const expected = takeHit(limit, jumped, at)
      jumped = expected.hits
      t.deepEqual(await engine.takeLookupHit('jumper', at, limit), expected, `jumper at +${(at - NOW) / MINUTE} min`)
    }
    await engine.forgetLookupHits(NOW + 30 * MINUTE)
    t.deepEqual(await engine.takeLookupHit('asker', NOW + 26 * MINUTE, limit), { allowed: true, hits: [NOW + 26 * MINUTE] }, 'forgotten')
  })

  test(`${name}: takeLookup decides as takeHit does, and only when allowed tells what the holders hold, as the reads tell it`, async (t) => {
    const { engine } = await open(t)
    /** What the reads say the users hold, in takeLookup's shape. */
    const expectedHoldings = async (userIds: string[]) => Promise.all(userIds.map(async (id) => ({
      user: (await engine.user(id))!,
      administers: await engine.accountsAdministeredBy(id),
      bindings: await Promise.all((await engine.bindingsOfUser(id)).map(async (binding) => ({ binding, accountName: (await engine.account(binding.accountId))!.name }))),
    })))
    const limit = { max: 3, windowMs: 10 * MINUTE }
    let hits: number[] = []
    // A clock that steps back (20 after 25) keeps the hits in the order they were taken, on both engines.
    for (const [k, at] of [0, 1, 2, 3, 4, 10, 11, 11, 12, 25, 20, 21, 26].map((m, k) => [k, NOW + m * MINUTE] as const)) {
      const expected = takeHit(limit, hits, at)
      hits = expected.hits
      const label = `at +${(at - NOW) / MINUTE} min`
      if (k % 3 === 2) {
        t.deepEqual(await engine.takeLookupHit('asker', at, limit), expected, label)
        continue
      }
      const answer = await engine.takeLookup('asker', at, limit, k % 2 === 0 ? { userId: 'u_zhangwei' } : { userId: 'u_zhaomin_home', idNumber: '110105199502280078' })
      t.deepEqual(answer.decision, expected, label)
      t.deepEqual(answer.holdings, expected.allowed ? await expectedHoldings(k % 2 === 0 ? ['u_zhangwei'] : ['u_zhaomin_home', 'u_zhaomin']) : [], label)
    }
    const admin = await engine.takeLookup('admin', NOW, limit, { userId: 'u_wangfang', idNumber: '110101198503120025' })
    t.true(admin.holdings[0]!.administers.length >= 2, 'an admin\'s accounts')
    t.deepEqual(admin.holdings, await expectedHoldings(['u_wangfang']))
    t.deepEqual((await engine.takeLookup('nobody', NOW, limit, { userId: 'u_nobody' })).holdings, [], 'an unknown user holds nothing')
  })

  test(`${name}: sender reads a contact's user and the sender's dialog step together`, async (t) => {
    const { engine } = await open(t)
    t.deepEqual(await engine.sender('u_zhangwei'), { user: await engine.userByContact('u_zhangwei'), dialog: undefined })
    t.truthy((await engine.sender('u_zhangwei')).user)
    await engine.setDialog('u_zhangwei', { step: 'lookup.method', data: {} }, NOW + MINUTE)
    await engine.setDialog('wxid_stranger', { step: 'lookup.value', data: { kind: 'phone' } }, NOW + MINUTE)
    t.deepEqual(await engine.sender('u_zhangwei'), { user: await engine.userByContact('u_zhangwei'), dialog: { step: 'lookup.method', data: {}, expiresAt: NOW + MINUTE } })
    t.deepEqual(await engine.sender('wxid_stranger'), { user: undefined, dialog: { step: 'lookup.value', data: { kind: 'phone' }, expiresAt: NOW + MINUTE } })
    t.deepEqual(await engine.sender('wxid_nobody'), { user: undefined, dialog: undefined })
  })

  test(`${name}: a record updated twice in one transaction keeps both patches`, async (t) => {
    const { engine, durable } = await open(t)
    const binding = await engine.transaction(async (tx) => {
      await tx.binding('b_zw_tea')
      await tx.updateBinding('b_zw_tea', { remindersSent: [7] })
      return tx.updateBinding('b_zw_tea', { endedAt: new Date(NOW).toISOString(), endReason: 'removed', endedBy: 'u_wangfang' })
    })
    t.deepEqual(binding.remindersSent, [7])
    t.deepEqual((await durable()).bindings.find((b) => b.id === 'b_zw_tea'), plain(binding))
    const user = await engine.transaction(async (tx) => {
      await tx.updateUser('u_zhangwei', { bankCard: false })
      return tx.updateUser('u_zhangwei', { follows: ['acc_tea'] })
    })
    t.is(user.bankCard, false)
    t.deepEqual(user.follows, ['acc_tea'])
    t.deepEqual(await engine.user('u_zhangwei'), user)
  })
}

// ---------------------------------------------------------------------------- what PostgreSQL adds

test('PostgreSQL: two processes claiming due messages at once never get the same message', async (t) => {
  const { name, pool } = await demoDatabase()
  const engines = [await openPostgresEngine(pool), await openPostgresEngine(postgres().connect(name))]
  const earlier = (await engines[0]!.transaction((tx) => tx.claimDueMessages(NOW, 1000))).map((m) => m.id)
  await engines[0]!.transaction((tx) => tx.releaseClaims(earlier, NOW))
  const ids = await queueMessages(engines[0]!, 60)
  const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => engines[i % 2]!.transaction((tx) => tx.claimDueMessages(NOW, 7))))
  const all = claims.flat().map((m) => m.id)
  t.is(new Set(all).size, all.length, 'no message claimed twice')
  t.deepEqual([...all].sort(), [...earlier, ...ids].sort(), 'and every one claimed')
  const byId = await Promise.all([engines[0]!, engines[1]!, engines[0]!, engines[1]!].map((engine) => engine.transaction((tx) => tx.claimMessage(ids[0]!, afterAll))))
  t.is(byId.filter((m) => m !== undefined).length, 1, 'one message by id: one claimer')
})
const afterAll = NOW + CLAIM_LEASE + 1

// The embedded engine re-indexes after the transaction, so there a record pruned in it can still be patched (and the patch is lost).
test('PostgreSQL: a record read, then pruned in the same transaction, cannot be updated', async (t) => {
  const { pool } = await demoDatabase()
  const engine = await openPostgresEngine(pool, { keepPool: true })
  const durable = (): Promise<Data> => exportDocument(pool)
    await t.throwsAsync(engine.transaction(async (tx) => {
      await tx.binding('b_zm_tea')
      await tx.prune('bindings', (b) => b.id !== 'b_zm_tea')
      await tx.updateBinding('b_zm_tea', { remindersSent: [1] })
    }), { message: /no bindings record b_zm_tea/ })
    t.truthy((await durable()).bindings.find((b) => b.id === 'b_zm_tea'), 'the refused transaction undone')
})

test('PostgreSQL: a dialog step and lookup hits kept by one process are read by another', async (t) => {
  const { name, pool } = await demoDatabase()
  const mine = await openPostgresEngine(pool)
  const theirs = await openPostgresEngine(postgres().connect(name))
  await mine.setDialog('wxid_a', { step: 'remove.confirm', data: { accountId: 'acc_tea', bindingId: 'b_zw_tea' } }, NOW + MINUTE)
  t.deepEqual(await theirs.dialog('wxid_a'), { step: 'remove.confirm', data: { accountId: 'acc_tea', bindingId: 'b_zw_tea' }, expiresAt: NOW + MINUTE })
  await theirs.clearDialog('wxid_a')
  t.is(await mine.dialog('wxid_a'), undefined)
  const limit = { max: 5, windowMs: 10 * MINUTE }
  const decisions = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? mine : theirs).takeLookupHit('asker', NOW + i, limit)))
  t.is(decisions.filter((d) => d.allowed).length, 5, 'racing lookups from two processes all count')
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? mine : theirs).takeLookup('asker2', NOW + i, limit, { userId: 'u_zhangwei' })))
  t.is(answers.filter((a) => a.decision.allowed).length, 5, 'and so do racing takeLookups')
  t.is(answers.filter((a) => a.holdings.length === 1).length, 5, 'each allowed one with its holdings')
})

test('PostgreSQL: two processes flipping one switch at once end where serial runs would', async (t) => {
  const { name, pool } = await demoDatabase()
  const engines = [await openPostgresEngine(pool), await openPostgresEngine(postgres().connect(name))]
  const before = (await engines[0]!.account('acc_tea'))!.riskAlerts
  const flip = (engine: StoreEngine): Promise<void> => engine.transaction(async (tx) => {
    const was = (await tx.account('acc_tea'))!.riskAlerts
    await pause()
    await new Promise((resolve) => setTimeout(resolve, 2)) // gives the other process every chance to get in
    await tx.updateAccount('acc_tea', { riskAlerts: !was })
    await tx.addHistory({ accountId: 'acc_tea', at: new Date(NOW).toISOString(), action: 'test.flip', detail: String(!was) })
  })
  // Seven flips, from both processes interleaved: an odd number, so the switch ends the other way.
  await Promise.all(Array.from({ length: 7 }, (_, i) => flip(engines[i % 2]!)))
  t.is((await engines[1]!.account('acc_tea'))!.riskAlerts, !before)
  // Each flip saw the one before it: the recorded values alternate.
  const flips = (await engines[0]!.historyOf('acc_tea')).filter((h) => h.action === 'test.flip').map((h) => h.detail)
  t.deepEqual(flips, Array.from({ length: 7 }, (_, i) => String(i % 2 === 0 ? !before : before)))
})

test('PostgreSQL: an invalid write in one process rolls back only its own transaction', async (t) => {
  const { name, pool } = await demoDatabase()
  const mine = await openPostgresEngine(pool)
  const theirs = await openPostgresEngine(postgres().connect(name))
  const results = await Promise.allSettled([
    mine.transaction(async (tx) => {
      await tx.updateUser('u_wutian', { name: '不该留下' })
      await pause()
      // Zhang Wei's mobile number: the database's unique constraint refuses it.
      await tx.updateUser('u_wutian', { phone: '13800138000' })
    }),
    theirs.transaction(async (tx) => {
      await pause()
      await tx.updateUser('u_hexiaodong', { name: '何晓东改' })
    }),
  ])
  t.is(results[0].status, 'rejected')
  const err = (results[0] as PromiseRejectedResult).reason as Error
  t.is(err.name, 'InvalidChange')
  t.regex(err.message, /users_phone_key/, 'names the constraint')
  t.notRegex(err.message, /13800138000/, 'never the value')
  t.notRegex(JSON.stringify(err.cause ?? null), /13800138000/, 'not even in its cause')
  t.is(results[1].status, 'fulfilled')
  t.is((await theirs.user('u_wutian'))!.name, demoWorld(NOW).users.find((u) => u.id === 'u_wutian')!.name)
  t.is((await mine.user('u_hexiaodong'))!.name, '何晓东改')
})

test('PostgreSQL: a read outside a transaction sees only committed state, in this process and another', async (t) => {
  const { name, pool } = await demoDatabase()
  const mine = await openPostgresEngine(pool)
  const theirs = await openPostgresEngine(postgres().connect(name))
  const before = (await mine.account('acc_tea'))!.name
  const written = signal()
  const looked = signal()
  const running = mine.transaction(async (tx) => {
    await tx.updateAccount('acc_tea', { name: '改名中' })
    t.is((await tx.account('acc_tea'))!.name, '改名中', 'the transaction sees its own write')
    written.fire()
    await looked.promise
  })
  await written.promise
  t.is((await mine.account('acc_tea'))!.name, before, 'this process, outside the transaction')
  t.is((await theirs.account('acc_tea'))!.name, before, 'another process')
  looked.fire()
  await running
  t.is((await mine.account('acc_tea'))!.name, '改名中')
  t.is((await theirs.account('acc_tea'))!.name, '改名中')
})

test('PostgreSQL: a transaction that goes on after the database refused a statement is not committed', async (t) => {
  const { pool } = await demoDatabase()
  const engine = await openPostgresEngine(pool)
  await t.throwsAsync(engine.transaction(async (tx) => {
    await tx.updateAccount('acc_tea', { name: '半途' })
    await tx.addBinding({ id: 'b_x', accountId: 'acc_ghost', userId: 'u_wutian', role: 'long', boundAt: new Date(NOW).toISOString() }).catch(() => undefined)
    return 'carried on'
  }), { name: 'InvalidChange', message: /bindings_account_id_fkey/ })
  t.not((await engine.account('acc_tea'))!.name, '半途')
})

test('PostgreSQL: opening an engine migrates an empty database and fills it from the seed once', async (t) => {
  const { name, pool } = await postgres().freshDatabase()
  const [a, b] = await Promise.all([
    openPostgresEngine(pool, { seed: demoWorld(NOW) }),
    openPostgresEngine(postgres().connect(name), { seed: demoWorld(NOW) }),
  ])
  t.is((await a.userByWechatId('ZHANGWEI_OPS'))?.id, 'u_zhangwei')
  t.deepEqual(await b.bindingsOfUser('u_zhaomin'), plain(demoWorld(NOW).bindings.filter((x) => x.userId === 'u_zhaomin')))
  t.deepEqual(await exportDocument(postgres().connect(name)), plain(demoWorld(NOW)))
})

// ------------------------------------------------------------------------------------------ helpers

/** For each read, argument lists that find something and ones that find nothing. */
function argumentsForEveryRead (world: Data): Record<keyof Reads, unknown[][]> {
  const ids = <R extends { id: string }>(records: readonly R[]): string[][] => [...records.map((r) => [r.id]), ['nobody']]
  const accounts = ids(world.accounts)
  const users = ids(world.users)
  const times = [NOW - 40 * 86_400_000, NOW, NOW + 7 * 86_400_000, NOW + 40 * 86_400_000].map((time) => [time])
  const codes = [...world.invitations, ...world.renewals, ...world.approvals, ...world.logins].map((r) => [r.code]).concat([['ZZZZ'], ['ZZZZZ']])
  return {
    account: accounts,
    user: users,
    userByContact: [...world.users.flatMap((u) => (u.contactId ? [[u.contactId]] : [])), ['wxid_nobody']],
    userByWechatId: [...world.users.map((u) => [u.wechatId.toUpperCase()]), ['nobody_here']],
    usersWithPhone: [...world.users.flatMap((u) => (u.phone ? [[u.phone]] : [])), ['13000000000']],
    usersWithIdNumber: [...world.users.flatMap((u) => (u.idNumber ? [[u.idNumber]] : [])), ['110105194912310021']],
    binding: ids(world.bindings),
    bindingsOfUser: users,
    bindingsOfAccount: accounts,
    accountsAdministeredBy: users,
    administers: world.accounts.flatMap((a) => [[a.adminUserId, a.id], ['u_zhaomin', a.id]]),
    approval: ids(world.approvals),
    approvalsOfAccount: accounts,
    renewalsOfAccount: accounts,
    pendingApprovalsOf: accounts,
    pendingRenewalsOf: accounts,
    codeInUse: codes,
    renewalByCode: codes,
    approvalByCode: codes,
    historyOf: accounts,
    invitationsOfUser: users,
    invitationsOfAccount: accounts,
    messagesAbout: [...world.outbox.flatMap((m) => (m.about ? [[m.about]] : [])), ['nothing']],
    shortTermExpiringBy: times,
    pendingInvitationsDueBy: times,
    pendingRenewalsDueBy: times,
    pendingApprovalsDueBy: times,
    login: ids(world.logins),
    loginByCode: codes,
    pendingLoginsOf: users,
    pendingLoginsDueBy: times,
    accountNamed: [...world.accounts.map((a) => [a.name]), ['没有这个号']],
    counts: [[]],
    message: ids(world.outbox),
    deliverable: ids(world.outbox),
    messagesSentBefore: times,
    messagesFailedBefore: times,
    accountsInOrder: [[0, 2], [2, 10], [5, 1], [6, 3], [0, 0]],
    usersInOrder: [[0, 3], [3, 100], [world.users.length - 1, 1], [world.users.length, 3], [0, 0]],
    outboxBacklog: times,
    digestEntriesBefore: times,
    lookupNotice: [...world.lookupNotices.map((n) => [n.askerKey, n.ownerUserId]), ['u_zhaomin', 'u_zhangwei']],
    review: ids(world.reviews),
    reviewsOfAccount: accounts,
    openReviews: [[]],
    accountsToReview: [[]],
    webhook: [[]],
    webhookEvents: [[1], [10]],
    webhookBacklog: times,
  }
}

const at = (days: number): string => new Date(NOW + days * 86_400_000).toISOString()

/** One transaction using every write, returning what each answered and what reads inside saw. */
async function everyWrite (tx: StoreTransaction): Promise<Record<string, unknown>> {
  // Each answer as it was then: the embedded engine answers with its live records, which later writes change.
  const answers: Record<string, unknown> = {}
  await tx.addUser({ id: 'u_new', name: '新人', wechatId: 'New_Person1', phone: '13500135000', accountProtection: false, bankCard: true, follows: ['acc_tea', 'acc_news'] })
  await tx.setUserContact('u_new', 'wxid_new')
  answers.user = plain(await tx.updateUser('u_new', { name: '新名字', phone: undefined, follows: ['acc_news'] }))
  answers.nameSeenInside = plain((await tx.userByContact('wxid_new'))?.name)
  await tx.addBinding({ id: 'b_new', accountId: 'acc_tea', userId: 'u_new', role: 'short', boundAt: at(0), expiresAt: at(30) })
  answers.binding = plain(await tx.updateBinding('b_new', { remindersSent: [3] }))
  answers.due = plain(await tx.shortTermExpiringBy(NOW + 31 * 86_400_000))
  await tx.addInvitation({ id: 'i_new', code: 'TTTT', accountId: 'acc_books', inviteeUserId: 'u_new', invitedBy: 'u_wangfang', role: 'long', createdAt: at(0), expiresAt: at(2), status: 'pending' })
  answers.invitation = plain(await tx.updateInvitation('i_new', { status: 'declined', answeredAt: at(1) }))
  await tx.addRenewal({ id: 'r_new', code: 'UUUU', bindingId: 'b_new', accountId: 'acc_tea', requestedBy: 'u_new', createdAt: at(1), expiresAt: at(3), status: 'pending' })
  answers.pendingRenewals = plain(await tx.pendingRenewalsOf('acc_tea'))
  answers.renewal = plain(await tx.updateRenewal('r_new', { status: 'closed', closedAt: at(2), closedReason: 'unbound' }))
  await tx.addApproval({ id: 'op_new', code: 'VVVV', accountId: 'acc_tea', actorUserId: 'u_wangfang', operation: 'login', createdAt: at(1), expiresAt: at(1.1), status: 'pending' })
  answers.approvalByCode = plain(await tx.approvalByCode('VVVV'))
  answers.approval = plain(await tx.updateApproval('op_new', { status: 'approved', decidedAt: at(1.05), decidedBy: 'u_wangfang' }))
  answers.binding2 = plain(await tx.updateBinding('b_new', { endedAt: at(2), endReason: 'unbound', endedBy: 'u_new', remindersSent: undefined }))
  answers.account = plain(await tx.updateAccount('acc_tea', { name: '茶馆', riskAlerts: false }))
  await tx.addAccount({ id: 'acc_new', name: '新号', adminUserId: 'u_wangfang', riskProtection: false, riskAlerts: true })
  answers.newAdmin = plain(await tx.updateAccount('acc_new', { adminUserId: 'u_new', name: '新号二' }))
  answers.administered = plain([await tx.accountsAdministeredBy('u_wangfang'), await tx.accountsAdministeredBy('u_new'), await tx.accountNamed('新号二'), await tx.accountNamed('新号')])
  answers.lastAccounts = plain(await tx.accountsInOrder(5, 10))
  answers.lastUsers = plain((await tx.usersInOrder(demoWorld(NOW).users.length - 1, 10)).map((u) => `${u.id} ${u.name}`))
  await tx.addHistory({ accountId: 'acc_tea', at: at(2), actorUserId: 'u_new', action: 'binding.unbound', detail: '解绑' })
  await tx.addHistory({ accountId: 'acc_tea', at: at(-1), action: 'binding.expired', detail: '' })
  answers.history = plain(await tx.historyOf('acc_tea'))
  const reminder = plain(await tx.enqueue({ toUserId: 'u_new', text: '提醒', createdAt: at(2), accountId: 'acc_tea', about: 'b_new', topic: 'reminder' }))
  await tx.enqueue({ toUserId: 'u_new', text: '到期', createdAt: at(2), accountId: 'acc_tea', about: 'b_new', topic: 'expiry' })
  const sent = await tx.enqueue({ toUserId: 'u_wangfang', text: '通知', createdAt: at(2), accountId: undefined })
  await tx.updateMessage(sent.id, { sentAt: at(2.1), attempts: 1 })
  await tx.withdraw('b_new', ['reminder'], at(2.2))
  answers.messages = plain(await tx.messagesAbout('b_new'))
  answers.reminder = plain(reminder)
  answers.sentBefore = plain(await tx.messagesSentBefore(NOW + 3 * 86_400_000))
  answers.notYetSent = plain(await tx.messagesSentBefore(NOW + 2.1 * 86_400_000))
  answers.droppedMessages = plain(await tx.dropMessages([sent.id, 'm_nothing']))
  answers.prunedMessages = plain(await tx.pruneMessages((m) => m.withdrawnAt === undefined))
  answers.prunedHistory = plain(await tx.prune('history', (h) => (h as HistoryEntry).action !== 'binding.expired'))
  answers.newId = plain(/^x_[0-9a-f]{12}$/.test(tx.newId('x')))
  return answers
}

/** History and outbox ids are drawn at random by each engine: compared by position instead. */
function withoutRandomIds<T> (value: T): T {
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => (key === 'id' && typeof v === 'string' && /^[hm]_[0-9a-f]{12}$/.test(v) ? '(random)' : v)) as T
}

test('embedded: a transaction that changes nothing writes nothing, yet answers only once what it read is on disk', async (t) => {
  const file = join(await mkdtemp(join(tmpdir(), 'assistant-contract-')), 'assistant.json')
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  t.teardown(() => store.close())
  const engine = store.engine()
  const writes = store.fileWrites
  t.is(await engine.transaction(async (tx) => (await tx.account('acc_tea'))!.name), '晨光茶馆')
  t.is(store.fileWrites, writes, 'no write for a transaction that only read')
  const changing = engine.transaction(async (tx) => { await tx.updateAccount('acc_tea', { riskAlerts: false }) })
  const reading = engine.transaction(async (tx) => (await tx.account('acc_tea'))!.riskAlerts)
  t.false(await reading)
  t.false(JSON.parse(await readFile(file, 'utf8')).accounts.find((a: { id: string }) => a.id === 'acc_tea').riskAlerts, 'the change it read was on disk before it answered')
  await changing
})

test('embedded: closing waits for a transaction under way (its change is written before the lock goes) and refuses one still waiting', async (t) => {
  const file = join(await mkdtemp(join(tmpdir(), 'assistant-contract-')), 'assistant.json')
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  const engine = store.engine()
  let open!: () => void
  const gate = new Promise<void>((resolve) => { open = resolve })
  const underWay = engine.transaction(async (tx) => {
    await gate
    await tx.updateAccount('acc_tea', { riskAlerts: false })
  })
  await new Promise((resolve) => setImmediate(resolve)) // its turn has come: it is under way
  const waiting = t.throwsAsync(engine.transaction(async (tx) => { await tx.updateAccount('acc_tea', { riskProtection: false }) }), { message: /closed/ })
  const closed = store.close()
  open()
  await underWay
  await waiting
  await closed
  const onDisk = JSON.parse(await readFile(file, 'utf8')).accounts.find((a: { id: string }) => a.id === 'acc_tea')
  t.false(onDisk.riskAlerts, 'the transaction under way reached the file')
  t.true(onDisk.riskProtection, 'the waiting one changed nothing')
  t.false(existsSync(`${file}.lock`), 'and only then the lock went')
})

test('embedded: a write never puts half of a transaction on disk, even one that waits between its writes and is then undone', async (t) => {
  const file = join(await mkdtemp(join(tmpdir(), 'assistant-contract-')), 'assistant.json')
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  t.teardown(() => store.close())
  const engine = store.engine()
  const first = engine.transaction(async (tx) => { await tx.updateAccount('acc_books', { riskAlerts: false }) })
  await new Promise((resolve) => setImmediate(resolve))
  let open!: () => void
  const gate = new Promise<void>((resolve) => { open = resolve })
  const second = t.throwsAsync(engine.transaction(async (tx) => {
    await tx.updateAccount('acc_tea', { riskProtection: false })
    await gate // the first one's write would run here if writes did not take turns
    throw new Error('changed its mind')
  }))
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  const midway = JSON.parse(await readFile(file, 'utf8')).accounts.find((a: { id: string }) => a.id === 'acc_tea')
  t.true(midway.riskProtection, 'the unfinished transaction is not on disk')
  open()
  await second
  await first
  const after = JSON.parse(await readFile(file, 'utf8')).accounts
  t.false(after.find((a: { id: string }) => a.id === 'acc_books').riskAlerts, 'the first change was written')
  t.true(after.find((a: { id: string }) => a.id === 'acc_tea').riskProtection, 'the undone one never was')
})
