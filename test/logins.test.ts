// Logins confirmed by the person (issue 11, point 1), and decisions everyone can see (point 2): through
// the platform API and the mock puppet, on either engine, with the clock moved.
import test from 'ava'
import { formatDateTime, minutes, hours } from '../src/domain/calendar.js'
import { codeIn } from '../src/services/codes.js'
import { api } from './api-fixture.js'
import { startWorld, worldFor } from './fixture.js'

const WANGFANG = 'u_wangfang' // admin of 晨光茶馆 (风险操作保护 on) and 青禾书店 (off); alerts on
const LIQIANG = 'u_liqiang' // admin of 城西社区报
const ZHANGWEI = 'u_zhangwei' // long-term on 晨光茶馆, short-term on 城西社区报
const ZHAOMIN = 'u_zhaomin' // long-term on 青禾书店
const ZHOUXIAO = 'u_zhouxiao' // bound nowhere

const codeOf = (text: string, word: string): string => new RegExp(`${word} ([A-Z0-9]{4,5})`).exec(text)![1]!

test('a login waits for the person; 确认登录 under 风险操作保护 asks the admin, whose 允许 the platform and the person see with who and when', async (t) => {
  const { w, call } = await api(t)
  const asked = await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })
  t.is(asked.status, 201)
  t.like(asked.json, { state: 'awaiting-confirmation' })
  const id = String(asked.json.id)
  t.regex(id, /^lg_/)
  t.is(asked.json.expiresAt, new Date(w.clock.at + minutes(5)).toISOString())

  const [push] = await w.inboxOf(ZHANGWEI, 1)
  t.true(push!.startsWith('登录确认\n你正在登录「晨光茶馆」公众平台(2026-11-21 10:00)。\n是你本人在登录:回复 确认登录 '), push)
  const code = codeOf(push!, '确认登录')
  t.is(code.length, 5, 'new codes are five characters')
  t.true(push!.includes('10:05 前有效'))
  t.like((await call('GET', `/v1/logins/${id}`)).json, { id, state: 'awaiting-confirmation', account: 'acc_tea', actor: 'zhangwei_ops', confirmedAt: null, operation: null })

  w.clock.advance(minutes(1))
  const reply = await w.ask(ZHANGWEI, `确认登录 ${code.toLowerCase()}`)
  t.is(reply, '已确认。「晨光茶馆」开启了风险操作保护,这次登录还要等管理员 王芳 允许(10 分钟内,过时视为拒绝),结果会通知你。')
  const waiting = (await call('GET', `/v1/logins/${id}`)).json
  t.like(waiting, { state: 'pending', confirmedAt: new Date(w.clock.at).toISOString() })
  const operation = waiting.operation as Record<string, unknown>
  t.like(operation, { state: 'pending', operation: 'login', decidedBy: null, decidedAt: null })

  const request = (await w.inboxOf(WANGFANG, 1)).at(-1)!
  t.true(request.startsWith('风险操作确认\n长期运营者 张伟(微信号 zhangwei_ops)于 2026-11-21 10:01 请求在「晨光茶馆」登录公众平台。'), request)
  w.clock.advance(minutes(4))
  t.is(await w.ask(WANGFANG, `允许 ${codeOf(request, '允许')}`), '已允许 张伟 在「晨光茶馆」登录公众平台。')
  const done = (await call('GET', `/v1/logins/${id}`)).json
  t.is(done.state, 'allowed')
  t.like(done.operation as Record<string, unknown>, { state: 'approved', decidedBy: 'wangfang_tea', decidedAt: new Date(w.clock.at).toISOString() })
  t.like((await call('GET', `/v1/operations/${String(operation.id)}`)).json, { state: 'approved', decidedBy: 'wangfang_tea', decidedAt: new Date(w.clock.at).toISOString() })
  t.is((await w.inboxOf(ZHANGWEI, 3))[2], `你在「晨光茶馆」登录公众平台的请求已由管理员 王芳 于 ${formatDateTime(w.clock.at)} 允许。`)

  t.is(await w.ask(ZHANGWEI, `确认登录 ${code}`), '「晨光茶馆」的这次登录你已经确认过了,无需再回复。', 'once')
  const history = await w.ask(WANGFANG, '操作记录 晨光茶馆')
  t.true(history.includes(`张伟 确认登录:zhangwei_ops,编号 ${code}`), history)
  t.true(history.includes('风险操作(待管理员允许):zhangwei_ops 登录公众平台'), history)
  t.true(history.includes('允许风险操作:zhangwei_ops 登录公众平台'), history)
})

