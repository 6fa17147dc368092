// 风险操作提醒 that does not flood (issue 11, point 4): per kind of operation at once, in the daily
// digest at 08:00 Asia/Shanghai, or not at all; denied attempts and people not bound always at once; the
// digest sent once across restarts and processes, nothing when nothing waits.
import test from 'ava'
import { days, hours, minutes, toIso } from '../src/domain/calendar.js'
import type { Operation } from '../src/domain/permissions.js'
import { ENGINE, startWorld, worldFor } from './fixture.js'
import type { World } from './fixture.js'

const WANGFANG = 'u_wangfang' // admin of 晨光茶馆 (protection on) and 青禾书店 (protection off), alerts on
const ZHANGWEI = 'u_zhangwei' // not bound to 青禾书店
// 青禾书店's operators: 赵敏 (zhaomin_work, long-term), 孙丽 (sunli_design, short-term)
/** The fixture's clock starts at 2026-11-21 10:00 Shanghai; the next digest is due at 2026-11-22 08:00 Shanghai. */
const NEXT_DIGEST = Date.parse('2026-11-22T00:00:00Z')

const op = (w: World, wechatId: string, operation: Operation, account = 'acc_books') => w.assistant.platform.operations.request(account, wechatId, operation)
/** What the admin received since `from`. */
async function pushesTo (w: World, userId: string, from: number): Promise<string[]> {
  await w.settled()
  return w.inbox(userId).slice(from)
}

const isDigest = (text: string): boolean => text.startsWith('风险操作每日汇总')
/** The first digest the admin receives, waiting for pushes as they come (the start-up catch-up runs on its own). */
async function firstDigest (w: World): Promise<string> {
  for (let n = 1; ; n++) {
    const found = (await w.inboxOf(WANGFANG, n)).find(isDigest)
    if (found) return found
  }
}

test('an admin chooses per kind of operation, sees the choices, and each change is in the 操作记录', async (t) => {
  const w = await worldFor(t)
  t.is(await w.ask(WANGFANG, '风险操作提醒 登录 汇总 青禾书店'),
    '已将「青禾书店」登录的风险操作提醒设为每日汇总(08:00)。每天 08:00 发一条汇总,列出此前谁做了什么。\n被拒绝的尝试、以及不是(或已不再是)运营者的人的操作,总是立即提醒。')
  t.true((await w.ask(WANGFANG, '风险操作提醒 appsecret 关 青禾书店')).startsWith('已将「青禾书店」修改/查看 AppSecret的风险操作提醒设为不提醒。'))
  t.true((await w.ask(WANGFANG, '风险操作提醒 登录 汇总 青禾书店')).includes('已经是每日汇总(08:00),无需更改'))
  const shown = await w.ask(WANGFANG, '提醒设置 青禾书店')
  t.is(shown, [
    '「青禾书店」的风险操作提醒:总开关开启',
    '· 登录:每日汇总(08:00)',
    '· 群发:即时提醒',
    '· 修改服务器配置:即时提醒',
    '· 修改/查看 AppSecret:不提醒',
    '被拒绝的尝试、以及不是(或已不再是)运营者的人的操作,总是立即提醒。',
    '修改:风险操作提醒 登录|群发|修改服务器配置|AppSecret 即时|汇总|关;总开关:风险操作提醒 开|关。',
  ].join('\n'))
  t.deepEqual((await w.db.account('acc_books'))!.alertModes, { login: 'digest', appSecret: 'off' })
  t.is((await w.db.account('acc_tea'))!.alertModes, undefined, 'the other account keeps everything at once')
  const history = await w.ask(WANGFANG, '操作记录 青禾书店')
  t.true(history.includes('王芳 风险操作提醒方式:登录 → 每日汇总(08:00)'), history)
  t.true(history.includes('王芳 风险操作提醒方式:修改/查看 AppSecret → 不提醒'), history)

  // with two accounts and no name, the admin is asked which, and the choice is carried out
  t.true((await w.ask(WANGFANG, '风险操作提醒 群发 关')).includes('要对哪一个使用 风险操作提醒?回复序号:\n1 晨光茶馆'))
  t.true((await w.ask(WANGFANG, '1')).startsWith('已将「晨光茶馆」群发的风险操作提醒设为不提醒'))
  // the master switch still works as before, with its confirmation
  t.true((await w.ask(WANGFANG, '风险操作提醒 关 青禾书店')).startsWith('确认关闭「青禾书店」的风险操作提醒吗?'))
  t.is(await w.ask(WANGFANG, '确认'), '已关闭「青禾书店」的风险操作提醒。')
  t.true((await w.ask(WANGFANG, '风险操作提醒 群发 汇总 青禾书店')).endsWith('注意:风险操作提醒的总开关现在是关闭的,发送 风险操作提醒 开 后才会生效。'))
  t.true((await w.ask(WANGFANG, '提醒设置 青禾书店')).startsWith('「青禾书店」的风险操作提醒:总开关关闭(以下设置暂不生效)'))
})

