// Two assistant processes on one PostgreSQL database, driven through the bot as people would use it.
// Each test starts two assistants (two plugins, two pools, two mock chats) on a fresh database and
// makes them race: both messages are sent before either reply is awaited, or both processes run a job
// at the same moment. The rules must hold across processes (DESIGN.md §5.10): never a 6th long-term or
// 21st short-term operator, never a 6th account for one person, each push delivered once, each due
// change applied and announced once.
//
// Where the race happens follows the product's rules: pending invitations reserve a slot and count
// toward the per-user limit, so the last free place is taken when an admin invites (not when the invitee
// replies 同意: a full account or person cannot have two invitations waiting), and when an admin brings
// back a lapsed short-term role by approving its renewal (a lapsed role no longer holds its slot).
//
// The mock chats of the two processes are separate: what a person receives is counted in both.
import test from 'ava'
import type { ExecutionContext } from 'ava'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mock, PuppetMock } from 'wechaty-puppet-mock'
// wechaty's own dependency (its gRPC puppet), here to serve a mock chat to a runner in another process.
import { PuppetServer } from 'wechaty-puppet-service'
import { addMonths, days, hours, minutes, toIso } from '../src/domain/calendar.js'
import type { Millis } from '../src/domain/calendar.js'
import { isActive } from '../src/domain/roles.js'
import type { OperatorRole } from '../src/domain/roles.js'
import { ASSISTANT_NAME, createContacts } from '../src/demo/world.js'
import type { MockContact } from '../src/demo/world.js'
import { SCHEMA_VERSION } from '../src/store/schema.js'
import type { Account, Binding, Invitation, OutboxMessage, Renewal, Seed, User } from '../src/store/schema.js'
import { startDatabaseWorld, TestClock } from './fixture.js'
import type { World } from './fixture.js'
import { demoWorld, postgresForFile } from './helpers/postgres.js'
import { freePort } from './helpers/ports.js'
import { CEILING, ROOT, stackLines, startRunner } from './helpers/runner.js'

const postgres = postgresForFile(test)

type Process = World

/** When every test starts: 10:00 in Shanghai. */
const T0 = Date.parse('2026-11-21T02:00:00Z')

// ------------------------------------------------------------------------------------------ the people

const TEA = 'acc_tea' // 晨光茶馆
const BOOKS = 'acc_books' // 青禾书店
const NEWS = 'acc_news' // 城西社区报
const RIDE = 'acc_ride' // 山野骑行
const BAKE = 'acc_bake' // 小满烘焙
const PHOTO = 'acc_photo' // 海风摄影
const ALL = [TEA, BOOKS, NEWS, RIDE, BAKE, PHOTO]

/** Someone who meets every invitation condition for the accounts they follow (帐号保护 on, a bank card bound). */
function person (id: string, name: string, wechatId: string, follows: string[] = []): User {
  return { id, name, wechatId, contactId: id, accountProtection: true, bankCard: true, follows }
}

const WANGFANG = person('u_wangfang', '王芳', 'wangfang_tea') // admin of 晨光茶馆 and 青禾书店
const LIQIANG = person('u_liqiang', '李强', 'liqiang_news') // admin of 城西社区报
const CHENJING = person('u_chenjing', '陈静', 'chenjing_ride') // admin of 山野骑行 and 小满烘焙
const LIUYANG = person('u_liuyang', '刘洋', 'liuyang_photo') // admin of 海风摄影
const ZHOUXIAO = person('u_zhouxiao', '周晓', 'zhouxiao_new', [TEA])
const WUTIAN = person('u_wutian', '吴天', 'wutian_2025', [TEA])

const ACCOUNTS: Account[] = [
  account(TEA, '晨光茶馆', WANGFANG),
  account(BOOKS, '青禾书店', WANGFANG),
  account(NEWS, '城西社区报', LIQIANG),
  account(RIDE, '山野骑行', CHENJING),
  account(BAKE, '小满烘焙', CHENJING),
  account(PHOTO, '海风摄影', LIUYANG),
]
const ADMINS = [WANGFANG, LIQIANG, CHENJING, LIUYANG]

function account (id: string, name: string, admin: User): Account {
  return { id, name, adminUserId: admin.id, riskProtection: false, riskAlerts: true }
}

/** `count` people following 晨光茶馆: 长期运营者01…, WeChat IDs long_ops_01… (or 短期, short_ops_…). */
function crowd (role: OperatorRole, count: number): User[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(2, '0')
    return person(`u_${role}${n}`, `${role === 'long' ? '长期' : '短期'}运营者${n}`, `${role}_ops_${n}`, [TEA])
  })
}

function longTerm (user: User, accountId: string): Binding {
  return { id: `b_${user.id}_${accountId}`, accountId, userId: user.id, role: 'long', boundAt: toIso(T0 - days(100)) }
}

