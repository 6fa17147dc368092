// 绑定查询 through the mock puppet, as operators would chat.
import test from 'ava'
import { days, hours, minutes } from '../src/domain/calendar.js'
import { idCheckDigit } from '../src/domain/identity.js'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LookupService } from '../src/services/lookup.js'
import { Store } from '../src/store/store.js'
import { embeddedOnly, worldFor } from './fixture.js'

const ZHANGWEI = { id: 'u_zhangwei', phone: '13800138000', idNumber: '510107199208150069', wechatId: 'zhangwei_ops' }

/** Operator 张伟 in the demo world: long-term on 晨光茶馆, short-term on 城西社区报 (expiring in about 2 days). */
function assertZhangWeiBindings (t: { true: (v: boolean, m?: string) => void, false: (v: boolean, m?: string) => void }, reply: string): void {
  t.true(reply.includes('共 2 个'), reply)
  t.true(/1\. 晨光茶馆 — 长期运营者,\d{4}-\d\d-\d\d 绑定/.test(reply), reply)
  t.true(/2\. 城西社区报 — 短期运营者,\d{4}-\d\d-\d\d 绑定,\d{4}-\d\d-\d\d \d\d:\d\d 到期/.test(reply), reply)
  t.false(reply.includes(ZHANGWEI.phone) || reply.includes(ZHANGWEI.idNumber), 'identifiers are masked')
}

test('the menu-driven lookup by each method lists the asker\'s accounts with role, date and expiry', async (t) => {
  const w = await worldFor(t)
  const methods: Array<[string, string, string]> = [
    ['1', ZHANGWEI.phone, '手机号 138****8000'],
    ['2', ZHANGWEI.idNumber, '身份证号 510***********0069'],
    ['3', ZHANGWEI.wechatId, '微信号 zh***ps'],
  ]
  for (const [choice, value, subject] of methods) {
    t.true((await w.ask(ZHANGWEI.id, '绑定查询')).includes('1 手机号\n2 身份证号\n3 微信号'))
    t.true((await w.ask(ZHANGWEI.id, choice)).startsWith('请输入你的'))
    const reply = await w.ask(ZHANGWEI.id, value)
    t.true(reply.startsWith(subject), reply)
    assertZhangWeiBindings(t, reply)
  }
})

test('a one-shot lookup detects the type of the value', async (t) => {
  const w = await worldFor(t)
  for (const value of ['+86 138-0013-8000', ZHANGWEI.idNumber, 'ZhangWei_Ops']) {
    assertZhangWeiBindings(t, await w.ask(ZHANGWEI.id, `绑定查询 ${value}`))
  }
  assertZhangWeiBindings(t, await w.ask(ZHANGWEI.id, `绑定查询${ZHANGWEI.phone}`))
})

test('a number spelt with dots, keycap emoji or a bare 86 finds the same person as the number the mask reads in it', async (t) => {
  const w = await worldFor(t)
  // The last mask reads each of these as 张伟's phone or ID number (138****8000); the lookup must too.
  for (const value of ['138.0013.8000', '138。0013。8000', '１３８．００１３．８０００', '138·0013·8000', '86 138 0013 8000',
    '1️⃣3️⃣8️⃣0️⃣0️⃣1️⃣3️⃣8️⃣0️⃣0️⃣0️⃣', '510107.19920815.0069']) {
    assertZhangWeiBindings(t, await w.ask(ZHANGWEI.id, `绑定查询 ${value}`))
  }
  await w.ask(ZHANGWEI.id, '绑定查询')
  await w.ask(ZHANGWEI.id, '1')
  assertZhangWeiBindings(t, await w.ask(ZHANGWEI.id, '138.0013.8000'))
})

test('a keycap emoji is the digit on the key: a menu choice, and the number after 解绑', async (t) => {
  const w = await worldFor(t)
  await w.ask(ZHANGWEI.id, '绑定查询')
  t.true((await w.ask(ZHANGWEI.id, '1️⃣')).startsWith('请输入你的 11 位手机号'))
  assertZhangWeiBindings(t, await w.ask(ZHANGWEI.id, ZHANGWEI.phone))
  t.true((await w.ask(ZHANGWEI.id, '解绑 1⃣')).startsWith('确认解除你在「'), 'the keycap without its emoji selector too')
})