test('someone else\'s confirmation code does nothing, and reads exactly as a code that does not exist', async (t) => {
  const { w, call } = await api(t)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_books', actor: 'zhaomin_work' })).json.id)
  const code = codeOf((await w.inboxOf(ZHAOMIN, 1))[0]!, '确认登录')
  for (const other of [ZHANGWEI, WANGFANG, ZHOUXIAO]) {
    const theirs = await w.ask(other, `确认登录 ${code}`)
    t.is(theirs, `没有找到编号为 ${code}、等你确认的登录。请核对 登录确认 消息里的编号;只能确认自己的登录。`)
    t.is(await w.ask(other, `不是我 ${code}`), theirs)
  }
  const unknown = code === 'ZZZZZ' ? 'YYYYY' : 'ZZZZZ'
  t.is(await w.ask(ZHANGWEI, `确认登录 ${unknown}`), `没有找到编号为 ${unknown}、等你确认的登录。请核对 登录确认 消息里的编号;只能确认自己的登录。`)
  t.is(await w.ask(ZHANGWEI, '确认登录'), '现在没有等你确认的登录。请先在公众平台发起登录(扫码),收到 登录确认 消息后再回复。')
  t.like((await call('GET', `/v1/logins/${id}`)).json, { state: 'awaiting-confirmation' })
  // 赵敏 herself, on an account without protection: allowed at once, and the admin alerted
  t.is(await w.ask(ZHAOMIN, '确认登录'), '已确认,你现在可以登录「青禾书店」公众平台。', 'the code may be left out when one login waits')
  t.like((await call('GET', `/v1/logins/${id}`)).json, { state: 'allowed', operation: null })
  await w.settled()
  t.true(w.inbox(WANGFANG).some((m) => m.startsWith('风险操作提醒\n长期运营者 赵敏(微信号 zhaomin_work)于 2026-11-21 10:00 在「青禾书店」登录公众平台:已放行。')), w.inbox(WANGFANG).join('\n'))
})

test('with several logins waiting, 确认登录 without a code lists them; each code confirms its own', async (t) => {
  const { w, call } = await api(t)
  const tea = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  const news = String((await call('POST', '/v1/logins', { account: 'acc_news', actor: 'zhangwei_ops' })).json.id)
  const [first, second] = await w.inboxOf(ZHANGWEI, 2)
  const list = await w.ask(ZHANGWEI, '确认登录')
  t.is(list, `有 2 个登录在等你确认,请在 确认登录 后面加上编号:\n· 确认登录 ${codeOf(first!, '确认登录')} —「晨光茶馆」(10:05 前有效)\n· 确认登录 ${codeOf(second!, '确认登录')} —「城西社区报」(10:05 前有效)`)
  t.is(await w.ask(ZHANGWEI, `确认登录 ${codeOf(second!, '确认登录')}`), '已确认,你现在可以登录「城西社区报」公众平台。')
  t.like((await call('GET', `/v1/logins/${news}`)).json, { state: 'allowed' })
  t.like((await call('GET', `/v1/logins/${tea}`)).json, { state: 'awaiting-confirmation' })
})