/** A short-term role accepted one calendar month before `expiresAt`. */
function shortTerm (user: User, accountId: string, expiresAt: Millis): Binding {
  return { id: `b_${user.id}_${accountId}`, accountId, userId: user.id, role: 'short', boundAt: toIso(addMonths(expiresAt, -1)), expiresAt: toIso(expiresAt) }
}

/** A short-term role that ran out two days ago (and that the sweep has marked so): still renewable for 28 days. */
function lapsed (user: User, accountId: string): Binding {
  const binding = shortTerm(user, accountId, T0 - days(2))
  return { ...binding, endedAt: binding.expiresAt, endReason: 'expired' }
}

/** The operator's 续期 request for `binding`, asked yesterday, waiting for the admin's 同意 <code>. */
function renewalRequest (code: string, binding: Binding): Renewal {
  return { id: `r_${code}`, code, bindingId: binding.id, accountId: binding.accountId, requestedBy: binding.userId, createdAt: toIso(T0 - days(1)), expiresAt: toIso(T0 + days(2)), status: 'pending' }
}

function seed (parts: Partial<Omit<Seed, 'version' | 'seededAt'>>): Seed {
  return { version: SCHEMA_VERSION, seededAt: toIso(T0), accounts: [], users: [], bindings: [], invitations: [], renewals: [], approvals: [], logins: [], history: [], outbox: [], digestEntries: [], lookupNotices: [], reviews: [], webhooks: [], webhookEvents: [], ...parts }
}

// ----------------------------------------------------------------------------------- two processes

interface TwoProcesses { one: Process, two: Process, clock: TestClock }

/** Two assistants on one fresh database with one clock: the first fills it from `world`, the second finds it filled. */
async function twoProcesses (t: ExecutionContext, world: Seed): Promise<TwoProcesses> {
  const { name, pool } = await postgres().freshDatabase()
  const clock = new TestClock(T0)
  const one = await startDatabaseWorld({ database: { pool }, seed: world, clock })
  t.teardown(one.stop)
  const two = await startDatabaseWorld({ database: { url: postgres().url(name) }, seed: world, clock })
  t.teardown(two.stop)
  return { one, two, clock }
}

/**
 * Each person sends their text to their process at the same moment (every message is sent before any
 * reply is awaited); resolves with each one's reply, in order.
 */
async function atOnce (...turns: Array<[Process, User, string]>): Promise<string[]> {
  await Promise.all(turns.map(([p]) => p.settled()))
  const replies = turns.map(([p, who]) => {
    const before = p.inbox(who.id).length
    return p.inboxOf(who.id, before + 1).then((inbox) => inbox[before]!)
  })
  for (const [p, who, text] of turns) p.send(who.id, text)
  return Promise.all(replies)
}

/** Everything `who` received from either process, once both have answered and delivered all they had. */
async function received ({ one, two }: TwoProcesses, who: User): Promise<string[]> {
  await Promise.all([one.settled(), two.settled()])
  return [...one.inbox(who.id), ...two.inbox(who.id)]
}

async function activeBindings (p: Process, accountId: string, role: OperatorRole): Promise<Binding[]> {
  const now = p.clock.now()
  return (await p.assistant.engine.bindingsOfAccount(accountId)).filter((b) => b.role === role && isActive(b, now))
}

async function pendingInvitations (p: Process, accountId: string): Promise<Invitation[]> {
  return (await p.assistant.engine.invitationsOfAccount(accountId)).filter((i) => i.status === 'pending')
}

const count = (texts: readonly string[], part: string): number => texts.filter((text) => text.includes(part)).length

// --------------------------------------------------------------------------- slots of one account

const SLOTS = {
  long: { word: '长期', label: '长期运营者', limit: 5 },
  short: { word: '短期', label: '短期运营者', limit: 20 },
} as const

