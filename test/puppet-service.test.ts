// The path production bots take: the assistant's bot runs on a wechaty-puppet-service client, talking gRPC
// to a puppet service. Here the service is a PuppetServer on a free loopback port serving the test's mock
// puppet, so every message and reply crosses gRPC both ways. Waits are on events, with generous ceilings.
import test from 'ava'
import { randomUUID } from 'node:crypto'
import { WechatyBuilder } from 'wechaty'
import { mock, PuppetMock } from 'wechaty-puppet-mock'
import { PuppetServer, PuppetService } from 'wechaty-puppet-service'
import { createLogger } from '../src/log.js'
import { watchPuppet } from '../src/puppet-watch.js'
import { worldFor } from './fixture.js'
import { freePort } from './helpers/ports.js'
import type { WorldPuppet } from './fixture.js'

const WANGFANG = 'u_wangfang' // admin of 晨光茶馆
const ZHOUXIAO = 'u_zhouxiao' // eligible to be invited there
const CEILING = 60_000

/** Puppet services take `insecure_<uuid>` tokens; TLS is off on loopback (both sides say so). */
function serviceSettings (port: number) {
  return { token: `insecure_${randomUUID()}`, endpoint: `127.0.0.1:${port}`, tls: { disable: true } }
}

/** A PuppetServer serving the world's mock puppet, and the client puppet the assistant's bot runs on. */
function overGrpc (port: number): (mocker: mock.Mocker) => Promise<WorldPuppet> {
  return async (mocker) => {
    const settings = serviceSettings(port)
    const server = new PuppetServer({ ...settings, puppet: new PuppetMock({ mocker }) })
    await server.start()
    let stopped: Promise<void> | undefined
    return { puppet: new PuppetService(settings), stop: () => (stopped ??= server.stop()) }
  }
}

test('through a puppet service over gRPC: a 绑定查询 lookup, and an invitation answered with 同意', async (t) => {
  t.timeout(CEILING * 2)
  let served: WorldPuppet | undefined
  const w = await worldFor(t, { puppet: async (mocker) => (served = await overGrpc(await freePort())(mocker)) })
  // The server goes first. Seen here (wechaty-puppet-service 1.19.9, @grpc/grpc-js 1.14.7): with the
  // client stopped first, one client-server connection outlives both the client's close and the server's
  // forced shutdown, and the test process never exits. Stopped the other way round, it closes.
  t.teardown(() => served?.stop())
  t.is(w.bot.puppet.constructor.name, 'PuppetService', 'the bot is a gRPC client')

  const lookup = await w.ask('u_zhangwei', '绑定查询 13800138000')
  t.true(lookup.startsWith('手机号 138****8000 绑定的公众号(共 2 个)'), lookup)

  const sent = await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆')
  t.true(sent.includes('邀请已送达对方'), sent)
  const [invitation] = await w.inboxOf(ZHOUXIAO, 1)
  t.true(invitation!.includes('邀请你成为「晨光茶馆」的长期运营者'), invitation)
  t.true((await w.ask(ZHOUXIAO, '同意')).startsWith('你已成为「晨光茶馆」的长期运营者'))
  const notice = (await w.inboxOf(WANGFANG, 2))[1]
  t.true(notice!.startsWith('周晓(微信号 zhouxiao_new)已接受邀请'), notice)
  t.true((await w.db.bindingsOfUser(ZHOUXIAO)).some((b) => b.accountId === 'acc_tea'), 'the binding is stored')
})