test('an unconfirmed login lapses after 5 minutes by the clock, before any sweep; the sweep marks it once and takes back an unsent push', async (t) => {
  const { w, call } = await api(t)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  const code = codeOf((await w.inboxOf(ZHANGWEI, 1))[0]!, '确认登录')
  w.clock.advance(minutes(5))
  t.like((await call('GET', `/v1/logins/${id}`)).json, { state: 'lapsed' })
  t.is(await w.ask(ZHANGWEI, `确认登录 ${code}`), '「晨光茶馆」的这次登录超过 5 分钟没有确认,已失效。如需登录,请在公众平台重新发起登录。')
  t.is(await w.ask(ZHANGWEI, '确认登录'), '现在没有等你确认的登录。请先在公众平台发起登录(扫码),收到 登录确认 消息后再回复。')
  t.is((await w.db.document()).approvals.length, 0, 'nothing was asked of the admin')
  await w.assistant.jobs.expirySweep(w.clock.at)
  await w.assistant.jobs.expirySweep(w.clock.at + hours(1))
  t.is((await w.db.login(id))!.status, 'lapsed')
  t.is((await w.db.document()).history.filter((h) => h.action === 'login.lapsed').length, 1)
  t.like((await call('GET', `/v1/logins/${id}`)).json, { state: 'lapsed', confirmedAt: null })

  // Someone who never chatted with the assistant: the confirmation waits in the outbox, and is taken back when it lapses.
  await w.db.change((tx) => tx.addUser({ id: 'u_newbie', name: '新人', wechatId: 'newbie_01', accountProtection: true, bankCard: true, follows: [] }))
  const late = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'newbie_01' })).json.id)
  w.clock.advance(minutes(6))
  await w.assistant.jobs.expirySweep(w.clock.at)
  t.true((await w.db.messagesAbout(late)).every((m) => m.withdrawnAt !== undefined))
})

test('after the clock is set back by hours, a login asked before it cannot be confirmed, nor an operation request allowed: both lapse', async (t) => {
  const { w, call } = await api(t)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  const code = codeOf((await w.inboxOf(ZHANGWEI, 1))[0]!, '确认登录')
  w.clock.advance(-hours(3)) // the machine's clock corrected by three hours
  t.is(await w.ask(ZHANGWEI, `确认登录 ${code}`), '「晨光茶馆」的这次登录超过 5 分钟没有确认,已失效。如需登录,请在公众平台重新发起登录。')
  t.like((await call('GET', `/v1/logins/${id}`)).json, { state: 'lapsed' })
  t.is((await w.db.document()).approvals.length, 0, 'nothing was asked of the admin')

  // Asked again on the corrected clock: confirmed, and the admin asked (风险操作保护); then the clock goes back again.
  const again = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  t.true((await w.ask(ZHANGWEI, '确认登录')).startsWith('已确认。「晨光茶馆」开启了风险操作保护'))
  const request = (await w.inboxOf(WANGFANG, 1)).at(-1)!
  w.clock.advance(-hours(3))
  t.is(await w.ask(WANGFANG, `允许 ${codeOf(request, '允许')}`), '「晨光茶馆」的这个登录公众平台请求已经超过 10 分钟未处理,视为拒绝了,无需再回复。')
  t.like((await call('GET', `/v1/logins/${again}`)).json, { state: 'refused' })
})

test('after the clock is set back by hours, the next sweep lapses the login and the request asked before it: the person is told then, and a confirmation not yet sent is taken back', async (t) => {
  const { w, call } = await api(t)
  // 张伟 confirms a login under 风险操作保护 (the admin asked); a newcomer's confirmation waits in the outbox.
  const login = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  t.true((await w.ask(ZHANGWEI, '确认登录')).startsWith('已确认。「晨光茶馆」开启了风险操作保护'))
  await w.inboxOf(WANGFANG, 1)
  await w.db.change((tx) => tx.addUser({ id: 'u_newbie', name: '新人', wechatId: 'newbie_01', accountProtection: true, bankCard: true, follows: [] }))
  const unsent = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'newbie_01' })).json.id)

  w.clock.advance(-hours(3)) // the machine's clock corrected by three hours
  await w.assistant.jobs.expirySweep(w.clock.at)
  await w.settled()
  t.like((await call('GET', `/v1/logins/${login}`)).json, { state: 'refused' })
  t.true(w.inbox(ZHANGWEI).some((m) => m.startsWith(`你在「晨光茶馆」登录公众平台的请求,管理员到 ${formatDateTime(w.clock.at)} 也没有允许`)), 'told the request lapsed now, not once the clock has caught up, nor at a time still to come')
  t.is((await w.db.login(unsent))!.status, 'lapsed')
  t.true((await w.db.messagesAbout(unsent)).every((m) => m.withdrawnAt !== undefined), 'the lapsed confirmation is not sent later')
  const lapses = (await w.db.historyOf('acc_tea')).filter((h) => h.action === 'login.lapsed' || h.action === 'operation.lapsed')
  t.deepEqual(lapses.map((h) => h.action).sort(), ['login.lapsed', 'operation.lapsed'], 'the newcomer\'s login and 张伟\'s request')
  for (const entry of lapses) t.true(Date.parse(entry.at) <= w.clock.at, `${entry.action} is recorded at ${entry.at}, not in the future`)
})