for (const role of ['long', 'short'] as const) {
  const { word, label, limit } = SLOTS[role]
  test(`the admin invites two people as ${label} through two processes at once with one ${word} slot left: one invitation, one refusal naming the limit`, async (t) => {
    // 晨光茶馆 has one free slot of the role (limit − 1 operators); 周晓 and 吴天 could each fill it.
    const operators = crowd(role, limit - 1)
    const both = await twoProcesses(t, seed({
      accounts: ACCOUNTS,
      users: [...ADMINS, ZHOUXIAO, WUTIAN, ...operators],
      bindings: operators.map((o) => role === 'long' ? longTerm(o, TEA) : shortTerm(o, TEA, T0 + days(20))),
    }))
    const { one, two } = both

    const replies = await atOnce(
      [one, WANGFANG, `绑定运营者 zhouxiao_new ${word} 晨光茶馆`],
      [two, WANGFANG, `绑定运营者 wutian_2025 ${word} 晨光茶馆`],
    )
    const invited = replies.filter((r) => r.startsWith('已发出邀请'))
    t.is(invited.length, 1, `exactly one invitation goes out: ${JSON.stringify(replies)}`)
    const refusal = replies.find((r) => r.startsWith('暂时不能邀请'))!
    t.truthy(refusal, JSON.stringify(replies))
    t.true(refusal.includes('有 1 项条件未满足'), refusal)
    t.true(refusal.includes(`「晨光茶馆」的${label}名额已满(已用 ${limit}/${limit},含待回复的邀请)`), `names the limit: ${refusal}`)

    const [winner, loser] = replies[0]!.startsWith('已发出邀请') ? [ZHOUXIAO, WUTIAN] : [WUTIAN, ZHOUXIAO]
    const [invitedThrough, other] = replies[0]!.startsWith('已发出邀请') ? [one, two] : [two, one]
    t.true(refusal.includes(`${loser.name}(微信号 ${loser.wechatId})`), refusal)
    // The one invited got the invitation once; the other heard nothing, and no invitation waits for them.
    t.is(count(await received(both, winner), '公众号运营者邀请'), 1)
    t.deepEqual(await received(both, loser), [])
    const pending = await pendingInvitations(one, TEA)
    t.deepEqual(pending.map((i) => i.inviteeUserId), [winner.id])

    // The invitee answers through the other process and fills the last slot.
    const accepted = await other.ask(winner.id, '同意')
    t.true(accepted.startsWith(`你已成为「晨光茶馆」的${label}`), accepted)
    t.is((await activeBindings(invitedThrough, TEA, role)).length, limit)
    const roster = await invitedThrough.ask(WANGFANG.id, '运营者列表 晨光茶馆')
    t.true(roster.includes(role === 'long' ? `长期 ${limit}/${limit}` : `短期 ${limit}/${limit}`), roster)
  })
}

test('the admin approves two lapsed short-term operators\' renewals through two processes at once with one short-term slot left: only one comes back', async (t) => {
  // 晨光茶馆: 19 active short-term operators; 林夏 and 林秋's roles ran out two days ago (a lapsed role holds
  // no slot), and each asked 续期. Both renewals approved would make 21.
  const operators = crowd('short', 19)
  const LINXIA = person('u_linxia', '林夏', 'linxia_ops', [TEA])
  const LINQIU = person('u_linqiu', '林秋', 'linqiu_ops', [TEA])
  const xia = lapsed(LINXIA, TEA)
  const qiu = lapsed(LINQIU, TEA)
  const both = await twoProcesses(t, seed({
    accounts: ACCOUNTS,
    users: [...ADMINS, LINXIA, LINQIU, ...operators],
    bindings: [...operators.map((o) => shortTerm(o, TEA, T0 + days(20))), xia, qiu],
    renewals: [renewalRequest('RXA2', xia), renewalRequest('RQB3', qiu)],
  }))
  const { one, two } = both
  t.is((await activeBindings(one, TEA, 'short')).length, 19)

  const replies = await atOnce(
    [one, WANGFANG, '同意 RXA2'],
    [two, WANGFANG, '同意 RQB3'],
  )
  const approved = replies.filter((r) => r.startsWith('已批准'))
  t.is(approved.length, 1, `exactly one renewal goes through: ${JSON.stringify(replies)}`)
  const [winner, loser] = replies[0]!.startsWith('已批准') ? [LINXIA, LINQIU] : [LINQIU, LINXIA]
  const blocked = replies.find((r) => !r.startsWith('已批准'))!
  t.true(blocked.startsWith(`${loser.name} 的「晨光茶馆」短期运营者身份已到期,恢复它需要满足邀请的条件,现在有 1 项不满足`), blocked)
  t.true(blocked.includes('「晨光茶馆」的短期运营者名额已满(已用 20/20,含待回复的邀请)'), `names the limit: ${blocked}`)

  t.is((await activeBindings(one, TEA, 'short')).length, 20, 'never a 21st')
  t.is(count(await received(both, winner), '「晨光茶馆」的续期申请已由管理员'), 1)
  t.deepEqual(await received(both, loser), [], 'the blocked operator is told nothing yet: the request still waits')
  const stillPending = (await one.assistant.engine.pendingRenewalsOf(TEA)).map((r) => r.requestedBy)
  t.deepEqual(stillPending, [loser.id])
})

// ---------------------------------------------------------------------- one person's five accounts

