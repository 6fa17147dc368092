// What a user meets while the state changes (issue 9's benchmark, embedded engine): 绑定查询 latency at
// the median and the tail on an idle bot and under a steady stream of changes, the longest event-loop
// block, how long a change waits for its durable acknowledgement, changes a second, a new contact's
// first reply, memory, and the writes the default outbox policy needs for 2,000 notices.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { copyFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { WechatyBuilder } from 'wechaty'
import type { Wechaty } from 'wechaty'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { SecurityAssistant } from '../src/mod.js'
import { Outbox, DEFAULT_OUTBOX_POLICY } from '../src/outbox/outbox.js'
import { Store } from '../src/store/store.js'
import type { Logger } from '../src/log.js'
import { largeWorld, phoneOf } from './world.js'

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined }
type Contact = ReturnType<mock.Mocker['createContact']>

export interface TailFigures {
  users: number
  idle: Latencies
  underChanges: Array<{ perSecond: number, lookups: Latencies, ackP50: number, ackP99: number, longestBlockMs: number }>
  echoMedian: number
  sustainedPerSecond: number
  firstContactMs: number
  rssMb: number
  outboxWrites: number
}

export interface Latencies { p50: number, p99: number, max: number, count: number }

const quantile = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}
const latencies = (xs: number[]): Latencies => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: Math.max(...xs), count: xs.length })
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function harness (install: (bot: Wechaty) => void): Promise<{ bot: Wechaty, mocker: mock.Mocker, self: Contact }> {
  const mocker = new mock.Mocker()
  const bot = WechatyBuilder.build({ puppet: new PuppetMock({ mocker }) })
  bot.on('error', () => undefined)
  install(bot)
  await bot.start()
  const self = mocker.createContact({ name: '助手' })
  const loggedIn = new Promise((resolve) => bot.once('login', resolve))
  mocker.login(self)
  await loggedIn
  return { bot, mocker, self }
}

/** Milliseconds from `intendedAt` (default: now) until the reply: a send delayed by a blocked loop counts. */
function roundTrip (self: Contact, contact: Contact, text: string, intendedAt?: number): Promise<number> {
  return new Promise((resolve) => {
    const started = intendedAt ?? performance.now()
    const onMessage = (message: { payload: { talkerId: string } }): void => {
      if (message.payload.talkerId !== self.id) return
      contact.off('message', onMessage)
      resolve(performance.now() - started)
    }
    contact.on('message', onMessage)
    contact.say(text).to(self)
  })
}

