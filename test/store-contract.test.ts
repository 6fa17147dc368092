// The store contract's transactions on the embedded engine: reads and writes of one transaction happen
// with nothing in between, a failure undoes all of it, and the answer comes once it is on disk.
import test from 'ava'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { READS } from '../src/store/contract.js'
import { Store } from '../src/store/store.js'

const NOW = Date.parse('2026-11-21T02:00:00Z')
const SEED_FILE = new URL('../data/seed.json', import.meta.url).pathname

async function demoStore (t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ store: Store, file: string }> {
  const file = join(await mkdtemp(join(tmpdir(), 'assistant-contract-')), 'assistant.json')
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  t.teardown(() => store.close())
  return { store, file }
}

const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('transactions that read, wait and then write take turns: two flips of one switch cancel out', async (t) => {
  const { store } = await demoStore(t)
  const engine = store.engine()
  const before = (await engine.account('acc_tea'))!.riskAlerts
  const flip = (): Promise<void> => engine.transaction(async (tx) => {
    const was = (await tx.account('acc_tea'))!.riskAlerts
    await pause() // another transaction would get in here if they did not take turns
    await tx.updateAccount('acc_tea', { riskAlerts: !was })
  })
  await Promise.all([flip(), flip()])
  t.is((await engine.account('acc_tea'))!.riskAlerts, before)
})

test('a transaction that throws after writing, or writes something invalid, leaves nothing behind', async (t) => {
  const { store, file } = await demoStore(t)
  const engine = store.engine()
  const onDisk = await readFile(file, 'utf8')
  await t.throwsAsync(engine.transaction(async (tx) => {
    await tx.updateAccount('acc_tea', { riskAlerts: false })
    await pause()
    throw new Error('changed its mind')
  }), { message: 'changed its mind' })
  await t.throwsAsync(engine.transaction(async (tx) => {
    await tx.updateAccount('acc_tea', { riskProtection: 'toString' as unknown as boolean })
  }), { name: 'InvalidChange' })
  t.is(JSON.stringify((await engine.account('acc_tea'))), JSON.stringify(JSON.parse(onDisk).accounts.find((a: { id: string }) => a.id === 'acc_tea')))
  t.is(await readFile(file, 'utf8'), onDisk, 'nothing was written')
  await engine.transaction(async (tx) => { await tx.updateAccount('acc_tea', { riskAlerts: false }) })
  t.false((await engine.account('acc_tea'))!.riskAlerts, 'the next transaction goes through')
})

test('a transaction resolves once its change is on disk, and many at once share few writes', async (t) => {
  const { store, file } = await demoStore(t)
  const engine = store.engine()
  const writesBefore = store.fileWrites
  await Promise.all(Array.from({ length: 50 }, (_, i) => engine.transaction(async (tx) => {
    await tx.updateUser('u_wutian', { name: `吴天${i}` })
  })))
  t.is(JSON.parse(await readFile(file, 'utf8')).users.find((u: { id: string }) => u.id === 'u_wutian').name, '吴天49')
  t.true(store.fileWrites - writesBefore <= 5, `${store.fileWrites - writesBefore} writes for 50 transactions`)
})

test('the engine offers every read of the contract, answering what the store holds', async (t) => {
  const { store } = await demoStore(t)
  const engine = store.engine()
  for (const name of READS) t.is(typeof engine[name], 'function', name)
  t.is((await engine.userByWechatId('ZHANGWEI_OPS'))?.id, 'u_zhangwei')
  t.is((await engine.bindingsOfUser('u_zhaomin')).length, store.bindingsOfUser('u_zhaomin').length)
})