// 赵敏 holds long-term roles on four accounts and follows the other two; so does 张伟, whose short-term
// roles on the other two (小满烘焙 of 陈静, 海风摄影 of 刘洋) ran out two days ago and who asked both admins
// for renewal.
const ZHAOMIN = person('u_zhaomin', '赵敏', 'zhaomin_work', ALL)
const ZHANGWEI = person('u_zhangwei', '张伟', 'zhangwei_ops', ALL)
const FOUR = [TEA, BOOKS, NEWS, RIDE]
const zwBake = lapsed(ZHANGWEI, BAKE)
const zwPhoto = lapsed(ZHANGWEI, PHOTO)
const PEOPLE_WORLD = seed({
  accounts: ACCOUNTS,
  users: [...ADMINS, ZHAOMIN, ZHANGWEI],
  bindings: [...FOUR.map((a) => longTerm(ZHAOMIN, a)), ...FOUR.map((a) => longTerm(ZHANGWEI, a)), zwBake, zwPhoto],
  renewals: [renewalRequest('RZA4', zwBake), renewalRequest('RZB5', zwPhoto)],
})

async function rolesHeld (p: Process, who: User): Promise<string[]> {
  const now = p.clock.now()
  return (await p.assistant.engine.bindingsOfUser(who.id)).filter((b) => isActive(b, now)).map((b) => b.accountId).sort()
}

test('two admins invite a person who holds four roles, through two processes at once: one invitation, and five roles at most', async (t) => {
  const both = await twoProcesses(t, PEOPLE_WORLD)
  const { one, two } = both

  const replies = await atOnce(
    [one, CHENJING, '绑定运营者 zhaomin_work 短期 小满烘焙'],
    [two, LIUYANG, '绑定运营者 zhaomin_work 长期 海风摄影'],
  )
  t.is(replies.filter((r) => r.startsWith('已发出邀请')).length, 1, `exactly one invitation goes out: ${JSON.stringify(replies)}`)
  const refusal = replies.find((r) => r.startsWith('暂时不能邀请'))!
  t.truthy(refusal, JSON.stringify(replies))
  t.true(refusal.includes('有 1 项条件未满足'), refusal)
  t.true(refusal.includes('对方已绑定或被邀请了 5 个公众号,一个微信号最多只能做 5 个公众号的运营者'), `names the limit: ${refusal}`)

  const [accountName, answerThrough] = replies[0]!.startsWith('已发出邀请') ? ['小满烘焙', two] : ['海风摄影', one]
  const invitations = (await received(both, ZHAOMIN)).filter((text) => text.startsWith('公众号运营者邀请'))
  t.is(invitations.length, 1, JSON.stringify(invitations))
  t.true(invitations[0]!.includes(`「${accountName}」`), invitations[0])

  const accepted = await answerThrough.ask(ZHAOMIN.id, '同意')
  t.true(accepted.startsWith(`你已成为「${accountName}」的`), accepted)
  t.is((await rolesHeld(one, ZHAOMIN)).length, 5)
  const lookup = await one.ask(ZHAOMIN.id, '绑定查询 zhaomin_work')
  t.true(lookup.includes('绑定的公众号(共 5 个)'), lookup)
})

test('two admins approve the renewals of a person who holds four other roles, through two processes at once: only one comes back', async (t) => {
  const both = await twoProcesses(t, PEOPLE_WORLD)
  const { one, two } = both
  t.deepEqual(await rolesHeld(one, ZHANGWEI), [...FOUR].sort())

  const replies = await atOnce(
    [one, CHENJING, '同意 RZA4'],
    [two, LIUYANG, '同意 RZB5'],
  )
  t.is(replies.filter((r) => r.startsWith('已批准 张伟')).length, 1, `exactly one renewal goes through: ${JSON.stringify(replies)}`)
  const [renewed, blockedName] = replies[0]!.startsWith('已批准') ? [BAKE, '海风摄影'] : [PHOTO, '小满烘焙']
  const blocked = replies.find((r) => !r.startsWith('已批准'))!
  t.true(blocked.startsWith(`张伟 的「${blockedName}」短期运营者身份已到期,恢复它需要满足邀请的条件,现在有 1 项不满足`), blocked)
  t.true(blocked.includes('对方已绑定或被邀请了 5 个公众号,一个微信号最多只能做 5 个公众号的运营者'), `names the limit: ${blocked}`)

  t.deepEqual(await rolesHeld(two, ZHANGWEI), [...FOUR, renewed].sort(), 'five roles, never six')
  const told = await received(both, ZHANGWEI)
  t.is(count(told, '的续期申请已由管理员'), 1, JSON.stringify(told))
  t.is(told.length, 1, 'and nothing else')
})

// --------------------------------------------------------------------------------- scheduled jobs

