// Review of issue 11 (an outside reviewer's attacks): each test shows one problem found, and fails until it is fixed.
import test from 'ava'
import { days, minutes } from '../src/domain/calendar.js'
import { api } from './api-fixture.js'
import { worldFor } from './fixture.js'

const WANGFANG = 'u_wangfang' // admin of 晨光茶馆 (风险操作保护 on) and 青禾书店
const ZHANGWEI = 'u_zhangwei' // long-term on 晨光茶馆

const codeOf = (text: string, word: string): string => new RegExp(`${word} ([A-Z0-9]{4,5})`).exec(text)![1]!

// ───────────────────────────────────────────────────────────────────────────── webhook

test('webhook: a cloud metadata / link-local address is refused as a webhook URL (SSRF)', async (t) => {
  const { call } = await api(t)
  for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/', 'http://0.0.0.0:22/', 'http://[fe80::1]/']) {
    const { status } = await call('PUT', '/v1/webhook', { url })
    t.is(status, 400, url)
  }
})

test('webhook: 不是我 (a login the person disowned) is announced to the platform, which otherwise never learns it without polling', async (t) => {
  const { w, call } = await api(t)
  t.is((await call('PUT', '/v1/webhook', { url: 'http://127.0.0.1:9/hook' })).status, 201)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  const code = codeOf((await w.inboxOf(ZHANGWEI, 1))[0]!, '确认登录')
  t.true((await w.ask(ZHANGWEI, `不是我 ${code}`)).length > 0)
  const events = await w.db.webhookEvents(50)
  t.true(events.some((e) => e.body.includes(id)), `events: ${events.map((e) => e.type).join(', ')}`)
})

test('webhook: a login nobody confirmed in time is announced to the platform when it lapses', async (t) => {
  const { w, call } = await api(t)
  t.is((await call('PUT', '/v1/webhook', { url: 'http://127.0.0.1:9/hook' })).status, 201)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  w.clock.advance(minutes(6))
  await w.assistant.jobs.expirySweep(w.clock.at)
  t.is((await w.db.login(id))!.status, 'lapsed')
  const events = await w.db.webhookEvents(50)
  t.true(events.some((e) => e.body.includes(id)), `events: ${events.map((e) => e.type).join(', ')}`)
})

// ───────────────────────────────────────────────────────────────────────────── logins

test('logins: a code typed with a typo (O for 0, an extra letter) is not taken as "no code" and does not confirm the only pending login', async (t) => {
  const { w, call } = await api(t)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  await w.inboxOf(ZHANGWEI, 1)
  const reply = await w.ask(ZHANGWEI, '确认登录 K7Q2O')
  t.false(reply.startsWith('已确认'), reply)
  t.is((await w.db.login(id))!.status, 'pending')
})

// ───────────────────────────────────────────────────────────────────────────── reviews

test('reviews: a review past its 14 days (not yet swept by the daily job) no longer removes anyone', async (t) => {
  const w = await worldFor(t)
  t.true((await w.ask(WANGFANG, '权限复核 晨光茶馆')).length > 0)
  w.clock.advance(days(15))
  const reply = await w.ask(WANGFANG, '移除 1')
  t.is((await w.db.binding('b_zm_tea'))!.endedAt, undefined, reply)
})
