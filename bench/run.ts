// npm run bench: DESIGN.md §6's targets, each measured side by side in one run on a 100,000-user world.
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WechatyBuilder, log as wechatyLog } from 'wechaty'
import type { Wechaty } from 'wechaty'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { SecurityAssistant } from '../src/mod.js'
import { runExpirySweep } from '../src/jobs/expiry-sweep.js'
import { Store } from '../src/store/store.js'
import { Outbox } from '../src/outbox/outbox.js'
import type { Logger } from '../src/log.js'
import { largeWorld, phoneOf } from './world.js'
import { measureTail } from './tail.js'

wechatyLog.level('silent')
const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined }
const NOW = Date.now()
const SIZE = { users: 100_000, accounts: 5_000, pendingInvitations: 1_000, lapsedBindings: 1_000, now: NOW }
const ROUND_TRIPS = 2_000
const WARM_UP = 500

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const results: Array<{ target: string, measured: string, ok: boolean }> = []
const report = (target: string, measured: string, ok: boolean): void => {
  results.push({ target, measured, ok })
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${target}\n      ${measured}`)
}

const dir = await mkdtemp(join(tmpdir(), 'assistant-bench-'))
const master = join(dir, 'world.json')
await writeFile(master, JSON.stringify(largeWorld(SIZE)))
const fresh = async (name: string): Promise<string> => {
  const file = join(dir, `${name}.json`)
  await copyFile(master, file)
  return file
}
console.log(`World: ${SIZE.users} users, ${SIZE.users - SIZE.accounts} bindings, ${SIZE.accounts} accounts; ${((await readFile(master)).length / 1e6).toFixed(1)} MB\n`)

// ── Start-up: opening the store (read, validate, index) against a bare JSON.parse of the same file ──
{
  const parses: number[] = []
  const opens: number[] = []
  const file = await fresh('startup')
  for (let i = 0; i < 3; i++) {
    let started = performance.now()
    JSON.parse(await readFile(file, 'utf8'))
    parses.push(performance.now() - started)
    started = performance.now()
    const store = await Store.open({ file, now: NOW })
    opens.push(performance.now() - started)
    await store.close()
  }
  const ratio = median(opens) / median(parses)
  report('start-up ≤ 3× JSON.parse of the file', `open ${median(opens).toFixed(0)} ms vs parse ${median(parses).toFixed(0)} ms: ${ratio.toFixed(2)}×`, ratio <= 3)
}

// ── Expiry sweep: one file write, plus the notices it queues ──
{
  const store = await Store.open({ file: await fresh('sweep'), now: NOW })
  const before = store.fileWrites
  const started = performance.now()
  const swept = await runExpirySweep({ engine: store.engine(), now: () => NOW, deliver: () => undefined, deliverNow: () => Promise.reject(new Error('unused')), log: silent }, NOW)
  const took = performance.now() - started
  const writes = store.fileWrites - before
  const queued = store.unsentMessages().length
  report('an expiry sweep costs at most one file write plus the notices it queues',
    `${swept.bindings} bindings expired in ${took.toFixed(0)} ms: ${writes} file write, ${queued} notices queued`, writes === 1 && queued === 2 * swept.bindings)

  // Delivering those notices: sends one after another, their "sent" marks sharing writes.
  const outbox = new Outbox(store.engine(), async () => undefined, () => NOW, silent, { rate: { perMinute: 1e9, burst: queued }, maxAttempts: 8 })
  const beforeDelivery = store.fileWrites
  const deliveryStarted = performance.now()
  outbox.setOnline(true)
  await outbox.idle()
  const deliveryWrites = store.fileWrites - beforeDelivery
  report('delivering the sweep\'s notices marks them sent with far fewer writes than messages',
    `${queued - store.unsentMessages().length} notices delivered in ${(performance.now() - deliveryStarted).toFixed(0)} ms with ${deliveryWrites} file writes`,
    store.unsentMessages().length === 0 && deliveryWrites * 10 <= queued)
  await store.close()
}

// ── 绑定查询 round trip through the whole bot against a bare echo bot, on the same mock puppet ──
interface Harness { bot: Wechaty, mocker: mock.Mocker, self: ReturnType<mock.Mocker['createContact']> }

async function harness (install: (bot: Wechaty) => void): Promise<Harness> {
  const mocker = new mock.Mocker()
  const bot = WechatyBuilder.build({ puppet: new PuppetMock({ mocker }) })
  bot.on('error', () => undefined)
  install(bot)
  await bot.start()
  return { bot, mocker, self: mocker.createContact({ name: '助手' }) }
}

async function login (h: Harness): Promise<void> {
  const loggedIn = new Promise((resolve) => h.bot.once('login', resolve))
  h.mocker.login(h.self)
  await loggedIn
}

/** Sends `text` as `contact` and resolves with the milliseconds until the bot's reply arrives. */
function roundTrip (h: Harness, contact: ReturnType<mock.Mocker['createContact']>, text: string): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now()
    const onMessage = (message: { payload: { talkerId: string } }): void => {
      if (message.payload.talkerId !== h.self.id) return
      contact.off('message', onMessage)
      resolve(performance.now() - started)
    }
    contact.on('message', onMessage)
    contact.say(text).to(h.self)
  })
}

const echo = await harness((bot) => bot.on('message', async (message) => {
  if (!message.self()) await message.say(message.text())
}))
await login(echo)
const plugin = SecurityAssistant({ dataFile: await fresh('bot'), clock: () => NOW, schedules: false, log: silent })
const assistant = await harness((bot) => bot.use(plugin))
const running = await plugin.ready()
const people = Array.from({ length: ROUND_TRIPS + WARM_UP }, (_, k) => SIZE.accounts + 2_000 + k)
const askers = new Map(people.map((i) => [i, assistant.mocker.createContact({ id: `c${i}`, name: `用户${i}`, handle: `user_${i}` })]))
const echoer = echo.mocker.createContact({ name: '回声' })
await login(assistant)
{
  const echoTimes: number[] = []
  const lookupTimes: number[] = []
  for (const [n, i] of people.entries()) {
    // Alternate, so both bots see the same machine conditions; the first ones of each warm up.
    const e = await roundTrip(echo, echoer, `你好 ${n}`)
    const l = await roundTrip(assistant, askers.get(i)!, `绑定查询 ${phoneOf(i)}`)
    if (n >= WARM_UP) {
      echoTimes.push(e)
      lookupTimes.push(l)
    }
  }
  const ratio = median(lookupTimes) / median(echoTimes)
  report('a 绑定查询 round trip with 100,000 users ≤ 1.5× a bare echo bot',
    `median ${(median(lookupTimes) * 1000).toFixed(0)} µs vs echo ${(median(echoTimes) * 1000).toFixed(0)} µs over ${lookupTimes.length} round trips: ${ratio.toFixed(2)}×`, ratio <= 1.5)
}

// ── A burst of 1,000 acceptances: group commit, each reply after its write ──
{
  const invitees = Array.from({ length: SIZE.pendingInvitations }, (_, k) => SIZE.accounts + k)
  const contacts = invitees.map((i) => assistant.mocker.createContact({ id: `c${i}`, name: `用户${i}`, handle: `user_${i}` }))
  const before = running.store!.fileWrites
  let repliedBeforeWrite = 0
  const started = performance.now()
  await Promise.all(contacts.map((contact, k) => new Promise<void>((resolve) => {
    const bindingsBefore = running.store!.bindingsOfUser(`u${invitees[k]}`).length
    const writesAtSend = running.store!.fileWrites
    contact.on('message', (message) => {
      if (message.payload.talkerId !== assistant.self.id) return
      // The reply may only come once a write that started after the change has finished.
      if (running.store!.bindingsOfUser(`u${invitees[k]}`).length === bindingsBefore || running.store!.fileWrites <= writesAtSend) repliedBeforeWrite++
      resolve()
    })
    contact.say('同意').to(assistant.self)
  })))
  const took = performance.now() - started
  const writes = running.store!.fileWrites - before
  report('a burst of 1,000 acceptances is persisted with far fewer writes than changes, each reply after its write',
    `${contacts.length} acceptances in ${took.toFixed(0)} ms with ${writes} file writes (${(contacts.length / writes).toFixed(0)} changes a write); replies before their write: ${repliedBeforeWrite}`,
    writes * 10 <= contacts.length && repliedBeforeWrite === 0)
}

await echo.bot.stop()
await assistant.bot.stop()
await plugin.close()

// ── Issue 9's figures for the embedded engine: the tail under a steady stream of changes ──
const ms = (x: number): string => x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(1)} ms`
for (const users of [10_000, 100_000]) {
  const f = await measureTail(dir, users, NOW)
  console.log(`\nEmbedded, ${users.toLocaleString('en')} users (lookups spread over 5,000 people; default settings):`)
  console.log(`  idle: lookup p50 ${ms(f.idle.p50)}, p99 ${ms(f.idle.p99)}, max ${ms(f.idle.max)} (${f.idle.count}); fair echo p50 ${ms(f.echoMedian)}`)
  for (const c of f.underChanges) {
    console.log(`  ${String(c.perSecond).padStart(2)} changes/s: lookup p50 ${ms(c.lookups.p50)}, p99 ${ms(c.lookups.p99)}, max ${ms(c.lookups.max)} (${c.lookups.count}); ack p50 ${ms(c.ackP50)}, p99 ${ms(c.ackP99)}; longest loop block ${ms(c.longestBlockMs)}`)
  }
  console.log(`  sustained ${f.sustainedPerSecond.toFixed(1)} acknowledged changes/s; first contact's reply ${ms(f.firstContactMs)}; RSS ${f.rssMb.toFixed(0)} MB; 2,000 notices at the default outbox policy: ${f.outboxWrites} file writes`)
  if (users === 10_000) {
    const underFive = f.underChanges.find((c) => c.perSecond === 5)!
    const tail = underFive.lookups.p99 / f.idle.p99
    report('embedded, 10,000 users: lookup p99 under 5 changes/s ≤ 3× the idle p99', `${ms(underFive.lookups.p99)} vs ${ms(f.idle.p99)}: ${tail.toFixed(2)}×`, tail <= 3)
    const median = f.idle.p50 / f.echoMedian
    report('embedded, 10,000 users: median lookup ≤ 1.4× the fair echo', `${ms(f.idle.p50)} vs ${ms(f.echoMedian)}: ${median.toFixed(2)}×`, median <= 1.4)
  }
}

const failed = results.filter((r) => !r.ok).length
console.log(`\n${results.length - failed} of ${results.length} targets met.`)
process.exitCode = failed === 0 ? 0 : 1