test('every word for a kind of operation is understood, whatever its case', async (t) => {
  const w = await worldFor(t)
  const words: Array<[string, string]> = [
    ['登录', '登录'], ['群发', '群发'], ['修改服务器配置', '修改服务器配置'], ['服务器配置', '修改服务器配置'],
    ['AppSecret', '修改/查看 AppSecret'], ['appsecret', '修改/查看 AppSecret'], ['修改AppSecret', '修改/查看 AppSecret'],
    ['查看appsecret', '修改/查看 AppSecret'], ['重置APPSECRET', '修改/查看 AppSecret'],
  ]
  for (const [word, label] of words) {
    const reply = await w.ask(WANGFANG, `风险操作提醒 ${word} 汇总 青禾书店`)
    t.true(reply.includes(`「青禾书店」${label}的风险操作提醒`), `${word}: ${reply}`)
  }
  t.deepEqual((await w.db.account('acc_books'))!.alertModes, { login: 'digest', massSend: 'digest', serverConfig: 'digest', appSecret: 'digest' })
})

test('refusals name the rule: unknown kind of operation, unknown way, not an admin, not this account\'s admin', async (t) => {
  const w = await worldFor(t)
  const usage = '用法:风险操作提醒 开|关 [公众号](总开关),或 风险操作提醒 登录|群发|修改服务器配置|AppSecret 即时|汇总|关 [公众号](每类操作分别设置),例如 风险操作提醒 登录 汇总。'
  for (const words of ['登出 汇总', '', '__proto__ 汇总', 'constructor']) t.is(await w.ask(WANGFANG, `风险操作提醒 ${words}`), usage, words)
  for (const words of ['登录', '登录 每周', '登录 constructor', '群发 __proto__ 青禾书店']) {
    const reply = await w.ask(WANGFANG, `风险操作提醒 ${words}`)
    t.true(reply.includes('后面请写提醒方式:即时(每次立刻提醒)、汇总(每天 08:00 汇总成一条)或 关(不提醒)'), `${words}: ${reply}`)
  }
  t.true((await w.ask(ZHANGWEI, '风险操作提醒 登录 汇总')).includes('管理员'), 'an operator is told only admins can')
  t.true((await w.ask(ZHANGWEI, '提醒设置')).includes('管理员'))
  t.true((await w.ask(WANGFANG, '风险操作提醒 登录 汇总 城西社区报')).includes('城西社区报'), 'someone else\'s account is refused by name')
  t.is((await w.db.account('acc_news'))!.alertModes, undefined)
  t.is((await w.db.account('acc_books'))!.alertModes, undefined, 'nothing changed')
})