// 晨光茶馆's short-term operators: 孙丽, 钱进 and 郑洁's month ends at 11:00 today; 冯磊's in two days.
// 吴天's invitation lapses at 10:30 today.
const SUNLI = person('u_sunli', '孙丽', 'sunli_ops', [TEA])
const QIANJIN = person('u_qianjin', '钱进', 'qianjin_ops', [TEA])
const ZHENGJIE = person('u_zhengjie', '郑洁', 'zhengjie_ops', [TEA])
const FENGLEI = person('u_fenglei', '冯磊', 'fenglei_ops', [TEA])
const ENDING_TODAY = [SUNLI, QIANJIN, ZHENGJIE]
const WUTIAN_INVITATION: Invitation = {
  id: 'i_wutian', code: 'WT7K', accountId: TEA, inviteeUserId: WUTIAN.id, invitedBy: WANGFANG.id, role: 'short',
  createdAt: toIso(T0 - hours(23.5)), expiresAt: toIso(T0 + minutes(30)), status: 'pending',
}
const JOBS_WORLD = seed({
  accounts: ACCOUNTS,
  users: [...ADMINS, SUNLI, QIANJIN, ZHENGJIE, FENGLEI, WUTIAN],
  bindings: [...ENDING_TODAY.map((o) => shortTerm(o, TEA, T0 + hours(1))), shortTerm(FENGLEI, TEA, T0 + days(2))],
  invitations: [WUTIAN_INVITATION],
})

test('both processes run the expiry sweep at the same moment: each role ends once, and each person is told once', async (t) => {
  const both = await twoProcesses(t, JOBS_WORLD)
  const { one, two, clock } = both
  clock.advance(hours(2))
  const now = clock.now()

  const results = await Promise.all([one.assistant.jobs.expirySweep(now), two.assistant.jobs.expirySweep(now)])
  // Whatever either sweep left for the other process's outbox job to deliver.
  await Promise.all([one.assistant.jobs.outbox(now), two.assistant.jobs.outbox(now)])
  t.is((results as Array<{ bindings: number }>).reduce((sum, r) => sum + r.bindings, 0), 3, 'three roles ended, by one sweep or the other, not both')

  for (const operator of ENDING_TODAY) {
    const told = await received(both, operator)
    t.is(told.length, 1, `${operator.name}: ${JSON.stringify(told)}`)
    t.true(told[0]!.startsWith('你在「晨光茶馆」的短期运营者身份已于 2026-11-21 11:00 到期'), told[0])
  }
  const admin = await received(both, WANGFANG)
  for (const operator of ENDING_TODAY) {
    t.is(count(admin, `${operator.name}(微信号 ${operator.wechatId})在「晨光茶馆」的短期运营者身份已于`), 1, `${operator.name}: ${JSON.stringify(admin)}`)
  }
  t.is(count(admin, '发给 吴天(微信号 wutian_2025)的「晨光茶馆」短期运营者邀请(邀请码 WT7K)已过期'), 1, JSON.stringify(admin))
  t.is(admin.length, 4, 'and nothing else')
  t.deepEqual(await received(both, FENGLEI), [], 'a role still running is left alone')

  // The account's history names each expiry once.
  const log = await one.ask(WANGFANG.id, '操作记录 晨光茶馆')
  for (const operator of ENDING_TODAY) t.is(count(log.split('\n'), `短期运营者到期:${operator.wechatId}`), 1, log)
  t.is(count(log.split('\n'), '邀请过期:wutian_2025'), 1, log)

  // Run again in both: nothing is due any more, nothing more is said.
  await Promise.all([one.assistant.jobs.expirySweep(now), two.assistant.jobs.expirySweep(now)])
  for (const operator of ENDING_TODAY) t.is((await received(both, operator)).length, 1)
})

test('both processes run the reminders at the same moment: one reminder to each operator and one to the admin about each', async (t) => {
  const both = await twoProcesses(t, JOBS_WORLD)
  const { one, two, clock } = both
  const now = clock.now() // reminders are due for all four: the 1-day one for three, the 3-day one for 冯磊

  await Promise.all([one.assistant.jobs.reminders(now), two.assistant.jobs.reminders(now)])
  await Promise.all([one.assistant.jobs.outbox(now), two.assistant.jobs.outbox(now)])
  for (const operator of ENDING_TODAY) {
    t.deepEqual(await received(both, operator), ['提醒:你在「晨光茶馆」的短期运营者身份将于 2026-11-21 11:00 到期(不到 1 天)。如需继续运营,发送 续期 向管理员申请延长一个月。'])
  }
  t.deepEqual(await received(both, FENGLEI), ['提醒:你在「晨光茶馆」的短期运营者身份将于 2026-11-23 10:00 到期(不到 3 天)。如需继续运营,发送 续期 向管理员申请延长一个月。'])
  const admin = await received(both, WANGFANG)
  for (const operator of [...ENDING_TODAY, FENGLEI]) {
    t.is(count(admin, `提醒:${operator.name}(微信号 ${operator.wechatId})在「晨光茶馆」的短期运营者身份将于`), 1, `${operator.name}: ${JSON.stringify(admin)}`)
  }
  t.is(admin.length, 4, 'and nothing else')

  // Later the same day, in both again: already sent.
  clock.advance(minutes(30))
  await Promise.all([one.assistant.jobs.reminders(clock.now()), two.assistant.jobs.reminders(clock.now())])
  for (const operator of [...ENDING_TODAY, FENGLEI]) t.is((await received(both, operator)).length, 1)
  t.is((await received(both, WANGFANG)).length, 4)
})

