// DESIGN.md §6's first targets on the embedded engine, each measured side by side in one run on a
// 100,000-user world: start-up against a bare JSON.parse, an expiry sweep and the delivery of its
// notices, a 绑定查询 round trip against a bare echo bot, and a burst of 1,000 acceptances.
import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { WechatyBuilder } from 'wechaty'
import type { Wechaty } from 'wechaty'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { SecurityAssistant } from '../src/mod.js'
import { runExpirySweep } from '../src/jobs/expiry-sweep.js'
import { Store } from '../src/store/store.js'
import { Outbox } from '../src/outbox/outbox.js'
import { largeWorld, phoneOf } from './world.js'
import { median, report } from './report.js'
import { settle, silent } from './tail.js'

const ROUND_TRIPS = 2_000
const WARM_UP = 500

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

export async function measureDesignTargets (dir: string, now: number): Promise<void> {
  const size = { users: 100_000, accounts: 5_000, pendingInvitations: 1_000, lapsedBindings: 1_000, now }
  const master = join(dir, 'world.json')
  await writeFile(master, JSON.stringify(largeWorld(size)))
  const fresh = async (name: string): Promise<string> => {
    const file = join(dir, `${name}.json`)
    await copyFile(master, file)
    return file
  }
  console.log(`World: ${size.users} users, ${size.users - size.accounts} bindings, ${size.accounts} accounts; ${((await readFile(master)).length / 1e6).toFixed(1)} MB\n`)

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
      const store = await Store.open({ file, now: now })
      opens.push(performance.now() - started)
      await store.close()
    }
    const ratio = median(opens) / median(parses)
    report('start-up ≤ 3× JSON.parse of the file', `open ${median(opens).toFixed(0)} ms vs parse ${median(parses).toFixed(0)} ms: ${ratio.toFixed(2)}×`, ratio <= 3)
  }

  // ── Expiry sweep: one file write, plus the notices it queues ──
  {
    const store = await Store.open({ file: await fresh('sweep'), now: now })
    const before = store.fileWrites
    const started = performance.now()
    const swept = await runExpirySweep({ engine: store.engine(), now: () => now, deliver: () => undefined, deliverNow: () => Promise.reject(new Error('unused')), log: silent }, now)
    const took = performance.now() - started
    const writes = store.fileWrites - before
    const queued = store.unsentMessages().length
    report('an expiry sweep costs at most one file write plus the notices it queues',
      `${swept.bindings} bindings expired in ${took.toFixed(0)} ms: ${writes} file write, ${queued} notices queued`, writes === 1 && queued === 2 * swept.bindings)

    // Delivering those notices: sends one after another, their "sent" marks sharing writes.
    const outbox = new Outbox(store.engine(), async () => undefined, () => now, silent, { rate: { perMinute: 1e9, burst: queued }, maxAttempts: 8 })
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
  // The fair echo, as issue 9 defines it: the same contacts, a reply as long as the lookup's.
  let replyLength = 0
  const echo = await harness((bot) => bot.on('message', async (message) => {
    if (!message.self()) await message.say('回'.repeat(replyLength))
  }))
  await login(echo)
  const plugin = SecurityAssistant({ dataFile: await fresh('bot'), clock: () => now, schedules: false, log: silent })
  const assistant = await harness((bot) => bot.use(plugin))
  const running = await plugin.ready()
  const people = Array.from({ length: ROUND_TRIPS + WARM_UP }, (_, k) => size.accounts + 2_000 + k)
  const askers = new Map(people.map((i) => [i, assistant.mocker.createContact({ id: `c${i}`, name: `用户${i}`, handle: `user_${i}` })]))
  const echoers = new Map(people.map((i) => [i, echo.mocker.createContact({ id: `c${i}`, name: `用户${i}`, handle: `user_${i}` })]))
  await login(assistant)
  replyLength = await new Promise<number>((resolve) => {
    const asker = askers.get(people[0]!)!
    asker.on('message', (m) => { if (m.payload.talkerId === assistant.self.id) resolve((m.payload.text ?? '').length) })
    asker.say(`绑定查询 ${phoneOf(people[0]!)}`).to(assistant.self)
  })
  {
    const echoTimes: number[] = []
    const lookupTimes: number[] = []
    for (const [n, i] of people.entries()) {
      // Alternate, so both bots see the same machine conditions; the first ones of each warm up.
      const e = await roundTrip(echo, echoers.get(i)!, `绑定查询 ${phoneOf(i)}`)
      await settle()
      const l = await roundTrip(assistant, askers.get(i)!, `绑定查询 ${phoneOf(i)}`)
      await settle()
      if (n >= WARM_UP) {
        echoTimes.push(e)
        lookupTimes.push(l)
      }
    }
    const ratio = median(lookupTimes) / median(echoTimes)
    report('a 绑定查询 round trip with 100,000 users ≤ 1.5× a bare echo bot (the fair echo)',
      `median ${(median(lookupTimes) * 1000).toFixed(0)} µs vs echo ${(median(echoTimes) * 1000).toFixed(0)} µs over ${lookupTimes.length} round trips: ${ratio.toFixed(2)}×`, ratio <= 1.5)
  }

  // ── A burst of 1,000 acceptances: group commit, each reply after its write ──
  {
    const invitees = Array.from({ length: size.pendingInvitations }, (_, k) => size.accounts + k)
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
}
