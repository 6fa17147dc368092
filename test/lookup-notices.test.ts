// Owners told when their identifiers are looked up (issue 11, point 5): the asker's reply stays word for
// word the "no bindings" one; the owner of the phone or ID number is told (masked number, the asker's
// WeChat ID, when), at most once a day per asker and owner, across restarts; WeChat-ID lookups tell no one.
import test from 'ava'
import { days, hours, minutes } from '../src/domain/calendar.js'
import { startWorld, worldFor } from './fixture.js'
import type { World } from './fixture.js'

const ZHANGWEI = 'u_zhangwei' // zhangwei_ops
const ZHOUXIAO = 'u_zhouxiao' // zhouxiao_new
const ZHAOMIN = 'u_zhaomin' // 13900139001, ID 110105199502280078 (shared with her second account u_zhaomin_home)
const ZHAOMIN_HOME = 'u_zhaomin_home'
const NO_BINDINGS_PHONE = '未查询到手机号 139****9001 绑定的公众号。\n提示:绑定查询只能查你本人的手机号、身份证号或微信号。'

/** The lookup notices a user received (their other pushes left out). */
async function noticesOf (w: World, userId: string): Promise<string[]> {
  await w.settled()
  return w.inbox(userId).filter((text) => text.startsWith('绑定查询提醒'))
}

test('looking up someone else\'s phone: the reply is the "no bindings" one, the owner is told who and when, masked', async (t) => {
  const w = await worldFor(t)
  const reply = await w.ask(ZHANGWEI, '绑定查询 13900139001')
  t.is(reply, NO_BINDINGS_PHONE)
  t.is(await w.ask(ZHANGWEI, '绑定查询 13911119001'), NO_BINDINGS_PHONE, 'an unknown number masks the same and answers the same')
  const notices = await noticesOf(w, ZHAOMIN)
  t.deepEqual(notices, [[
    '绑定查询提醒',
    '微信号 zhangwei_ops 于 2026-11-21 10:00 用你的手机号 139****9001 查询了绑定的公众号。',
    '对方只看到"未查询到绑定"的回复,没有看到你的任何信息。如果你不认识对方,请留意是否有人在冒用你的信息。',
    '(同一人 24 小时内再次查询不再提醒)',
  ].join('\n')])
  t.false(notices[0]!.includes('13900139001'))
  t.deepEqual(await noticesOf(w, ZHANGWEI), [], 'the asker is told nothing')
  t.deepEqual(await noticesOf(w, ZHAOMIN_HOME), [], 'a phone number is one WeChat account\'s only')
})

test('at most once a day per asker and owner: again the same day nothing, another asker yes, the next day yes', async (t) => {
  const w = await worldFor(t)
  await w.ask(ZHANGWEI, '绑定查询 13900139001')
  w.clock.advance(hours(5))
  t.is(await w.ask(ZHANGWEI, '绑定查询 +86 139-0013-9001'), NO_BINDINGS_PHONE)
  t.is((await noticesOf(w, ZHAOMIN)).length, 1, 'the same asker the same day: told once')
  await w.ask(ZHOUXIAO, '绑定查询 13900139001')
  const two = await noticesOf(w, ZHAOMIN)
  t.is(two.length, 2, 'another asker is another notice')
  t.true(two[1]!.includes('微信号 zhouxiao_new 于 2026-11-21 15:00'), two[1])
  // across midnight but within 24 hours: still nothing; a day after the notice: told again
  w.clock.advance(hours(18) + minutes(59))
  await w.ask(ZHANGWEI, '绑定查询 13900139001')
  t.is((await noticesOf(w, ZHAOMIN)).length, 2)
  w.clock.advance(minutes(1))
  await w.ask(ZHANGWEI, '绑定查询 13900139001')
  const three = await noticesOf(w, ZHAOMIN)
  t.is(three.length, 3)
  t.true(three[2]!.includes('微信号 zhangwei_ops 于 2026-11-22 10:00'), three[2])
})

test('an ID number tells each WeChat account verified with it; a WeChat ID tells no one; one\'s own identifiers tell no one', async (t) => {
  const w = await worldFor(t)
  t.true((await w.ask(ZHANGWEI, '绑定查询 110105199502280078')).startsWith('未查询到身份证号 110***********0078 绑定的公众号'))
  for (const owner of [ZHAOMIN, ZHAOMIN_HOME]) {
    const notices = await noticesOf(w, owner)
    t.is(notices.length, 1, owner)
    t.true(notices[0]!.includes('用你的身份证号 110***********0078 查询了绑定的公众号'), notices[0])
    t.false(notices[0]!.includes('110105199502280078'))
  }
  // ★ a WeChat ID is not private: nobody is told
  await w.ask(ZHANGWEI, '绑定查询 zhaomin_work')
  // her own second account's phone, asked by 赵敏 herself (same ID number): not someone else's lookup
  await w.ask(ZHAOMIN, '绑定查询 13700137002')
  await w.ask(ZHAOMIN, '绑定查询 13900139001')
  t.is((await noticesOf(w, ZHAOMIN)).length, 1)
  t.is((await noticesOf(w, ZHAOMIN_HOME)).length, 1)
  t.is((await w.db.document()).lookupNotices.length, 2)
})

test('the once-a-day memory survives a restart, and a day later it is forgotten by the daily job', async (t) => {
  const first = await startWorld()
  await first.ask(ZHANGWEI, '绑定查询 13900139001')
  t.is((await noticesOf(first, ZHAOMIN)).length, 1)
  await first.stop()
  first.clock.advance(hours(2))
  const w = await worldFor(t, { storage: first.storage, clock: first.clock })
  t.is(await w.ask(ZHANGWEI, '绑定查询 13900139001'), NO_BINDINGS_PHONE)
  t.deepEqual(await noticesOf(w, ZHAOMIN), [], 'not told twice across the restart')
  t.is((await w.db.document()).lookupNotices.length, 1)
  await w.assistant.jobs.retention(w.clock.now() + days(1))
  t.deepEqual((await w.db.document()).lookupNotices, [], 'forgotten once it holds nothing back')
})

test('the rate limit still answers first: a rate-limited lookup tells no owner', async (t) => {
  const w = await worldFor(t, { plugin: { lookupLimit: { max: 1, windowMs: minutes(10) } } })
  await w.ask(ZHANGWEI, '绑定查询 13800138000')
  t.true((await w.ask(ZHANGWEI, '绑定查询 13900139001')).startsWith('查询太频繁'))
  t.deepEqual(await noticesOf(w, ZHAOMIN), [])
})