test('a puppet-service client that finds no server says so once, with what to check, and connects once the server is there', async (t) => {
  t.timeout(CEILING * 3)
  const settings = serviceSettings(await freePort())
  const { log, lines, written } = capturedLog()
  const bot = WechatyBuilder.build({ puppet: new PuppetService(settings) })
  const watch = watchPuppet(bot, { log, puppetName: 'wechaty-puppet-service', backoff: { firstMs: 50, maxMs: 400 } })
  let server: PuppetServer | undefined
  t.teardown(async () => {
    watch.stop()
    await bot.stop() // before the server: a server going first would be one more loss to report
    await server?.stop()
  })
  await bot.start() // resolves although the puppet gave up: nothing listens on the port
  await withCeiling(written(/ ERROR /), 'report')

  // A server appears: a restart of the puppet reaches it, and the bot logs in through it.
  const mocker = new mock.Mocker()
  server = new PuppetServer({ ...settings, puppet: new PuppetMock({ mocker }) })
  await server.start()
  const loggedIn = new Promise((resolve) => bot.once('login', resolve))
  mocker.login(mocker.createContact({ name: '公众平台安全助手' }))
  await withCeiling(loggedIn, 'login through the server that came up')

  const errors = lines.filter((line) => / ERROR /.test(line))
  t.is(errors.length, 1, lines.join('\n'))
  for (const what of ['cannot reach its server', 'ECONNREFUSED', 'WECHATY_PUPPET_SERVICE_TOKEN', 'WECHATY_PUPPET_SERVICE_ENDPOINT', 'Retrying quietly']) {
    t.true(errors[0]!.includes(what), `the report names ${what}: ${errors[0]}`)
  }
  t.true(lines.some((line) => / DEBUG .*gave up: starting it again/.test(line)), 'it was started again')
  t.true(lines.some((line) => / INFO .*reached its server again/.test(line)), lines.join('\n'))
  t.deepEqual(lines.filter((line) => / WARN /.test(line)), [], 'the failed start\'s other complaints stay at debug level')
})

test('a puppet-service client whose server goes away says so once and reconnects when a server is back', async (t) => {
  t.timeout(CEILING * 3)
  const settings = serviceSettings(await freePort())
  const { log, lines, written } = capturedLog()
  const servers: PuppetServer[] = []
  const serve = async (): Promise<mock.Mocker> => {
    const mocker = new mock.Mocker()
    const server = new PuppetServer({ ...settings, puppet: new PuppetMock({ mocker }) })
    await server.start()
    servers.push(server)
    return mocker
  }
  const first = await serve()
  const bot = WechatyBuilder.build({ puppet: new PuppetService(settings) })
  const watch = watchPuppet(bot, { log, puppetName: 'wechaty-puppet-service', backoff: { firstMs: 50, maxMs: 400 }, quietBeforeRestartMs: 100 })
  t.teardown(async () => {
    watch.stop()
    await bot.stop()
    for (const server of servers) await server.stop()
  })
  await bot.start()
  const firstLogin = new Promise((resolve) => bot.once('login', resolve))
  first.login(first.createContact({ name: '公众平台安全助手' }))
  await withCeiling(firstLogin, 'first login')

  await servers[0]!.stop() // the service goes away under a logged-in bot
  await withCeiling(written(/ ERROR /), 'report')
  const second = await serve()
  const loggedInAgain = new Promise((resolve) => bot.once('login', resolve))
  second.login(second.createContact({ name: '公众平台安全助手' }))
  await withCeiling(loggedInAgain, 'login through the new server')

  const errors = lines.filter((line) => / ERROR /.test(line))
  t.is(errors.length, 1, lines.join('\n'))
  t.true(errors[0]!.includes('cannot reach its server (1 CANCELLED'), errors[0])
  t.true(lines.some((line) => / INFO .*reached its server again/.test(line)), lines.join('\n'))
})

/** A debug-level logger into an array, and a wait for a line matching a pattern. */
function capturedLog () {
  const lines: string[] = []
  const waiters: Array<{ pattern: RegExp, resolve: () => void }> = []
  const log = createLogger({
    level: 'debug',
    write: (line) => {
      lines.push(line)
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    },
  })
  const written = (pattern: RegExp): Promise<void> => lines.some((line) => pattern.test(line))
    ? Promise.resolve()
    : new Promise((resolve) => waiters.push({ pattern, resolve }))
  return { log, lines, written }
}

async function withCeiling<T> (promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const ceiling = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no ${what} within ${CEILING} ms`)), CEILING) })
  try {
    return await Promise.race([promise, ceiling])
  } finally {
    clearTimeout(timer)
  }
}