test('不是我 stops the login and alerts the admin with a one-reply removal; the platform reads rejected', async (t) => {
  const { w, call } = await api(t)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  const code = codeOf((await w.inboxOf(ZHANGWEI, 1))[0]!, '不是我')
  t.is(await w.ask(ZHANGWEI, `不是我 ${code}`), '已拦下这次「晨光茶馆」的登录。管理员会收到提醒。有人可能知道你的公众平台登录信息:请检查微信帐号安全(微信 → 我 → 设置 → 帐号与安全),必要时修改密码。')
  t.like((await call('GET', `/v1/logins/${id}`)).json, { state: 'rejected', confirmedAt: new Date(w.clock.at).toISOString() })
  const [alert] = await w.inboxOf(WANGFANG, 1)
  t.is(alert, '登录异常提醒\n有人于 2026-11-21 10:00 以长期运营者 张伟(微信号 zhangwei_ops)的身份登录「晨光茶馆」公众平台,本人回复说不是自己在登录,这次登录已被拦下。\n' +
    '请提醒对方检查微信帐号安全;如有必要,回复 解绑运营者 zhangwei_ops 晨光茶馆,再回复 确认,解除其运营者身份。')
  t.is(await w.ask(ZHANGWEI, `确认登录 ${code}`), '「晨光茶馆」的这次登录你已经否认过了,无需再回复。')
  t.is((await w.db.document()).approvals.length, 0)
  t.true((await w.ask(WANGFANG, '操作记录 晨光茶馆')).includes(`登录被本人否认:zhangwei_ops,编号 ${code}`))
})

test('the rules after confirmation: not bound is denied with the reason; the admin\'s own login goes ahead; unknown account or person is 404', async (t) => {
  const { w, call } = await api(t)
  const stranger = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhouxiao_new' })).json.id)
  t.is(await w.ask(ZHOUXIAO, '确认登录'), '已确认,但不能登录「晨光茶馆」:该微信号不是这个公众号的管理员或运营者。请联系公众号的管理员绑定运营者。')
  t.like((await call('GET', `/v1/logins/${stranger}`)).json, { state: 'denied', reason: 'not-bound', message: '该微信号不是这个公众号的管理员或运营者。请联系公众号的管理员绑定运营者。' })

  const own = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'wangfang_tea' })).json.id)
  t.is(await w.ask(WANGFANG, '确认登录'), '已确认,你现在可以登录「晨光茶馆」公众平台。')
  t.like((await call('GET', `/v1/logins/${own}`)).json, { state: 'allowed' })

  t.like(await call('POST', '/v1/logins', { account: 'acc_nope', actor: 'zhangwei_ops' }), { status: 404, json: { error: 'unknown-account' } })
  t.like(await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'nobody_here' }), { status: 404, json: { error: 'unknown-user' } })
  t.like(await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops', operation: 'login' }), { status: 400 })
  t.like(await call('GET', '/v1/logins/lg_nothing'), { status: 404, json: { error: 'unknown-login' } })
  const openapi = (await call('GET', '/openapi.json')).json as { paths: Record<string, unknown> }
  t.truthy(openapi.paths['/v1/logins'])
  t.truthy(openapi.paths['/v1/logins/{id}'])
})

