// The plugin's own start and stop: a bad option never leaves the data file locked, and closing during
// start-up leaves nothing attached to the bot.
import test from 'ava'
import type { EventEmitter } from 'node:events'
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WechatyBuilder } from 'wechaty'
import { mock, PuppetMock } from 'wechaty-puppet-mock'
import { SecurityAssistant } from '../src/mod.js'
import type { SecurityAssistantOptions } from '../src/mod.js'
import { SEED_FILE } from './fixture.js'

async function bareBot (t: { teardown: (fn: () => Promise<void>) => void }, options: Partial<SecurityAssistantOptions>) {
  const dir = await mkdtemp(join(tmpdir(), 'assistant-plugin-'))
  const dataFile = join(dir, 'assistant.json')
  const bot = WechatyBuilder.build({ puppet: new PuppetMock({ mocker: new mock.Mocker() }) })
  bot.on('error', () => undefined)
  const plugin = SecurityAssistant({ dataFile, seedFile: SEED_FILE, schedules: false, ...options })
  t.teardown(async () => { await bot.stop(); await plugin.close() })
  return { dir, dataFile, bot, plugin }
}

test('an invalid schedule is refused before the data file is opened: no file, no lock', async (t) => {
  const { dir, bot, plugin } = await bareBot(t, { schedules: { outbox: 'every ten seconds' } })
  bot.use(plugin)
  await bot.start()
  await t.throwsAsync(plugin.ready(), { message: /The schedule of job outbox is not a valid cron expression: "every ten seconds"/ })
  t.deepEqual(await readdir(dir), [], 'the data file was never created or locked')
})

test('a nonsensical number among the options is refused before the data file is opened', async (t) => {
  const { dir, bot, plugin } = await bareBot(t, { invitationTtl: Number.NaN, lookupLimit: { max: 0, windowMs: 60_000 } })
  bot.use(plugin)
  await bot.start()
  await t.throwsAsync(plugin.ready(), { message: /invalid options \(lookupLimit\.max: .*; invitationTtl: / })
  t.deepEqual(await readdir(dir), [])
})

test('spans too long for any date (a lookup window of 1e16 ms, retention of MAX_SAFE_INTEGER) are refused at start, not met later as an apology at every limited lookup and dates the engines cannot hold', async (t) => {
  const { dir, bot, plugin } = await bareBot(t, { lookupLimit: { max: 10, windowMs: 1e16 }, retention: Number.MAX_SAFE_INTEGER })
  bot.use(plugin)
  await bot.start()
  await t.throwsAsync(plugin.ready(), { message: /invalid options \(lookupLimit\.windowMs: at most a year; retention: at most 100 years\)/ })
  t.deepEqual(await readdir(dir), [])
})

test('close() while start-up is still running: nothing stays attached to the bot and the data file is released', async (t) => {
  const { dir, bot, plugin } = await bareBot(t, {})
  const listeners = (event: string): number => (bot as unknown as EventEmitter).listenerCount(event)
  const before = listeners('message')
  bot.use(plugin)
  const closed = plugin.close()
  await bot.start()
  await closed
  await t.throwsAsync(plugin.ready(), { message: /closed before start-up finished/ })
  t.is(listeners('message'), before)
  t.is(listeners('friendship'), 0)
  t.false((await readdir(dir)).some((name) => name.endsWith('.lock')), 'the lock is gone')
})