test('both processes run the outbox job at the same moment: each waiting message is delivered once', async (t) => {
  // 30 pushes whose first attempt failed and whose retry is due a minute from now: more than one process
  // may send in one pass (a burst of 20), so both must take part, and neither may take the other's.
  const recipients = [WANGFANG, SUNLI, QIANJIN, ZHENGJIE, FENGLEI]
  const waiting: OutboxMessage[] = Array.from({ length: 30 }, (_, i) => ({
    id: `m_retry_${i}`,
    toUserId: recipients[i % recipients.length]!.id,
    text: `「晨光茶馆」补发的通知 第 ${i + 1} 条`,
    createdAt: toIso(T0 - minutes(1)),
    attempts: 1,
    lastError: 'the chat did not take it',
    nextAttemptAt: toIso(T0 + minutes(1)),
    accountId: TEA,
  }))
  const both = await twoProcesses(t, { ...JOBS_WORLD, outbox: waiting })
  const { one, two, clock } = both
  await Promise.all([one.settled(), two.settled()])
  t.deepEqual(recipients.flatMap((r) => [...one.inbox(r.id), ...two.inbox(r.id)]), [], 'nothing is due at start-up')

  clock.advance(minutes(2))
  await Promise.all([one.assistant.jobs.outbox(clock.now()), two.assistant.jobs.outbox(clock.now())])
  const byOne = recipients.flatMap((r) => one.inbox(r.id))
  const byTwo = recipients.flatMap((r) => two.inbox(r.id))
  const all = [...byOne, ...byTwo]
  t.is(all.length, 30, 'every message once')
  t.deepEqual([...all].sort(), waiting.map((m) => m.text).sort(), 'each one, none twice')
  t.true(byOne.length >= 10 && byTwo.length >= 10, `both processes delivered (${byOne.length} + ${byTwo.length})`)
  for (const recipient of recipients) {
    const mine = waiting.filter((m) => m.toUserId === recipient.id).map((m) => m.text)
    t.deepEqual([...one.inbox(recipient.id), ...two.inbox(recipient.id)].sort(), mine.sort(), recipient.name)
  }

  // Run again in both: nothing goes out twice.
  await Promise.all([one.assistant.jobs.outbox(clock.now()), two.assistant.jobs.outbox(clock.now())])
  await Promise.all([one.settled(), two.settled()])
  t.is(recipients.flatMap((r) => [...one.inbox(r.id), ...two.inbox(r.id)]).length, 30)
})

test('a process stops with messages it claimed and the clock is set back by hours: the other process sends them at once, not after the jump', async (t) => {
  const recipients = [WANGFANG, SUNLI, QIANJIN, ZHENGJIE, FENGLEI]
  const waiting: OutboxMessage[] = Array.from({ length: 10 }, (_, i) => ({
    id: `m_claimed_${i}`,
    toUserId: recipients[i % recipients.length]!.id,
    text: `「晨光茶馆」没发完的通知 第 ${i + 1} 条`,
    createdAt: toIso(T0 - minutes(1)),
    attempts: 1,
    lastError: 'the chat did not take it',
    nextAttemptAt: toIso(T0 + minutes(1)),
    accountId: TEA,
  }))
  const world = { ...JOBS_WORLD, outbox: waiting }
  const { name, pool } = await postgres().freshDatabase()
  const clock = new TestClock(T0)
  const one = await startDatabaseWorld({ database: { pool }, seed: world, clock })
  let oneRunning = true
  t.teardown(async () => { if (oneRunning) await one.stop() })
  const two = await startDatabaseWorld({ database: { url: postgres().url(name) }, seed: world, clock })
  t.teardown(two.stop)

  // The first process's delivery pass claims what is due, then the process stops before sending any.
  clock.advance(minutes(2))
  t.is((await one.assistant.engine.transaction((tx) => tx.claimDueMessages(clock.now(), 100))).length, 10)
  await one.stop()
  oneRunning = false
  await two.assistant.jobs.outbox(clock.now())
  const sentByTwo = (): string[] => recipients.flatMap((r) => two.inbox(r.id))
  t.deepEqual(sentByTwo(), [], 'held by the stopped process\'s claim for its lease')

  clock.advance(-hours(3)) // the machines' clock corrected by three hours
  await two.assistant.jobs.outbox(clock.now())
  await two.settled()
  t.deepEqual([...sentByTwo()].sort(), waiting.map((m) => m.text).sort(), 'each one, once')
})