test('digest, at once and off, as chosen; denied attempts and people not bound always at once; the digest goes at 08:00 once', async (t) => {
  const w = await worldFor(t)
  await w.db.change(async (tx) => { await tx.updateAccount('acc_tea', { riskProtection: false }) })
  await w.ask(WANGFANG, '风险操作提醒 登录 汇总 晨光茶馆')
  await w.ask(WANGFANG, '风险操作提醒 群发 关 晨光茶馆')
  const from = w.inbox(WANGFANG).length
  t.is((await op(w, 'zhaomin_work', 'login', 'acc_tea')).result, 'allowed')
  w.clock.advance(hours(3))
  t.is((await op(w, 'zhaomin_work', 'login', 'acc_tea')).result, 'allowed')
  t.is((await op(w, 'zhangwei_ops', 'login', 'acc_tea')).result, 'allowed')
  t.is((await op(w, 'zhangwei_ops', 'mass-send', 'acc_tea')).result, 'allowed')
  t.deepEqual(await pushesTo(w, WANGFANG, from), [], 'digest and off: nothing at once')
  // denied: an operator trying an admin's operation, and someone not bound, are told at once whatever the choice
  t.is((await op(w, 'zhangwei_ops', 'view-appsecret', 'acc_tea')).result, 'denied')
  t.is((await op(w, 'sunli_design', 'login', 'acc_tea')).result, 'denied')
  const atOnce = await pushesTo(w, WANGFANG, from)
  t.is(atOnce.length, 2, atOnce.join('\n---\n'))
  t.true(atOnce[0]!.includes('查看 AppSecret:已拒绝'), atOnce[0])
  t.true(atOnce[1]!.includes('孙丽(微信号 sunli_design,不是这个公众号的运营者)') && atOnce[1]!.includes('登录公众平台:已拒绝'), atOnce[1])
  t.is((await w.db.digestEntriesBefore(NEXT_DIGEST + days(1))).length, 3, 'three logins wait for the digest')

  // before 08:00 nothing goes; the next day's 07:59 run sends nothing either
  w.clock.at = NEXT_DIGEST - minutes(1)
  t.is(await w.assistant.jobs.alertDigest(w.clock.now()), 0)
  t.deepEqual(await pushesTo(w, WANGFANG, from + 2), [])
  // an operation after 08:00 waits for the next day's digest
  w.clock.at = NEXT_DIGEST + minutes(5)
  t.is((await op(w, 'zhaomin_work', 'login', 'acc_tea')).result, 'allowed')
  t.is(await w.assistant.jobs.alertDigest(w.clock.now()), 1)
  const [digest, ...more] = await pushesTo(w, WANGFANG, from + 2)
  t.deepEqual(more, [])
  t.is(digest, [
    '风险操作每日汇总',
    '「晨光茶馆」2026-11-21 10:00 至 2026-11-22 08:00 共 3 次风险操作(已放行):',
    '· 赵敏(微信号 zhaomin_work):登录公众平台 2 次,最近一次 2026-11-21 13:00',
    '· 张伟(微信号 zhangwei_ops):登录公众平台 1 次,最近一次 2026-11-21 13:00',
    '如果有不是你授权的,回复 解绑运营者 微信号 晨光茶馆 解除其运营者身份。',
    '(发送 提醒设置 查看或修改提醒方式)',
  ].join('\n'))
  // run again the same morning, or by the scheduler's next tick: nothing twice
  t.is(await w.assistant.jobs.alertDigest(w.clock.now() + minutes(1)), 0)
  t.deepEqual((await w.db.digestEntriesBefore(NEXT_DIGEST + days(2))).map((e) => e.at), [toIso(NEXT_DIGEST + minutes(5))])
  // a day later, the one that waited goes, alone
  w.clock.at = NEXT_DIGEST + days(1)
  t.is(await w.assistant.jobs.alertDigest(w.clock.now()), 1)
  const [second] = await pushesTo(w, WANGFANG, from + 3)
  t.true(second!.includes('共 1 次风险操作') && second!.includes('赵敏(微信号 zhaomin_work):登录公众平台 1 次'), second)
  // and an empty digest sends nothing
  w.clock.at = NEXT_DIGEST + days(2)
  t.is(await w.assistant.jobs.alertDigest(w.clock.now()), 0)
  t.deepEqual(await pushesTo(w, WANGFANG, from + 4), [])
})

test('the master switch off: no alert and nothing for the digest; accounts never configured keep alerting at once', async (t) => {
  const w = await worldFor(t)
  const from = w.inbox(WANGFANG).length
  t.is((await op(w, 'zhaomin_work', 'mass-send')).result, 'allowed')
  const [alert] = await pushesTo(w, WANGFANG, from)
  t.true(alert!.startsWith('风险操作提醒\n长期运营者 赵敏(微信号 zhaomin_work)') && alert!.includes('已放行'), alert)
  await w.ask(WANGFANG, '风险操作提醒 群发 汇总 青禾书店')
  await w.ask(WANGFANG, '风险操作提醒 关 青禾书店')
  await w.ask(WANGFANG, '确认')
  const before = w.inbox(WANGFANG).length
  await op(w, 'zhaomin_work', 'mass-send')
  await op(w, 'zhangwei_ops', 'login') // denied: still nothing while the master switch is off
  t.deepEqual(await pushesTo(w, WANGFANG, before), [])
  t.deepEqual(await w.db.digestEntriesBefore(NEXT_DIGEST + days(9)), [])
})

