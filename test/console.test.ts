// The demo console in-process: piped lines in, printed lines out, against the demo world (on this run's
// engine: the data file, or PostgreSQL with ASSISTANT_TEST_ENGINE=postgres).
import test from 'ava'
import { PassThrough } from 'node:stream'
import { startConsole } from '../src/demo/console.js'
import { everyUser } from '../src/demo/world.js'
import type { Logger } from '../src/log.js'
import { startPlatformApi } from '../src/platform/api.js'
import { nextDigestAt } from '../src/domain/alerts.js'
import { worldFor } from './fixture.js'
import { freePort } from './helpers/ports.js'
import type { World } from './fixture.js'

const TOKEN = 'console-test-token'
const CEILING = 120_000
const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined }

/** A console on the world, fed through `type`; `waitFor` resolves once its output holds `text` (`times` times). */
async function consoleOn (t: { teardown: (fn: () => void) => void }, w: World) {
  // the contacts made at start, as the runner makes them: users added later are not in here
  const contacts = new Map((await everyUser(w.db)).map((u) => [u.id, w.contact(u.id)]))
  const input = new PassThrough()
  let output = ''
  const waiters: Array<() => void> = []
  const chat = startConsole({
    bot: w.bot,
    mocker: w.mocker,
    botContact: w.botContact,
    contacts,
    reads: w.assistant.engine,
    platform: w.assistant.platform,
    digest: () => w.assistant.jobs.alertDigest(nextDigestAt(w.clock.now())),
    input,
    write: (line) => {
      output += `${line}\n`
      for (const wake of waiters.splice(0)) wake()
    },
    onQuit: () => undefined,
  })
  t.teardown(() => { chat.close(); input.end() })
  const waitFor = (text: string, times = 1): Promise<string> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the console never printed ${JSON.stringify(text)}; it printed:\n${output}`)), CEILING)
    const check = (): void => {
      if (output.split(text).length > times) {
        clearTimeout(timer)
        resolve(output)
      } else waiters.push(check)
    }
    check()
  })
  return { type: (line: string) => input.write(`${line}\n`), waitFor }
}

test('the console chats as, lists and plays the platform for a user the platform API added after start', async (t) => {
  t.timeout(CEILING + 60_000)
  const w = await worldFor(t)
  const chat = await consoleOn(t, w)
  const api = await startPlatformApi(w.assistant.platform, { token: TOKEN, port: 0, log: silent })
  t.teardown(api.close)
  const response = await fetch(`${api.url}/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '新同事', wechatId: 'newcomer_01', accountProtection: true, bankCard: true }),
  })
  t.true(response.ok, await response.text())

  chat.type('/users')
  await chat.waitFor('新同事')
  chat.type('/as newcomer_01')
  await chat.waitFor('Now chatting as 新同事 (newcomer_01).')
  chat.type('帮助')
  await chat.waitFor('助手 → 新同事:\n')
  chat.type('/image')
  await chat.waitFor('助手 → 新同事:\n', 2)
  chat.type('/op newcomer_01 晨光茶馆 login')
  const output = await chat.waitFor('[平台] 新同事 在「晨光茶馆」login → ')
  t.false(output.includes('Usage: /op'), output)
  t.false(output.includes('No demo user'), output)
  const user = await w.db.userByWechatId('newcomer_01')
  t.is(user?.contactId, user?.id, 'the assistant matched the new chat contact to the user by WeChat ID')
})

test('the console lets a person try the daily digest and the lookup notice', async (t) => {
  t.timeout(CEILING + 60_000)
  const w = await worldFor(t)
  const chat = await consoleOn(t, w)
  chat.type('/digest')
  await chat.waitFor('[08:00] 没有等待汇总的风险操作,不发汇总')
  chat.type('/as 王芳')
  await chat.waitFor('Now chatting as 王芳')
  chat.type('风险操作提醒 登录 汇总 青禾书店')
  await chat.waitFor('已将「青禾书店」登录的风险操作提醒设为每日汇总(08:00)')
  chat.type('/op 赵敏 青禾书店 login')
  await chat.waitFor('[平台] 赵敏 在「青禾书店」login → allowed')
  chat.type('/digest')
  const output = await chat.waitFor('[08:00] 1 份风险操作每日汇总已发出')
  await chat.waitFor('· 赵敏(微信号 zhaomin_work):登录公众平台 1 次')
  t.true(output.includes('风险操作每日汇总'), output)
  // 王芳 looks up 赵敏's phone: the "no bindings" reply, and 赵敏 is told
  chat.type('绑定查询 13900139001')
  await chat.waitFor('未查询到手机号 139****9001 绑定的公众号')
  const told = await chat.waitFor('[推送 → 赵敏]\n  绑定查询提醒\n  微信号 wangfang_tea 于')
  t.false(told.includes('13900139001'))
})

test('the console plays the platform\'s login: the person confirms it in chat and /login <id> reads the outcome', async (t) => {
  t.timeout(CEILING + 60_000)
  const w = await worldFor(t)
  const chat = await consoleOn(t, w)
  chat.type('/login 张伟 晨光茶馆')
  const asked = await chat.waitFor('[平台] 张伟 登录「晨光茶馆」 → 等待本人确认 (id ')
  const id = /\(id (lg_[0-9a-f]+);/.exec(asked)![1]!
  await chat.waitFor('你正在登录「晨光茶馆」公众平台')
  chat.type('/as 张伟')
  await chat.waitFor('Now chatting as 张伟')
  chat.type('确认登录')
  await chat.waitFor('这次登录还要等管理员 王芳 允许')
  chat.type(`/login ${id}`)
  const output = await chat.waitFor('[平台] 张伟 登录「晨光茶馆」 → pending (operation op_')
  t.false(output.includes('Usage: /login'), output)
})

test('/webhook plays the platform: registers one (the secret shown once), lists what it would POST after an approval, and removes it', async (t) => {
  t.timeout(CEILING + 60_000)
  const w = await worldFor(t)
  const chat = await consoleOn(t, w)
  chat.type('/webhook')
  await chat.waitFor('no webhook is registered')
  chat.type('/webhook ftp://example.com/hook')
  await chat.waitFor('only http:// and https:// URLs are taken')
  const port = await freePort()
  chat.type(`/webhook http://127.0.0.1:${port}/hook`) // nothing listens there: the attempt fails and is shown
  const registered = await chat.waitFor('secret (shown once): whsec_')
  t.true(registered.includes(`webhook registered: http://127.0.0.1:${port}/hook`), registered)
  chat.type('/op 张伟 晨光茶馆 login')
  await chat.waitFor('login → pending')
  const { code } = (await w.db.pendingApprovalsOf('acc_tea'))[0]!
  chat.type('/as 王芳')
  await chat.waitFor('Now chatting as 王芳')
  chat.type(`允许 ${code}`)
  await chat.waitFor('已允许')
  await w.assistant.webhooks.idle()
  chat.type('/webhook')
  const listed = await chat.waitFor('"type":"operation.approved"')
  t.regex(listed, /waiting \(1 attempt\(s\), last: ECONNREFUSED\)/)
  chat.type('/webhook off')
  await chat.waitFor('webhook removed (1 event(s) dropped with it)')
})