test('a delivery pass that outlives its claims gives the rest back: the other process sends them, and each goes out once', async (t) => {
  const recipients = [WANGFANG, SUNLI, QIANJIN, ZHENGJIE, FENGLEI]
  const waiting: OutboxMessage[] = recipients.map((r, i) => ({
    id: `m_slow_${i}`,
    toUserId: r.id,
    text: `「晨光茶馆」的通知 第 ${i + 1} 条`,
    createdAt: toIso(T0 - minutes(1)),
    attempts: 1,
    lastError: 'the chat did not take it',
    nextAttemptAt: toIso(T0 + minutes(1)), // not sent at start-up: due at the first pass below
    accountId: TEA,
  }))
  const { one, two, clock } = await twoProcesses(t, { ...JOBS_WORLD, outbox: waiting })
  await Promise.all([one.settled(), two.settled()])
  clock.advance(minutes(2))

  // The first process's first two sends take three minutes each (each within the 30 s send time-out's
  // stand-in: the clock); after the second, six minutes into a pass that claimed everything for five, the
  // second process's job runs and would find the claims on the rest run out.
  const puppet = (one.mocker as unknown as { puppet: { messageSendText: (id: string, text: string) => Promise<string | void> } }).puppet
  const send = puppet.messageSendText.bind(puppet)
  let sends = 0
  puppet.messageSendText = async (conversationId, text) => {
    sends++
    if (sends <= 2) clock.advance(minutes(3))
    if (sends === 2) {
      await two.assistant.jobs.outbox(clock.now())
      await two.settled()
    }
    return send(conversationId, text)
  }
  await one.assistant.jobs.outbox(clock.now())
  await Promise.all([one.settled(), two.settled()])
  puppet.messageSendText = send
  for (const [i, r] of recipients.entries()) {
    const got = [...one.inbox(r.id), ...two.inbox(r.id)].filter((text) => text.startsWith('「晨光茶馆」的通知'))
    t.deepEqual(got, [`「晨光茶馆」的通知 第 ${i + 1} 条`], `${r.name}: once`)
  }
})

// ------------------------------------------------------------------------------------------ runner

test('npm start (the demo) with ASSISTANT_DATABASE_URL: the demo world is seeded into the empty database and the console chats on it', async (t) => {
  t.timeout(2 * CEILING + 30_000)
  const { name, pool } = await postgres().freshDatabase()
  const folder = await mkdtemp(join(tmpdir(), 'assistant-runner-'))
  const dataFile = join(folder, 'assistant.json')
  // As a person runs it, in a folder of its own (wechaty keeps a memory card in the working folder).
  const runner = startRunner({ ASSISTANT_DATABASE_URL: postgres().url(name), ASSISTANT_DATA_FILE: dataFile, WECHATY_PUPPET: undefined, WECHATY_LOG: 'silent' }, ['--demo'], folder)
  t.teardown(() => { runner.child.kill('SIGKILL') })
  // Switch person, 绑定查询, unbind, then play the platform: 晨光茶馆 has 风险操作保护 on, so its admin is asked.
  runner.child.stdin.write('/as 张伟\n绑定查询 13800138000\n解绑 1\n确认\n/op 赵敏 晨光茶馆 login\n')
  const where = `postgres://postgres@${postgres().url(name).split('@')[1]}`
  await runner.waitFor(`公众平台安全助手 demo on the mock puppet. Database: ${where}`)
  await runner.waitFor('Now chatting as 张伟 (')
  await runner.waitFor('助手 → 张伟:\n  手机号 138****8000 绑定的公众号(共 2 个)')
  await runner.waitFor('助手 → 张伟:\n  已解除你在「晨光茶馆」的长期运营者身份')
  await runner.waitFor('[平台] 赵敏 在「晨光茶馆」login → pending')
  const output = await runner.waitFor('[推送 → 王芳]\n  风险操作确认\n  长期运营者 赵敏(微信号 zhaomin_work)')
  t.false(output.includes('13800138000'), 'the phone number is never printed whole')
  t.false(output.includes(postgres().url(name)), 'the password is never printed')

  // The demo world was seeded into the empty database, and what was done in the console is in it.
  const { rows: seeded } = await pool.query<{ users: number }>('select count(*)::int as users from users')
  t.is(seeded[0]!.users, demoWorld(Date.now()).users.length)
  const { rows: unbound } = await pool.query<{ end_reason: string }>(`select end_reason from bindings where id = 'b_zw_tea'`)
  t.is(unbound[0]?.end_reason, 'unbound')

  runner.child.stdin.end() // no terminal and no more input: it keeps running until a signal
  runner.child.kill('SIGTERM')
  t.is(await runner.exited, 0, runner.output())
  t.true(runner.output().includes('Stopped; every change is saved.'), runner.output())
  t.false(existsSync(dataFile), 'no data file beside the database')
})