test('a long digest stays readable: one line per person, counts per operation, at most 10 lines and "…还有 N 条"', async (t) => {
  const w = await worldFor(t)
  const users = (await w.db.document()).users
  t.true(users.length >= 11)
  await w.db.change(async (tx) => {
    let n = 0
    for (const user of users) {
      for (const operation of ['login', 'login', 'mass-send'] as const) {
        await tx.addDigestEntry({ id: `d_${n}`, accountId: 'acc_books', actorUserId: user.id, operation, at: toIso(NEXT_DIGEST - hours(5) + minutes(n++)) })
      }
    }
  })
  w.clock.at = NEXT_DIGEST + hours(1)
  const from = w.inbox(WANGFANG).length
  t.is(await w.assistant.jobs.alertDigest(w.clock.now()), 1)
  const [digest] = await pushesTo(w, WANGFANG, from)
  const lines = digest!.split('\n')
  t.is(lines.filter((l) => l.startsWith('· ')).length, 10, digest)
  t.true(lines.includes(`…还有 ${users.length - 10} 条(发送 操作记录 青禾书店 查看全部)`), digest)
  t.true(digest!.includes(`共 ${users.length * 3} 次风险操作`))
  t.true(lines.some((l) => l.startsWith('· 王芳(微信号 wangfang_tea):登录公众平台 2 次、群发消息 1 次')), digest)
  t.false(/1[3-9]\d{9}/.test(digest!), 'no phone number in it')
})

test('a digest missed while the assistant was down goes out once at start-up, and not again at the next start', async (t) => {
  const w = await startWorld()
  await w.ask(WANGFANG, '风险操作提醒 登录 汇总 青禾书店')
  await op(w, 'zhaomin_work', 'login')
  await w.settled()
  await w.stop()
  // down across 08:00; back at 09:30 with the schedule on: the start-up catch-up sends it
  w.clock.at = NEXT_DIGEST + minutes(90)
  const schedules = { expirySweep: '0 0 1 1 *', reminders: '0 0 1 1 *', outbox: '0 0 1 1 *', retention: '0 0 1 1 *', backup: '0 0 1 1 *', alertDigest: '0 8 * * *' }
  const again = await startWorld({ storage: w.storage, clock: w.clock, plugin: { schedules } })
  const digest = await firstDigest(again)
  t.true(digest!.startsWith('风险操作每日汇总\n「青禾书店」') && digest!.includes('赵敏(微信号 zhaomin_work):登录公众平台 1 次'), digest)
  await again.stop()
  const third = await worldFor(t, { storage: w.storage, clock: w.clock, plugin: { schedules } })
  await third.settled()
  t.deepEqual(third.inbox(WANGFANG).filter(isDigest), [], 'no second digest after another restart')
  t.is((await third.db.document()).outbox.filter((m) => m.text.startsWith('风险操作每日汇总')).length, 1)
})

test('digest runs at once (or two processes on PostgreSQL) queue the digest once', async (t) => {
  const w = await worldFor(t)
  await w.ask(WANGFANG, '风险操作提醒 登录 汇总 青禾书店')
  await op(w, 'zhaomin_work', 'login')
  w.clock.advance(minutes(1))
  await op(w, 'zhaomin_work', 'login')
  w.clock.at = NEXT_DIGEST
  const runs = [w.assistant.jobs.alertDigest(w.clock.now()), w.assistant.jobs.alertDigest(w.clock.now())]
  if (ENGINE === 'postgres') {
    const other = await worldFor(t, { storage: w.storage, clock: w.clock })
    runs.push(other.assistant.jobs.alertDigest(w.clock.now()), other.assistant.jobs.alertDigest(w.clock.now()))
  }
  const sent = await Promise.all(runs) as number[]
  t.is(sent.reduce((a, b) => a + b, 0), 1, String(sent))
  const digests = (await w.db.document()).outbox.filter((m) => m.text.startsWith('风险操作每日汇总'))
  t.is(digests.length, 1)
  t.true(digests[0]!.text.includes('共 2 次风险操作'))
})