test('a login waiting for the admin that nobody allows: refused for the platform; both sides told once that it lapsed', async (t) => {
  const { w, call } = await api(t)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  await w.ask(ZHANGWEI, '确认登录')
  const request = (await w.inboxOf(WANGFANG, 1))[0]!
  const code = codeOf(request, '允许')
  w.clock.advance(minutes(10))
  t.like((await call('GET', `/v1/logins/${id}`)).json, { state: 'refused', message: '管理员没有允许这次登录(已拒绝,或 10 分钟内没有处理)。' })
  await w.assistant.jobs.expirySweep(w.clock.at)
  await w.assistant.jobs.expirySweep(w.clock.at + minutes(30))
  await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  const operator = w.inbox(ZHANGWEI).filter((m) => m.includes('已失效'))
  t.deepEqual(operator, ['你在「晨光茶馆」登录公众平台的请求,管理员到 2026-11-21 10:10 也没有允许,已失效(视为拒绝)。如仍需要,请在公众平台重新操作,并提醒管理员留意公众平台安全助手的消息。'])
  const admin = w.inbox(WANGFANG).filter((m) => m.includes('已失效'))
  t.deepEqual(admin, [`张伟(微信号 zhangwei_ops)在「晨光茶馆」登录公众平台的请求(编号 ${code})到 2026-11-21 10:10 没有等到你的允许,已失效(视为拒绝),对方已收到通知。无需再回复;如需放行,请对方在公众平台重新操作。`])
  t.like((await call('GET', `/v1/logins/${id}`)).json, { state: 'refused' })
})

test('a renewal request nobody answers: both sides told once that it lapsed', async (t) => {
  const { w } = await api(t)
  await w.ask(ZHANGWEI, '续期')
  const code = codeOf((await w.inboxOf(LIQIANG, 1))[0]!, '同意')
  t.is(code.length, 5)
  w.clock.advance(hours(73))
  await w.assistant.jobs.expirySweep(w.clock.at)
  await w.assistant.jobs.expirySweep(w.clock.at + hours(1))
  await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  t.is(w.inbox(ZHANGWEI).filter((m) => m.includes('已失效')).length, 1)
  t.deepEqual(w.inbox(LIQIANG).filter((m) => m.includes('已失效')), [`张伟(微信号 zhangwei_ops)在「城西社区报」的续期申请(编号 ${code})你一直没有回复,已失效,对方已收到通知。无需再回复;对方可以再次申请。`])
})

test('a code works only for the admin who may decide it now: another admin\'s answer is the unknown-code answer, and a handover is re-checked where the decision is written', async (t) => {
  const { w, call, operation } = await api(t)
  const asked = await operation('acc_tea', 'zhangwei_ops', 'mass-send')
  const approval = (await w.db.approval(String(asked.id)))!
  const unknown = approval.code === 'ZZZZZ' ? 'YYYYY' : 'ZZZZZ'
  t.is(await w.ask(LIQIANG, `允许 ${approval.code}`), (await w.ask(LIQIANG, `允许 ${unknown}`)).replace(unknown, approval.code))
  t.is(await w.ask(LIQIANG, `拒绝 ${approval.code}`), (await w.ask(LIQIANG, `拒绝 ${unknown}`)).replace(unknown, approval.code))

  // 王芳 read the request as its admin; the account changes hands before her answer is written.
  const wangfang = (await w.db.user(WANGFANG))!
  t.is((await call('PATCH', '/v1/accounts/acc_tea', { admin: 'liqiang_news' })).status, 200)
  t.deepEqual(await w.assistant.platform.operations.decide(wangfang, approval, true), { kind: 'not-yours' })
  t.true((await w.ask(WANGFANG, `允许 ${approval.code}`)).startsWith(`没有找到编号为 ${approval.code}`))
  t.is((await w.db.approval(approval.id))!.status, 'pending', 'still waits, for the new admin')
  t.is(await w.ask(LIQIANG, `允许 ${approval.code}`), '已允许 张伟 在「晨光茶馆」群发消息。')
  t.like((await call('GET', `/v1/operations/${approval.id}`)).json, { state: 'approved', decidedBy: 'liqiang_news' })
})

