// 续期: a short-term operator asks, the admin approves or refuses by reply.
import test from 'ava'
import { addMonths, days, formatDateTime, hours } from '../src/domain/calendar.js'
import { worldFor } from './fixture.js'

const ZHANGWEI = 'u_zhangwei' // short-term on 城西社区报 (admin 李强), long-term on 晨光茶馆
const LIQIANG = 'u_liqiang'
const codeIn = (text: string): string => /同意 ([A-Z0-9]{4,5})/.exec(text)![1]!

test('approval extends the binding by one calendar month from its current expiry; both sides hear it', async (t) => {
  const w = await worldFor(t)
  const expiresAt = Date.parse((await w.db.binding('b_zw_news'))!.expiresAt!)
  const asked = await w.ask(ZHANGWEI, '续期申请')
  t.true(asked.startsWith('已向「城西社区报」的管理员 李强 申请续期一个月'), asked)
  const [request] = await w.inboxOf(LIQIANG, 1)
  t.true(request!.startsWith('运营者续期申请\n张伟(微信号 zhangwei_ops)申请延长在「城西社区报」的短期运营者身份一个月'), request)
  const code = codeIn(request!)
  t.true((await w.ask(ZHANGWEI, '续期')).startsWith(`你已经申请过「城西社区报」的续期(编号 ${code})`))

  const renewed = addMonths(expiresAt, 1)
  t.is(await w.ask(LIQIANG, `同意 ${code}`), `已批准 张伟 在「城西社区报」的续期,新的到期时间 ${formatDateTime(renewed)},对方会收到通知。`)
  const notices = await w.inboxOf(ZHANGWEI, 3)
  t.is(notices[2], `你在「城西社区报」的续期申请已由管理员 李强 于 ${formatDateTime(w.clock.at)} 批准:短期运营者身份延长至 ${formatDateTime(renewed)}。`)
  t.is(Date.parse((await w.db.binding('b_zw_news'))!.expiresAt!), renewed)
  t.true((await w.ask(ZHANGWEI, '绑定查询 zhangwei_ops')).includes(`${formatDateTime(renewed)} 到期`))
  t.true((await w.ask(LIQIANG, `同意 ${code}`)).startsWith('这份「城西社区报」的续期申请已经批准了'))
})

test('refusal leaves the binding as it was and tells the operator', async (t) => {
  const w = await worldFor(t)
  const before = (await w.db.binding('b_zw_news'))!.expiresAt
  await w.ask(ZHANGWEI, '续期')
  const code = codeIn((await w.inboxOf(LIQIANG, 1))[0]!)
  t.is(await w.ask(LIQIANG, `拒绝 ${code}`), '已拒绝 张伟 在「城西社区报」的续期申请,对方会收到通知。')
  t.is((await w.inboxOf(ZHANGWEI, 2))[1], `你在「城西社区报」的续期申请已由管理员 李强 于 ${formatDateTime(w.clock.at)} 拒绝。到期后如需继续运营,请与管理员联系。`)
  t.is((await w.db.binding('b_zw_news'))!.expiresAt, before)
})

test('only that account\'s admin can decide; anyone else\'s answer changes nothing and reveals nothing', async (t) => {
  const w = await worldFor(t)
  const before = (await w.db.binding('b_zw_news'))!.expiresAt
  await w.ask(ZHANGWEI, '续期')
  const code = codeIn((await w.inboxOf(LIQIANG, 1))[0]!)
  t.is(await w.ask('u_wangfang', `同意 ${code}`), await w.ask('u_wangfang', '同意 QQQQ').then((r) => r.replace('QQQQ', code)))
  t.true((await w.ask('u_wangfang', `同意 ${code}`)).startsWith(`没有找到编号为 ${code}、等你回复的邀请或申请`))
  t.true((await w.ask(ZHANGWEI, `同意 ${code}`)).startsWith(`没有找到发给你的、邀请码为 ${code} 的邀请`))
  t.is((await w.db.binding('b_zw_news'))!.expiresAt, before)
  t.true((await w.ask(LIQIANG, `允许 ${code}`)).startsWith('已批准'), '允许 works as well as 同意')
})

test('a binding that lapsed within 30 days is renewed from now; after 30 days it cannot be', async (t) => {
  const w = await worldFor(t)
  const expiresAt = Date.parse((await w.db.binding('b_zw_news'))!.expiresAt!)
  w.clock.at = expiresAt + days(5)
  await w.assistant.jobs.expirySweep(w.clock.at)
  await w.settled()
  t.true((await w.ask(ZHANGWEI, '绑定查询 zhangwei_ops')).includes('共 1 个'), 'expired')
  await w.ask(ZHANGWEI, '续期')
  const request = (await w.inboxOf(LIQIANG, 2)).find((text) => text.startsWith('运营者续期申请'))!
  t.true(request.includes('已于'), request)
  t.true((await w.ask(LIQIANG, `同意 ${codeIn(request)}`)).includes(`新的到期时间 ${formatDateTime(addMonths(w.clock.at, 1))}`))
  const lookup = await w.ask(ZHANGWEI, '绑定查询 zhangwei_ops')
  t.true(lookup.includes('共 2 个') && lookup.includes('城西社区报 — 短期运营者'), lookup)

  w.clock.at = Date.parse((await w.db.binding('b_zw_news'))!.expiresAt!) + days(31)
  t.true((await w.ask(ZHANGWEI, '续期')).startsWith('你目前没有可以续期的短期运营者身份'))
})

test('long-term operators and people with nothing to renew are told why', async (t) => {
  const w = await worldFor(t)
  t.true((await w.ask('u_zhouxiao', '续期')).startsWith('你目前没有可以续期的短期运营者身份。续期只适用于短期运营者'))
  t.true((await w.ask('u_wangfang', '续期')).includes('长期运营者一直有效,无需续期'))
})

test('with several short-term roles the operator picks one by number', async (t) => {
  const w = await worldFor(t)
  await w.db.change((tx) => tx.updateUser(ZHANGWEI, { follows: ['acc_tea', 'acc_news', 'acc_photo'] }))
  await w.ask('u_liuyang', '绑定运营者 zhangwei_ops 短期')
  await w.ask(ZHANGWEI, '同意')
  const list = await w.ask(ZHANGWEI, '续期')
  t.true(list.startsWith('你有 2 个可以续期的短期运营者身份,请回复 续期 序号:\n1. 城西社区报 — '), list)
  t.true(list.includes('2. 海风摄影 — '))
  t.is(await w.ask(ZHANGWEI, '续期 3'), '没有序号 3(可以续期的共 2 个)。请回复 续期 1 到 续期 2 之间的序号。')
  t.true((await w.ask(ZHANGWEI, '续期 2')).startsWith('已向「海风摄影」的管理员 刘洋 申请续期'))
})

test('an unanswered request lapses after 72 hours and the operator is told', async (t) => {
  const w = await worldFor(t)
  await w.ask(ZHANGWEI, '续期')
  const code = codeIn((await w.inboxOf(LIQIANG, 1))[0]!)
  w.clock.advance(hours(72))
  await w.assistant.jobs.expirySweep(w.clock.at)
  const inbox = await w.inboxOf(ZHANGWEI, 3)
  t.true(inbox.some((text) => text === '你对「城西社区报」的续期申请管理员一直没有回复,已失效。如仍需要,可以再发送一次 续期。'), inbox.join('\n'))
  t.true((await w.ask(LIQIANG, `同意 ${code}`)).startsWith('这份「城西社区报」的续期申请已经失效了'))
})