export async function measureTail (dir: string, users: number, now: number): Promise<TailFigures> {
  const size = { users, accounts: Math.max(50, users / 20), pendingInvitations: 0, lapsedBindings: 0, now }
  const file = join(dir, `tail-${users}.json`)
  await writeFile(file, JSON.stringify(largeWorld(size)))
  const outboxFile = join(dir, `tail-${users}-outbox.json`)
  await copyFile(file, outboxFile)

  // Default settings, rate limit included: lookups spread over enough people to stay under it.
  const plugin = SecurityAssistant({ dataFile: file, clock: () => now, schedules: false, log: silent })
  const bot = await harness((b) => b.use(plugin))
  const running = await plugin.ready()
  // The fair echo: the same contacts, answered with a reply as long as the lookup's.
  let replyLength = 0
  const echo = await harness((b) => b.on('message', async (message) => {
    if (!message.self()) await message.say('回'.repeat(replyLength))
  }))
  const askerIds = Array.from({ length: Math.min(5_000, users - size.accounts - 1_000) }, (_, k) => size.accounts + k)
  const askers = askerIds.map((i) => bot.mocker.createContact({ id: `c${i}`, name: `用户${i}`, handle: `user_${i}` }))
  const echoers = askerIds.map((i) => echo.mocker.createContact({ id: `c${i}`, name: `用户${i}`, handle: `user_${i}` }))
  const sample = await new Promise<string>((resolve) => {
    askers[0]!.on('message', (m) => { if (m.payload.talkerId === bot.self.id) resolve(m.payload.text ?? '') })
    askers[0]!.say(`绑定查询 ${phoneOf(askerIds[0]!)}`).to(bot.self)
  })
  replyLength = sample.length

  let asked = 1
  const lookup = (intendedAt?: number): Promise<number> => {
    const k = asked++ % askers.length
    return roundTrip(bot.self, askers[k]!, `绑定查询 ${phoneOf(askerIds[k]!)}`, intendedAt)
  }
  /**
   * A lookup due every 2 ms for `ms`, each timed from when it was due, not from when it could be sent:
   * the sender shares the event loop, so a write that blocks it would otherwise hide its own cost.
   */
  const lookupsFor = async (ms: number): Promise<number[]> => {
    const times: number[] = []
    const start = performance.now()
    for (let due = start; due < start + ms; due += 2) {
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      times.push(await lookup(Math.min(due, performance.now()))) // a timer may wake a little early
    }
    return times
  }

  // Idle, alternating with the echo so both see the same machine.
  const idle: number[] = []
  const echoes: number[] = []
  for (let k = 0; k < 600; k++) {
    echoes.push(await roundTrip(echo.self, echoers[k % echoers.length]!, `绑定查询 ${phoneOf(askerIds[k % echoers.length]!)}`))
    idle.push(await lookup())
  }

  // A steady stream of changes (the platform toggling someone's bank card) while people look up.
  const changers = Array.from({ length: 50 }, (_, k) => `user_${size.accounts + 500 + k}`)
  const underChanges: TailFigures['underChanges'] = []
  for (const perSecond of [1, 5, 20]) {
    const acks: number[] = []
    const pending: Array<Promise<void>> = []
    let n = 0
    const timer = setInterval(() => {
      const started = performance.now()
      pending.push(running.platform.people.update(changers[n % changers.length]!, { bankCard: n % 2 === 0 }).then(() => { acks.push(performance.now() - started) }))
      n++
    }, 1000 / perSecond)
    const delay = monitorEventLoopDelay({ resolution: 5 })
    delay.enable()
    const times = await lookupsFor(4_000)
    clearInterval(timer)
    await Promise.all(pending)
    delay.disable()
    underChanges.push({ perSecond, lookups: latencies(times), ackP50: quantile(acks, 0.5), ackP99: quantile(acks, 0.99), longestBlockMs: delay.max / 1e6 })
  }

  // As many changes a second as the store acknowledges, 50 in flight.
  let acknowledged = 0
  const until = performance.now() + 3_000
  await Promise.all(Array.from({ length: 50 }, async (_, w) => {
    for (let n = 0; performance.now() < until; n++) {
      await running.platform.people.update(changers[w]!, { bankCard: n % 2 === 0 })
      acknowledged++
    }
  }))
  const sustainedPerSecond = acknowledged / 3

  // A contact the assistant has never seen: its user is linked (a change) before the reply.
  const newcomer = bot.mocker.createContact({ id: 'first-contact', name: '新人', handle: `user_${size.accounts + 900}` })
  const firstContactMs = await roundTrip(bot.self, newcomer, '帮助')
  const rssMb = process.memoryUsage().rss / 1e6

  await echo.bot.stop()
  await bot.bot.stop()
  await plugin.close()
  await sleep(10)

  // The default outbox policy, 2,000 notices, time moved on by the policy's own pace.
  const outboxStore = await Store.open({ file: outboxFile, now })
  await outboxStore.change((tx) => {
    for (let k = 0; k < 2_000; k++) tx.enqueue({ toUserId: `u${size.accounts + (k % 1000)}`, text: `通知 ${k}`, createdAt: new Date(now).toISOString(), accountId: undefined })
  })
  let clock = now
  const outbox = new Outbox(outboxStore.engine(), async () => undefined, () => clock, silent, DEFAULT_OUTBOX_POLICY)
  const before = outboxStore.fileWrites
  outbox.setOnline(true)
  while (outboxStore.unsentMessages().length > 0) {
    await outbox.deliverDue()
    await outbox.idle()
    clock += 10_000 // the outbox job's schedule
  }
  const outboxWrites = outboxStore.fileWrites - before
  await outboxStore.close()

  return { users, idle: latencies(idle), underChanges, echoMedian: quantile(echoes, 0.5), sustainedPerSecond, firstContactMs, rssMb, outboxWrites }
}