test('codes of four characters in existing data still load and still work; new ones are five', async (t) => {
  const { w, call } = await api(t)
  const now = new Date(w.clock.at).toISOString()
  const due = new Date(w.clock.at + minutes(10)).toISOString()
  await w.db.change((tx) => tx.addApproval({ id: 'op_old', code: 'HJKM', accountId: 'acc_tea', actorUserId: 'u_zhangwei', bindingId: 'b_zw_tea', operation: 'login', createdAt: now, expiresAt: due, status: 'pending' }))
  t.is(codeIn('允许 hjkm'), 'HJKM')
  t.is(codeIn('允许 hjkmn'), 'HJKMN')
  t.is(codeIn('允许 hjkmnp'), undefined, 'six is no code')
  t.is(await w.ask(WANGFANG, '允许 HJKM'), '已允许 张伟 在「晨光茶馆」登录公众平台。')
  t.like((await call('GET', '/v1/operations/op_old')).json, { state: 'approved', decidedBy: 'wangfang_tea' })
  const invited = await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 短期 晨光茶馆')
  t.regex(invited, /邀请码 [A-Z2-9]{5},/)
})

test('a login asked before a restart is confirmed after it; an admin\'s own confirmation that lapses is told to the admin once', async (t) => {
  const first = await startWorld()
  const login = await first.assistant.platform.logins.request('acc_tea', 'zhangwei_ops')
  t.is(login.kind, 'asked')
  const code = codeOf((await first.inboxOf(ZHANGWEI, 1))[0]!, '确认登录')
  await first.stop()

  const second = await worldFor(t, { storage: first.storage, clock: first.clock })
  second.clock.advance(minutes(2))
  t.true((await second.ask(ZHANGWEI, `确认登录 ${code}`)).startsWith('已确认。「晨光茶馆」开启了风险操作保护'))
  const { id } = (login as { login: { id: string } }).login
  const status = (await second.assistant.platform.logins.status(id))!
  t.is(status.outcome.state, 'pending')

  const rename = await second.assistant.platform.operations.request('acc_tea', 'wangfang_tea', 'rename-account')
  t.is(rename.result, 'pending')
  second.clock.advance(minutes(11))
  await second.assistant.jobs.expirySweep(second.clock.at)
  await second.assistant.jobs.expirySweep(second.clock.at + minutes(1))
  await second.assistant.jobs.outbox(second.clock.at)
  await second.settled()
  const lapsed = second.inbox(WANGFANG).filter((m) => m.includes('已失效'))
  t.is(lapsed.length, 2, lapsed.join('\n')) // 张伟's login and her own rename, one each
  t.true(lapsed.some((m) => m.startsWith('你在「晨光茶馆」修改公众号名称的确认请求') && m.endsWith('无需再回复;如仍需要,请在公众平台重新操作。')), lapsed.join('\n'))
  t.is((await second.assistant.platform.logins.status(id))!.outcome.state, 'refused')
})

test('a code typed with a typo (O for 0, a letter too many) names no login: it never falls back to the only one waiting', async (t) => {
  const { w, call } = await api(t)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  await w.inboxOf(ZHANGWEI, 1)
  const reply = await w.ask(ZHANGWEI, '确认登录 K7Q2O')
  t.false(reply.startsWith('已确认'), reply)
  t.is((await w.db.login(id))!.status, 'pending')
  t.true(reply.includes('没有找到编号为 K7Q2O'), reply)
  t.true((await w.ask(ZHANGWEI, '不是我 ABCDEF')).includes('没有找到编号为 ABCDEF'))
  t.is((await w.db.login(id))!.status, 'pending')
  t.true((await w.ask(ZHANGWEI, '确认登录。')).startsWith('已确认'), 'punctuation alone is no code: the only login waiting is meant')
})