test('an admin sees their admin roles in the lookup', async (t) => {
  const w = await worldFor(t)
  const reply = await w.ask('u_wangfang', '绑定查询 wangfang_tea')
  t.true(reply.includes('1. 晨光茶馆 — 管理员'), reply)
  t.true(reply.includes('2. 青禾书店 — 管理员'), reply)
  t.false(reply.includes('解绑 序号'), 'no unbind hint when only admin roles are listed')
})

test('another person\'s phone or ID number gets word for word the reply for an identifier with no bindings', async (t) => {
  const w = await worldFor(t)
  // 赵敏's phone (5 bindings) and an unregistered phone that masks the same way
  const othersPhone = await w.ask(ZHANGWEI.id, '绑定查询 13900139001')
  const unusedPhone = await w.ask(ZHANGWEI.id, '绑定查询 13911119001')
  t.is(othersPhone, unusedPhone)
  t.true(othersPhone.startsWith('未查询到手机号 139****9001 绑定的公众号'), othersPhone)

  // 赵敏's ID number and an unregistered valid one with the same first 3 and last 4 characters
  const zhaominId = '110105199502280078'
  let unusedId = ''
  for (let day = 10; day <= 28 && !unusedId; day++) {
    const first17 = `110105199502${day}007`
    if (idCheckDigit(first17) === '8') unusedId = `${first17}8`
  }
  t.truthy(unusedId)
  const othersId = await w.ask(ZHANGWEI.id, `绑定查询 ${zhaominId}`)
  t.is(othersId, await w.ask(ZHANGWEI.id, `绑定查询 ${unusedId}`))
  t.false(othersId.includes('海风摄影'))

  // someone asking for the phone of a person who really has no bindings gets that same reply as well
  t.is(await w.ask(ZHANGWEI.id, '绑定查询 18600186008'), await w.ask('u_zhouxiao', '绑定查询 18600186008'))
  // and so does another person's WeChat ID, compared with an unregistered one that masks the same way
  t.is(await w.ask(ZHANGWEI.id, '绑定查询 zhaomin_work'), await w.ask(ZHANGWEI.id, '绑定查询 zhxyzrk'))
})

test('an ID number shared by two WeChat accounts shows the other account\'s bindings, naming it', async (t) => {
  const w = await worldFor(t)
  const reply = await w.ask('u_zhaomin_home', '绑定查询 110105199502280078')
  t.true(reply.includes('共 5 个'), reply)
  t.true(reply.includes('(微信号 zh***rk)'), reply)
  // by phone or WeChat ID, 赵敏's private account has nothing of its own
  t.true((await w.ask('u_zhaomin_home', '绑定查询 13700137002')).startsWith('未查询到'))
  t.true((await w.ask('u_zhaomin_home', '绑定查询 zhaomin_home')).startsWith('未查询到'))
})

test('malformed values get a reply naming the expected format and change nothing', async (t) => {
  const w = await worldFor(t)
  const cases: Array<[string, string]> = [
    ['绑定查询 1380013800', '应为 11 位数字'],
    ['绑定查询 12800138000', '以 13–19 开头'],
    ['绑定查询 510107199208150068', '校验码对不上'],
    ['绑定查询 110105194902300021', '出生日期'],
    ['绑定查询 zw', '6–20 个字符'],
    ['绑定查询 @@@', '没认出'],
  ]
  for (const [text, expected] of cases) {
    const reply = await w.ask(ZHANGWEI.id, text)
    t.true(reply.includes(expected), `${text} → ${reply}`)
  }
  // inside the dialog a bad value keeps the step so the person can type it again
  await w.ask(ZHANGWEI.id, '绑定查询')
  await w.ask(ZHANGWEI.id, '2')
  t.true((await w.ask(ZHANGWEI.id, '51010719920815006')).includes('请重新输入'))
  assertZhangWeiBindings(t, await w.ask(ZHANGWEI.id, ZHANGWEI.idNumber))
  // a WeChat ID that begins like a command is still a value
  await w.ask('u_zhaomin', '绑定查询')
  await w.ask('u_zhaomin', '3')
  t.true((await w.ask('u_zhaomin', 'help_desk1')).startsWith('未查询到微信号 he***k1'))
  // a bad menu choice asks again
  await w.ask(ZHANGWEI.id, '绑定查询')
  t.true((await w.ask(ZHANGWEI.id, '4')).startsWith('请回复 1、2 或 3'))
})

