// A real puppet that cannot reach its server: reported once with what to check, then retried quietly.
// A stand-in bot and puppet play the two kinds seen in the field (wechat4u keeps retrying by itself; a
// puppet-service client gives up); test/puppet-service.test.ts does it with a real gRPC client.
import test from 'ava'
import { EventEmitter } from 'node:events'
import { createLogger } from '../src/log.js'
import { isUnreachable, watchPuppet, whatToCheck } from '../src/puppet-watch.js'

const CEILING = 30_000

class StandInPuppet {
  starts = 0
  stops = 0
  /** wechaty-puppet's service state: inactive() is true once the puppet has stopped. */
  running = true
  readonly state = { inactive: () => !this.running }
  constructor (private readonly bot: StandInBot, private readonly onStart: (bot: StandInBot) => void) {}
  async start (): Promise<void> {
    this.starts += 1
    this.running = true
    this.onStart(this.bot)
  }

  async stop (): Promise<void> {
    this.stops += 1
    this.running = false
  }
}

type StandInBot = EventEmitter & { puppet: StandInPuppet }

function standInBot (onStart: (bot: StandInBot) => void = () => undefined): StandInBot {
  const bot = new EventEmitter() as StandInBot
  bot.puppet = new StandInPuppet(bot, onStart)
  return bot
}

function capturedLog () {
  const lines: string[] = []
  return { lines, log: createLogger({ level: 'debug', write: (line) => lines.push(line.slice(25)) }) }
}

async function until (condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + CEILING
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const offline = new Error('getaddrinfo ENOTFOUND login.wx.qq.com')

test('a puppet that keeps retrying by itself: one report with what to check, its hundreds of failures quiet, and no meddling', async (t) => {
  const bot = standInBot()
  const { log, lines } = capturedLog()
  const watch = watchPuppet(bot, { log, puppetName: 'wechaty-puppet-wechat4u', backoff: { firstMs: 5, maxMs: 20 } })
  t.teardown(watch.stop)
  for (let i = 0; i < 300; i++) bot.emit('error', offline)
  await until(() => lines.some((line) => line.startsWith('DEBUG') && line.includes('300 failed tries')), 'a quiet summary')
  bot.emit('error', offline)
  await until(() => lines.some((line) => line.includes('1 failed tries')), 'a later summary')

  const loud = lines.filter((line) => !line.startsWith('DEBUG'))
  t.is(loud.length, 1, lines.join('\n'))
  t.true(loud[0]!.startsWith('ERROR wechaty-puppet-wechat4u cannot reach its server (getaddrinfo ENOTFOUND login.wx.qq.com). Check that this machine has a network connection'), loud[0])
  t.true(loud[0]!.includes('Retrying quietly'), loud[0])
  t.is(bot.puppet.stops + bot.puppet.starts, 0, 'a running puppet that retries by itself is left alone')
  t.true(watch.outage(), 'an outage, for the runner to quiet wechaty\'s own lines')

  bot.emit('scan', 'qr')
  t.false(watch.outage())
  t.is(lines.at(-1), 'INFO  wechaty-puppet-wechat4u reached its server again')
  bot.emit('error', offline)
  t.is(lines.filter((line) => line.startsWith('ERROR')).length, 2, 'a new outage after a recovery is news again')
})

test('a puppet that gives up is started again, waiting longer each time, until it reaches its server', async (t) => {
  let tries = 0
  // Fails (and stops itself) on its first three starts, then reaches its server and shows a QR code.
  const bot = standInBot((self) => {
    tries += 1
    if (tries <= 3) {
      self.puppet.running = false
      self.emit('error', new Error('14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:8788'))
    }
  })
  const { log, lines } = capturedLog()
  const watch = watchPuppet(bot, { log, puppetName: 'wechaty-puppet-service', backoff: { firstMs: 5, maxMs: 40 }, settings: 'WECHATY_PUPPET_SERVICE_ENDPOINT=127.0.0.1:8788' })
  t.teardown(watch.stop)
  await bot.puppet.start()
  await until(() => lines.some((line) => line.includes('reached its server again')), 'the recovery')
  t.is(bot.puppet.starts, 4)
  t.is(lines.filter((line) => line.startsWith('ERROR')).length, 1, lines.join('\n'))
  t.true(lines[0]!.includes('WECHATY_PUPPET_SERVICE_ENDPOINT (host:port of the service'), lines[0])
  t.true(lines[0]!.includes('(now: WECHATY_PUPPET_SERVICE_ENDPOINT=127.0.0.1:8788)'), lines[0])
  t.is(lines.at(-1), 'INFO  wechaty-puppet-service reached its server again (after 3 restarts)')
})

test('a running puppet gone quiet after losing its server is stopped and started again', async (t) => {
  const bot = standInBot()
  const { log, lines } = capturedLog()
  const watch = watchPuppet(bot, { log, puppetName: 'wechaty-puppet-service', backoff: { firstMs: 5, maxMs: 20 }, quietBeforeRestartMs: 30 })
  t.teardown(watch.stop)
  bot.emit('error', new Error('1 CANCELLED: Call cancelled'))
  await until(() => lines.some((line) => line.includes('reached its server again')), 'the recovery')
  t.is(bot.puppet.stops, 1)
  t.is(bot.puppet.starts, 1)
  t.true(lines.some((line) => line === 'DEBUG wechaty-puppet-service went quiet: starting it again (restart 1)'), lines.join('\n'))
})

test('other errors are logged once each; repeats within the quiet time, and anything while stopping, at debug level', (t) => {
  const bot = standInBot()
  const { log, lines } = capturedLog()
  const watch = watchPuppet(bot, { log, puppetName: 'wechaty-puppet-wechat4u' })
  bot.emit('error', new Error('no id'))
  bot.emit('error', new Error('no id'))
  bot.emit('error', new Error('something else'))
  watch.stop()
  t.notThrows(() => bot.emit('error', new Error('1 CANCELLED: Call cancelled')), 'a bot being stopped still has an error listener')
  t.deepEqual(lines, [
    'WARN  wechaty-puppet-wechat4u: no id',
    'DEBUG wechaty-puppet-wechat4u (again): no id',
    'WARN  wechaty-puppet-wechat4u: something else',
    'DEBUG wechaty-puppet-wechat4u while stopping: 1 CANCELLED: Call cancelled',
  ])
})

test('which errors mean the server is out of reach', (t) => {
  for (const message of ['getaddrinfo ENOTFOUND login.wx.qq.com', 'getaddrinfo EAI_AGAIN api.chatie.io', 'connect ECONNREFUSED 127.0.0.1:8788',
    'read ECONNRESET', 'connect ETIMEDOUT 1.2.3.4:443', '14 UNAVAILABLE: No connection established', '1 CANCELLED: Call cancelled', '重启时网络错误，60s后进行最后一次重启']) {
    t.true(isUnreachable(new Error(message)), message)
  }
  for (const message of ['no id', 'WatchdogAgent reset: lastFood: "{}"', 'Timeout after 5000 ms', '16 UNAUTHENTICATED: Invalid Wechaty TOKEN']) {
    t.false(isUnreachable(new Error(message)), message)
  }
  t.true(whatToCheck('wechaty-puppet-service').includes('WECHATY_PUPPET_SERVICE_TOKEN'))
  t.true(whatToCheck('wechaty-puppet-padlocal').includes('the settings wechaty-puppet-padlocal takes'))
})
