// Decisions check the present: an approval or renewal re-checks, when it is decided, that the requester
// still holds the role it depended on; a binding that ends closes every open request that depended on it.
import test from 'ava'
import { hours, minutes } from '../src/domain/calendar.js'
import { api } from './api-fixture.js'

const WANGFANG = 'u_wangfang' // admin of 晨光茶馆 (risk protection on) and 青禾书店
const LIQIANG = 'u_liqiang' // admin of 城西社区报
const ZHANGWEI = 'u_zhangwei' // long-term on 晨光茶馆, short-term on 城西社区报 (close to expiry)

test('an operator removed while their login waits: the request closes at once, 允许 cannot approve it, the platform reads closed', async (t) => {
  const { w, call, operation } = await api(t)
  const asked = await operation('acc_tea', 'zhangwei_ops', 'login')
  t.is(asked.result, 'pending')
  const { code } = (await w.db.approval(String(asked.id)))!
  await w.ask(WANGFANG, '解绑运营者 zhangwei_ops 晨光茶馆')
  t.true((await w.ask(WANGFANG, '确认')).startsWith('已解除 张伟'))

  const status = await call('GET', `/v1/operations/${String(asked.id)}`)
  t.like(status.json, { state: 'closed', closedReason: 'removed', decidedAt: null })
  t.true((await w.ask(WANGFANG, '允许')).startsWith('现在没有等你允许的请求'), 'it left the admin\'s open list')
  const reply = await w.ask(WANGFANG, `允许 ${code}`)
  t.is(reply, '「晨光茶馆」的这个登录公众平台请求已关闭,没有放行:张伟 的运营者身份已被解除,请求随之失效。无需再回复。')
  t.like((await call('GET', `/v1/operations/${String(asked.id)}`)).json, { state: 'closed', closedReason: 'removed' })
  t.is((await w.db.approval(String(asked.id)))!.status, 'closed')
  const history = await w.ask(WANGFANG, '操作记录 晨光茶馆')
  t.true(history.includes('风险操作请求关闭:zhangwei_ops 登录公众平台(请求已关闭:运营者已被解除)'), history)
  t.false(history.includes('允许风险操作'), 'nothing was approved')
})

test('a short-term operator whose binding expires while the request waits: closed by the clock, before any sweep, and the sweep keeps it closed', async (t) => {
  const { w, call, operation } = await api(t)
  await w.db.change((tx) => tx.updateAccount('acc_news', { riskProtection: true }))
  const expiresAt = Date.parse((await w.db.binding('b_zw_news'))!.expiresAt!)
  w.clock.at = expiresAt - minutes(5)
  const asked = await operation('acc_news', 'zhangwei_ops', 'mass-send')
  t.is(asked.result, 'pending')
  const { code } = (await w.db.approval(String(asked.id)))!
  w.clock.at = expiresAt + minutes(1) // still inside the request's 10 minutes

  t.like((await call('GET', `/v1/operations/${String(asked.id)}`)).json, { state: 'closed', closedReason: 'expired' })
  t.is(await w.ask(LIQIANG, `允许 ${code}`), '「城西社区报」的这个群发消息请求已关闭,没有放行:张伟 的短期运营者身份已到期,请求随之失效。无需再回复。')
  await w.assistant.jobs.expirySweep(w.clock.at)
  w.clock.advance(minutes(20))
  await w.assistant.jobs.expirySweep(w.clock.at)
  t.like((await call('GET', `/v1/operations/${String(asked.id)}`)).json, { state: 'closed', closedReason: 'expired' })
  t.is((await w.db.document()).history.filter((h) => h.action === 'operation.closed').length, 1, 'closed once')
  t.false((await w.db.document()).history.some((h) => h.action === 'operation.approved' || h.action === 'operation.lapsed'))
})

test('an operator who unbinds while a renewal request waits: it closes at once, the admin cannot approve it, and nobody hears 72 hours later that the admin never answered', async (t) => {
  const { w } = await api(t)
  t.true((await w.ask(ZHANGWEI, '续期')).startsWith('已向「城西社区报」的管理员 李强 申请续期'))
  const [request] = await w.inboxOf(LIQIANG, 1)
  const code = /同意 ([A-Z0-9]{4,5})/.exec(request!)![1]!
  const lookup = await w.ask(ZHANGWEI, '绑定查询 13800138000')
  const line = lookup.split('\n').find((l) => l.includes('城西社区报'))!
  await w.ask(ZHANGWEI, `解绑 ${line[0]}`)
  t.true((await w.ask(ZHANGWEI, '确认')).startsWith('已解除你在「城西社区报」的短期运营者身份'))

  t.false((await w.ask(LIQIANG, '同意')).includes(code), 'not listed as open')
  t.is(await w.ask(LIQIANG, `同意 ${code}`), '这份「城西社区报」的续期申请已关闭,不能再批准:张伟 已自行解除了运营者身份。如需让对方继续运营,请重新邀请(绑定运营者)。')
  t.is((await w.db.binding('b_zw_news'))!.endReason, 'unbound', 'the approval did not bring the binding back')

  w.clock.advance(hours(73))
  await w.assistant.jobs.expirySweep(w.clock.at)
  await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  t.false(w.inbox(ZHANGWEI).some((text) => text.includes('一直没有回复')), 'no "the admin never answered"')
  t.is((await w.db.document()).renewals[0]!.status, 'closed')
})

test('a renewal request asked before expiry can still be approved after the binding lapsed: expiry is what renewal is for', async (t) => {
  const { w } = await api(t)
  await w.ask(ZHANGWEI, '续期')
  const [request] = await w.inboxOf(LIQIANG, 1)
  const code = /同意 ([A-Z0-9]{4,5})/.exec(request!)![1]!
  w.clock.at = Date.parse((await w.db.binding('b_zw_news'))!.expiresAt!) + hours(1)
  await w.assistant.jobs.expirySweep(w.clock.at)
  t.true((await w.ask(LIQIANG, `同意 ${code}`)).startsWith('已批准 张伟 在「城西社区报」的续期'))
})

test('a clock that steps back never hides an open request: the admin still sees it and a removal still closes it', async (t) => {
  const { w, call, operation } = await api(t)
  const start = w.clock.at
  const first = await operation('acc_tea', 'zhangwei_ops', 'mass-send') // due start + 10 min
  // Steps within the slack a clock may step back by (domain/deadlines.ts): a request made before a step
  // back of hours lapses instead (logins.test.ts).
  w.clock.at = start - 50_000
  await operation('acc_tea', 'zhaomin_work', 'mass-send') // made later, due earlier
  w.clock.at = start - 40_000
  const open = await w.ask(WANGFANG, '允许')
  t.true(open.includes((await w.db.approval(String(first.id)))!.code), open)
  await w.ask(WANGFANG, '解绑运营者 zhangwei_ops 晨光茶馆')
  await w.ask(WANGFANG, '确认')
  t.is((await w.db.approval(String(first.id)))!.status, 'closed', 'closed in the change that removed the operator')
  t.like((await call('GET', `/v1/operations/${String(first.id)}`)).json, { state: 'closed', closedReason: 'removed' })
})