test('lookups are rate-limited per person, with the time to try again', async (t) => {
  const w = await worldFor(t)
  for (let i = 0; i < 10; i++) t.false((await w.ask(ZHANGWEI.id, `绑定查询 1390013${String(9000 + i)}`)).startsWith('查询太频繁'))
  const refused = await w.ask(ZHANGWEI.id, `绑定查询 ${ZHANGWEI.phone}`)
  t.true(refused.startsWith('查询太频繁:每 10 分钟最多查询 10 次。请在 10:10 之后再试。'), refused)
  t.false(refused.includes('晨光茶馆'))
  // another person is not affected
  t.true((await w.ask('u_zhaomin', '绑定查询 zhaomin_work')).includes('共 5 个'))
  w.clock.advance(minutes(10))
  assertZhangWeiBindings(t, await w.ask(ZHANGWEI.id, `绑定查询 ${ZHANGWEI.phone}`))
})

test('after the clock is set back by hours, a person at the lookup limit waits its 10 minutes, not the jump', async (t) => {
  const w = await worldFor(t)
  for (let i = 0; i < 10; i++) t.false((await w.ask(ZHANGWEI.id, `绑定查询 1390013${String(9000 + i)}`)).startsWith('查询太频繁'))
  w.clock.advance(-hours(3)) // 07:00 in Shanghai
  const refused = await w.ask(ZHANGWEI.id, `绑定查询 ${ZHANGWEI.phone}`)
  t.true(refused.startsWith('查询太频繁:每 10 分钟最多查询 10 次。请在 07:10 之后再试。'), refused)
  w.clock.advance(minutes(10))
  assertZhangWeiBindings(t, await w.ask(ZHANGWEI.id, `绑定查询 ${ZHANGWEI.phone}`))
})

test('an expired short-term binding is not listed as active, before any sweep', async (t) => {
  const w = await worldFor(t)
  // 孙丽's short-term binding on 青禾书店 lapsed a few days before the demo's start
  const sunli = await w.ask('u_sunli', '绑定查询 sunli_design')
  t.true(sunli.startsWith('微信号 su***gn 目前没有有效的绑定'), sunli)
  t.true(/已到期[^]*青禾书店 — 短期运营者,.* 到期;如需继续运营,发送 续期 向管理员申请\(到期 30 天内\),或请管理员重新邀请/.test(sunli), sunli)
  t.false(sunli.includes('解绑'))

  // 张伟's short-term binding on 城西社区报 expires within 3 days: move the clock past it
  w.clock.advance(days(3))
  const later = await w.ask(ZHANGWEI.id, `绑定查询 ${ZHANGWEI.phone}`)
  t.true(later.includes('共 1 个'), later)
  t.true(later.includes('1. 晨光茶馆 — 长期运营者'))
  t.true(/已到期[^]*城西社区报 — 短期运营者/.test(later), later)
})

embeddedOnly('the lookup rate limit forgets people whose lookups are all older than its window', async (t) => {
  let now = Date.parse('2026-11-21T02:00:00Z')
  // The hits are kept by the store now (its engine); the embedded one counts the askers it remembers.
  const store = await Store.open({ file: join(await mkdtemp(join(tmpdir(), 'assistant-lookup-')), 'assistant.json'), now })
  t.teardown(() => store.close())
  const ctx = { engine: store.engine(), now: () => now, deliver: () => undefined, deliverNow: async () => ({ sent: true as const }), log: { info: () => undefined, warn: () => undefined, error: () => undefined } }
  const lookups = new LookupService(ctx, { max: 2, windowMs: 60_000 })
  const identifier = { kind: 'wechatId' as const, value: 'someone_1' }
  for (let i = 0; i < 500; i++) void lookups.lookup(`stranger-${i}`, undefined, identifier)
  t.is(store.lookupAskers, 500)
  now += 30_000
  await lookups.lookup('recent', undefined, identifier)
  now += 40_000
  await lookups.forget(now)
  t.is(store.lookupAskers, 1, 'only the one whose lookup is still inside the window is kept')
})