test('npm start with ASSISTANT_DATABASE_URL and a puppet: the runner comes up on PostgreSQL, answers a chat from the database, and stops cleanly', async (t) => {
  t.timeout(2 * CEILING + 30_000)
  const { name, pool } = await postgres().freshDatabase()
  // The puppet: a mock chat with the demo people, served over gRPC on loopback as wechaty-puppet-service
  // serves a real one; the runner in its own process connects to it as WECHATY_PUPPET=wechaty-puppet-service.
  const mocker = new mock.Mocker()
  const token = `insecure_${randomUUID()}`
  const endpoint = `127.0.0.1:${await freePort()}`
  const server = new PuppetServer({ puppet: new PuppetMock({ mocker }), token, endpoint, tls: { disable: true } })
  await server.start()
  t.teardown(() => server.stop())
  const people = createContacts(mocker, demoWorld(Date.now()).users)
  const assistantContact = mocker.createContact({ name: ASSISTANT_NAME })
  mocker.login(assistantContact)

  // Started in an empty folder: wechaty keeps a memory card in the working folder, and this one is nobody's.
  const runner = startRunner({
    ASSISTANT_DATABASE_URL: postgres().url(name),
    ASSISTANT_DATA_FILE: undefined,
    // Production never starts from the demo world unless told to: this chat has the demo people.
    ASSISTANT_SEED_FILE: join(ROOT, 'data/seed.json'),
    WECHATY_PUPPET: 'wechaty-puppet-service',
    WECHATY_PUPPET_SERVICE_ENDPOINT: endpoint,
    WECHATY_PUPPET_SERVICE_TOKEN: token,
    WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
    WECHATY_LOG: 'warn',
  }, [], await mkdtemp(join(tmpdir(), 'assistant-runner-')))
  t.teardown(() => { runner.child.kill('SIGKILL') })
  const where = `database postgres://postgres@${postgres().url(name).split('@')[1]}`
  await runner.waitFor(`公众平台安全助手 running on wechaty-puppet-service, ${where}. Ctrl-C stops it.`)
  await runner.waitFor('Logged in as 公众平台安全助手')
  t.true(runner.output().includes(`Engine: ${where}`), runner.output())
  t.false(runner.output().includes(postgres().url(name)), 'the password is never printed')

  // The demo world was migrated and seeded into the empty database.
  const { rows: seeded } = await pool.query<{ users: number }>('select count(*)::int as users from users')
  t.is(seeded[0]!.users, demoWorld(Date.now()).users.length)

  // What start-up pushed (the catch-up sweep and reminders of the demo world) is out before anyone chats,
  // so that a reply is not taken for a push: the outbox table says when (polled: no event crosses processes).
  const deadline = Date.now() + CEILING
  for (;;) {
    const { rows } = await pool.query<{ waiting: number }>('select count(*)::int as waiting from outbox where sent_at is null and failed_at is null and withdrawn_at is null')
    if (rows[0]!.waiting === 0) break
    if (Date.now() > deadline) throw new Error(`start-up pushes never went out; the runner printed:\n${runner.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }

  const ask = (who: MockContact, text: string): Promise<string> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(text)}; the runner printed:\n${runner.output()}`)), CEILING)
    const listen = (message: { payload: { talkerId: string, text?: string } }): void => {
      if (message.payload.talkerId !== assistantContact.id) return
      clearTimeout(timer)
      who.off('message', listen as never)
      resolve(message.payload.text ?? '')
    }
    who.on('message', listen as never)
    who.say(text).to(assistantContact)
  })
  const zhangwei = people.get('u_zhangwei')!
  const lookup = await ask(zhangwei, '绑定查询 13800138000')
  t.true(lookup.startsWith('手机号 138****8000 绑定的公众号(共 2 个):\n1. 晨光茶馆 — 长期运营者'), lookup)
  // A dialog step and a change, kept in the database: 解绑 1 is read against the lookup above.
  t.true((await ask(zhangwei, '解绑 1')).startsWith('确认解除你在「晨光茶馆」的长期运营者身份'))
  const notice = new Promise<string>((resolve) => people.get('u_wangfang')!.on('message', (message) => {
    const text = message.payload.text ?? ''
    if (message.payload.talkerId === assistantContact.id && text.startsWith('运营者解绑通知')) resolve(text)
  }))
  t.true((await ask(zhangwei, '确认')).startsWith('已解除你在「晨光茶馆」的长期运营者身份'))
  const { rows: ended } = await pool.query<{ end_reason: string }>(`select end_reason from bindings where id = 'b_zw_tea'`)
  t.is(ended[0]!.end_reason, 'unbound')
  t.true((await notice).includes('张伟(微信号 zhangwei_ops)在「晨光茶馆」的长期运营者身份已于'), 'the admin is told, through the outbox in the database')

  runner.child.kill('SIGTERM')
  t.is(await runner.exited, 0, runner.output())
  t.true(runner.output().includes('Stopped; every change is saved.'), runner.output())
  t.deepEqual(stackLines(runner.output()), [], runner.output())
})
