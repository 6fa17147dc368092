// 权限复核: the admin reviews the long-term operators of an account, started by the daily job when due or
// by 权限复核 at any time; answered with 保留 / 移除 / 全部保留; reminded after 3 and 7 days; closed
// unanswered after 14 without removing anyone. Runs on both engines.
import test from 'ava'
import { days, formatDate, hours, minutes, startOfShanghaiDay } from '../src/domain/calendar.js'
import { DEFAULT_REVIEW_DAYS, parseReviewDays, parseReviewReply, reviewDue, reviewDueAt } from '../src/domain/reviews.js'
import type { ReviewHistory } from '../src/domain/reviews.js'
import { startWorld, worldFor } from './fixture.js'
import type { World } from './fixture.js'

const WANGFANG = 'u_wangfang' // admin of 晨光茶馆 (long-term: 赵敏 since January, 张伟 since May) and 青禾书店
const LIQIANG = 'u_liqiang' // admin of 城西社区报: only a short-term operator there
const ZHAOMIN = 'u_zhaomin'
const ZHANGWEI = 'u_zhangwei'

const count = (texts: readonly string[], part: string): number => texts.filter((x) => x.includes(part)).length
const runJob = async (w: World): Promise<unknown> => {
  const result = await w.assistant.jobs.accessReviews(w.clock.at)
  await w.settled()
  return result
}
const openReviewOf = async (w: World, accountId: string) => (await w.db.reviewsOfAccount(accountId)).find((r) => r.status === 'open')

// ------------------------------------------------------------------------------------------ pure rules

test('parseReviewReply reads numbers, 全部 and an account name', (t) => {
  const cases: Array<[string, ReturnType<typeof parseReviewReply>]> = [
    ['1 3', { ok: true, numbers: [1, 3], accountName: '' }],
    ['1,3', { ok: true, numbers: [1, 3], accountName: '' }],
    ['1、3 晨光茶馆', { ok: true, numbers: [1, 3], accountName: '晨光茶馆' }],
    ['2', { ok: true, numbers: [2], accountName: '' }],
    ['3 3 1', { ok: true, numbers: [3, 1], accountName: '' }],
    ['全部', { ok: true, numbers: 'all', accountName: '' }],
    ['全部 晨光  茶馆', { ok: true, numbers: 'all', accountName: '晨光 茶馆' }],
    ['', { ok: false, problem: 'no-numbers' }],
    ['晨光茶馆', { ok: false, problem: 'no-numbers' }],
    ['0', { ok: false, problem: 'bad-number', word: '0' }],
    ['1 99999999999999999999', { ok: false, problem: 'bad-number', word: '99999999999999999999' }],
    ['constructor', { ok: false, problem: 'no-numbers' }],
  ]
  for (const [input, expected] of cases) t.deepEqual(parseReviewReply(input), expected, input)
})

test('parseReviewDays takes whole days from 30 to 365', (t) => {
  const cases: Array<[string, ReturnType<typeof parseReviewDays>]> = [
    ['60', { ok: true, days: 60 }],
    ['30', { ok: true, days: 30 }],
    ['365', { ok: true, days: 365 }],
    ['29', { ok: false, problem: 'out-of-range' }],
    ['366', { ok: false, problem: 'out-of-range' }],
    ['0', { ok: false, problem: 'out-of-range' }],
    ['6.5', { ok: false, problem: 'not-a-number' }],
    ['-60', { ok: false, problem: 'not-a-number' }],
    ['九十', { ok: false, problem: 'not-a-number' }],
    ['1e2', { ok: false, problem: 'not-a-number' }],
  ]
  for (const [input, expected] of cases) t.deepEqual(parseReviewDays(input), expected, input)
})

test('reviewDueAt: a cycle after the first long-term operator, after the last review, sooner after a lapse', (t) => {
  const T = Date.parse('2026-01-01T00:00:00Z') // 08:00 in Shanghai
  const D = T - hours(8) // 00:00 in Shanghai that day: reviews fall due on a date
  const late = T + hours(15) + 59 * 60_000 // 23:59 in Shanghai that day
  const cases: Array<[string, ReviewHistory, number | undefined]> = [
    ['no long-term operator', { intervalDays: undefined, last: undefined, earliestBoundAt: undefined }, undefined],
    ['never reviewed', { intervalDays: undefined, last: undefined, earliestBoundAt: T }, D + days(DEFAULT_REVIEW_DAYS)],
    ['its own cycle', { intervalDays: 30, last: undefined, earliestBoundAt: T }, D + days(30)],
    ['one is open', { intervalDays: undefined, last: { startedAt: T, status: 'open', closedAt: undefined }, earliestBoundAt: T }, undefined],
    ['completed', { intervalDays: 60, last: { startedAt: T + days(5), status: 'completed', closedAt: T + days(9) }, earliestBoundAt: T }, D + days(65)],
    ['completed, started at 23:59', { intervalDays: 60, last: { startedAt: late, status: 'completed', closedAt: late + days(1) }, earliestBoundAt: T }, D + days(60)],
    ['lapsed', { intervalDays: 90, last: { startedAt: T, status: 'lapsed', closedAt: T + days(14) }, earliestBoundAt: T }, D + days(44)],
    ['lapsed, short cycle', { intervalDays: 30, last: { startedAt: T, status: 'lapsed', closedAt: T + days(14) }, earliestBoundAt: T }, D + days(30)],
  ]
  for (const [name, history, expected] of cases) t.is(reviewDueAt(history), expected, name)
})

test('reviewDue: reminders on the dates of day 3 and 7, each once, the latest when both are due; lapse 14 full days after the start', (t) => {
  const S = Date.parse('2026-01-01T00:00:00Z')
  const cases: Array<[string, number[], number, ReturnType<typeof reviewDue>]> = [
    ['day 1', [], days(1), undefined],
    ['day 3 at 00:00 in Shanghai, before the hour it started', [], days(3) - hours(8), { kind: 'remind', day: 3, markSent: [3] }],
    ['day 2 at 23:59', [], days(3) - hours(8) - 1, undefined],
    ['day 3', [], days(3), { kind: 'remind', day: 3, markSent: [3] }],
    ['day 3 again', [3], days(3) + hours(5), undefined],
    ['day 7', [3], days(7), { kind: 'remind', day: 7, markSent: [3, 7] }],
    ['day 8 after downtime', [], days(8), { kind: 'remind', day: 7, markSent: [3, 7] }],
    ['day 10', [3, 7], days(10), undefined],
    ['day 14', [3, 7], days(14), { kind: 'lapse' }],
    ['day 13 at 23:59', [3, 7], days(14) - hours(8) - 1, undefined],
    ['day 14 at 00:00 in Shanghai, before the hour it started: not yet 14 days', [3, 7], days(14) - hours(8), undefined],
    ['14 days less a few milliseconds: the job of that date, fired a little earlier in the minute', [3, 7], days(14) - 5, { kind: 'lapse' }],
    ['14 days less an hour', [3, 7], days(14) - hours(1), undefined],
    ['day 40 after downtime', [], days(40), { kind: 'lapse' }],
  ]
  for (const [name, sent, after, expected] of cases) t.deepEqual(reviewDue(S, sent, S + after), expected, name)
})

// ------------------------------------------------------------------------------------ through the chat

test('the daily job starts the due review once, and the admin keeps and removes by number', async (t) => {
  const w = await worldFor(t)
  await w.assistant.platform.operations.request('acc_tea', 'zhangwei_ops', 'mass-send')
  t.deepEqual(await runJob(w), { started: 1, reminded: 0, lapsed: 0 }, 'only 晨光茶馆 is due (青禾书店 and 小满烘焙 were reviewed in October)')
  t.deepEqual(await runJob(w), { started: 0, reminded: 0, lapsed: 0 }, 'a second run starts nothing')
  const list = (await w.inboxOf(WANGFANG, 1)).find((x) => x.startsWith('权限复核:「晨光茶馆」'))!
  t.truthy(list)
  t.true(list.includes('每 90 天请确认一次'), list)
  const zhaominBound = Date.parse((await w.db.binding('b_zm_tea'))!.boundAt)
  t.true(list.includes(`1. 赵敏(微信号 zhaomin_work),${formatDate(zhaominBound)} 绑定,最近操作`), list)
  t.true(list.includes('2. 张伟(微信号 zhangwei_ops)'), list)
  t.true(list.includes('保留 1 2 晨光茶馆'), 'she administers two accounts: the example names the account')

  const kept = await w.ask(WANGFANG, '保留 2')
  t.true(kept.includes('2. 张伟:已保留'), kept)
  t.true(kept.includes('还有 1 号未决定'), kept)
  t.is((await openReviewOf(w, 'acc_tea'))!.items[1]!.decision, 'keep')

  const removed = await w.ask(WANGFANG, '移除 1')
  t.true(removed.includes('1. 赵敏:已移除'), removed)
  t.true(removed.includes('复核已完成:保留 1 位,移除 1 位'), removed)
  t.true(removed.includes('下次复核:'), removed)
  const binding = (await w.db.binding('b_zm_tea'))!
  t.is(binding.endReason, 'removed')
  t.is(binding.endedBy, WANGFANG)
  const told = await w.inboxOf(ZHAOMIN, 1)
  t.is(count(told, '「晨光茶馆」的管理员 王芳 已于'), 1, 'the removed operator is told')
  t.is(await openReviewOf(w, 'acc_tea'), undefined)
  const history = (await w.db.historyOf('acc_tea')).map((h) => `${h.action} ${h.detail}`)
  t.true(history.includes('review.started 2 位长期运营者(到期自动开始)'), history.join('\n'))
  t.true(history.includes('binding.removed zhaomin_work 长期运营者'))
  t.true(history.includes('review.completed 保留 zhangwei_ops;移除 zhaomin_work'))
  const log = await w.ask(WANGFANG, '操作记录 晨光茶馆')
  t.true(log.includes('权限复核完成'), log)
  t.deepEqual(await runJob(w), { started: 0, reminded: 0, lapsed: 0 }, 'not due again until the next cycle')
  const startedAt = Date.parse((await w.db.reviewsOfAccount('acc_tea')).at(-1)!.startedAt)
  w.clock.at = startOfShanghaiDay(startedAt + days(90)) - hours(1)
  await runJob(w)
  t.is(await openReviewOf(w, 'acc_tea'), undefined)
  w.clock.at = startOfShanghaiDay(startedAt + days(90)) + hours(9)
  await runJob(w)
  t.deepEqual((await openReviewOf(w, 'acc_tea'))!.items.map((i) => i.bindingId), ['b_zw_tea'], '90 days after it started, the next one, of who is still there')
  t.true(w.inbox(WANGFANG).some((x) => x.startsWith('权限复核:「晨光茶馆」') && x.includes('1. 张伟') && !x.includes('赵敏')))
})

test('last seen comes from the platform\'s operations, kept on the binding', async (t) => {
  const w = await worldFor(t)
  t.is((await w.db.binding('b_zw_tea'))!.lastSeenAt !== undefined, true, 'the demo world has one')
  w.clock.advance(hours(1))
  await w.assistant.platform.operations.request('acc_tea', 'zhangwei_ops', 'login')
  t.is((await w.db.binding('b_zw_tea'))!.lastSeenAt, new Date(w.clock.at).toISOString())
  const started = await w.ask(WANGFANG, '权限复核 晨光茶馆')
  t.true(started.startsWith('已开始「晨光茶馆」的权限复核'), started)
  t.true(started.includes(`最近操作 ${new Date(w.clock.at + 8 * 3_600_000).toISOString().slice(11, 16)}`), started)
})

test('全部保留 completes the review; a started review is shown again, not started twice', async (t) => {
  const w = await worldFor(t)
  const started = await w.ask(WANGFANG, '权限复核 青禾书店')
  t.true(started.includes('1. 赵敏'), started)
  const again = await w.ask(WANGFANG, '权限复核 青禾书店')
  t.true(again.startsWith('「青禾书店」的权限复核进行中'), again)
  t.is((await w.db.reviewsOfAccount('acc_books')).filter((r) => r.status === 'open').length, 1)
  const done = await w.ask(WANGFANG, '全部保留')
  t.true(done.includes('复核已完成:保留 1 位,移除 0 位'), done)
  t.is((await w.db.binding('b_zm_books'))!.endedAt, undefined)
  t.is(await w.ask(WANGFANG, '保留 1'), '现在没有进行中的权限复核。发送 权限复核 [公众号] 可随时开始一次;到期的复核会自动发给你。')
})

test('with reviews open on two accounts, a reply names the account; wrong numbers change nothing', async (t) => {
  const w = await worldFor(t)
  await w.ask(WANGFANG, '权限复核 晨光茶馆')
  await w.ask(WANGFANG, '权限复核 青禾书店')
  const ask = await w.ask(WANGFANG, '保留 1')
  t.true(ask.startsWith('你有 2 个公众号的权限复核在进行(「晨光茶馆」「青禾书店」)'), ask)
  t.true((await w.ask(WANGFANG, '保留 3 晨光茶馆')).startsWith('「晨光茶馆」的权限复核名单只有 1–2 号,没有 3 号'))
  t.true((await w.ask(WANGFANG, '移除 1 2 5 晨光茶馆')).includes('没有 5 号'))
  t.is((await w.db.binding('b_zm_tea'))!.endedAt, undefined, 'nothing removed by a reply with a wrong number')
  t.true((await w.ask(WANGFANG, '保留 1 青禾')).includes('复核已完成'), 'part of the name will do when it fits one account')
  t.true((await w.ask(WANGFANG, '保留 1')).includes('1. 赵敏:已保留'), 'one open review left: no name needed')
  t.true((await w.ask(WANGFANG, '保留 1 城西社区报')).startsWith('没有找到'), 'someone else\'s account')
})

test('an operator who left meanwhile is shown as gone and cannot be kept; removal is final within the review', async (t) => {
  const w = await worldFor(t)
  await w.ask(WANGFANG, '权限复核 晨光茶馆')
  // 赵敏 leaves on her own.
  await w.assistant.engine.transaction(async (tx) => {
    await tx.updateBinding('b_zm_tea', { endedAt: new Date(w.clock.at).toISOString(), endReason: 'unbound' })
  })
  const reply = await w.ask(WANGFANG, '保留 1')
  t.true(reply.includes('1. 赵敏:已不是运营者'), reply)
  t.true(reply.includes('复核已完成') === false)
  const removed = await w.ask(WANGFANG, '移除 2')
  t.true(removed.includes('2. 张伟:已移除'), removed)
  t.true(removed.includes('复核已完成:保留 0 位,移除 1 位,1 位已离开'), removed)
})

test('reminders after 3 and 7 days, once each even when the job runs twice; lapsed after 14 without removing anyone', async (t) => {
  const w = await worldFor(t)
  await runJob(w)
  await w.ask(WANGFANG, '保留 2')
  const before = (await w.inboxOf(WANGFANG, 1)).length
  w.clock.advance(days(3))
  t.deepEqual(await runJob(w), { started: 0, reminded: 1, lapsed: 0 })
  t.deepEqual(await runJob(w), { started: 0, reminded: 0, lapsed: 0 })
  const reminder = w.inbox(WANGFANG).at(-1)!
  t.true(reminder.startsWith('权限复核提醒:「晨光茶馆」的权限复核已开始 3 天,还有 1 位长期运营者未决定'), reminder)
  t.true(reminder.includes('1. 赵敏') && reminder.includes('【已保留】'), reminder)
  w.clock.advance(days(4))
  t.deepEqual(await runJob(w), { started: 0, reminded: 1, lapsed: 0 })
  t.true(w.inbox(WANGFANG).at(-1)!.includes('已开始 7 天'))
  w.clock.advance(days(7))
  t.deepEqual(await runJob(w), { started: 0, reminded: 0, lapsed: 1 })
  const lapsed = w.inbox(WANGFANG).at(-1)!
  t.true(lapsed.includes('已关闭') && lapsed.includes('赵敏 保留了权限'), lapsed)
  t.is(w.inbox(WANGFANG).length, before + 3)
  t.is((await w.db.binding('b_zm_tea'))!.endedAt, undefined, 'silence removes no one')
  t.is((await w.db.reviewsOfAccount('acc_tea')).at(-1)!.status, 'lapsed')
  t.true((await w.db.historyOf('acc_tea')).some((h) => h.action === 'review.lapsed' && h.detail.includes('zhaomin_work')))
  t.is(await w.ask(WANGFANG, '保留 1'), '现在没有进行中的权限复核。发送 权限复核 [公众号] 可随时开始一次;到期的复核会自动发给你。')
  w.clock.advance(days(30) - hours(11)) // 23:00 the evening before
  await runJob(w)
  t.is(await openReviewOf(w, 'acc_tea'), undefined)
  w.clock.advance(hours(10)) // the 09:00 job of the date 30 days after the lapse
  await runJob(w)
  t.truthy(await openReviewOf(w, 'acc_tea'), 'the next one comes 30 days after a lapse')
})

test('a jump of the clock after downtime sends one reminder, not two', async (t) => {
  const w = await worldFor(t)
  await runJob(w)
  w.clock.advance(days(8))
  t.deepEqual(await runJob(w), { started: 0, reminded: 1, lapsed: 0 })
  t.deepEqual((await openReviewOf(w, 'acc_tea'))!.remindersSent, [3, 7])
})

test('复核周期 sets the cycle within 30–365 days and says why others are refused', async (t) => {
  const w = await worldFor(t)
  t.true((await w.ask(WANGFANG, '复核周期 7 晨光茶馆')).startsWith('复核周期须在 30–365 天之间'))
  t.true((await w.ask(WANGFANG, '复核周期 abc')).startsWith('复核周期要写成整数天数,「abc」不是'))
  t.true((await w.ask(WANGFANG, '复核周期')).startsWith('用法:复核周期 天数'))
  const set = await w.ask(WANGFANG, '复核周期 60 青禾书店')
  t.true(set.startsWith('已将「青禾书店」的权限复核周期设为 60 天。下次复核:'), set)
  t.is((await w.db.account('acc_books'))!.reviewIntervalDays, 60)
  t.true((await w.db.historyOf('acc_books')).some((h) => h.action === 'settings.reviewInterval' && h.detail === '60 天'))
  t.true((await w.ask(ZHANGWEI, '复核周期 60')).includes('管理员'), 'not an admin')
  t.true((await w.ask(ZHANGWEI, '保留 1')).includes('你不是任何公众号的管理员'))
  // 青禾书店 was reviewed in October: the next one is due 60 days after that one started.
  const reviewedAt = Date.parse((await w.db.reviewsOfAccount('acc_books'))[0]!.startedAt)
  t.true(set.endsWith(`下次复核:${formatDate(reviewedAt + days(60))}。`), set)
  w.clock.at = startOfShanghaiDay(reviewedAt + days(60)) - hours(1)
  await runJob(w)
  t.is(await openReviewOf(w, 'acc_books'), undefined)
  w.clock.at = startOfShanghaiDay(reviewedAt + days(60)) + hours(9)
  await runJob(w)
  t.truthy(await openReviewOf(w, 'acc_books'), 'due on its 60-day cycle')
})

test('复核周期 with a 10,000-character word quotes only its start, not the whole word back', async (t) => {
  const w = await worldFor(t)
  for (const word of ['9'.repeat(10_000), 'x'.repeat(10_000), '茶'.repeat(10_000)]) {
    const reply = await w.ask(WANGFANG, `复核周期 ${word}`)
    t.true(reply.startsWith(`复核周期要写成整数天数,「${word.slice(0, 12)}…」不是`) || reply.startsWith('复核周期要写成整数天数,「999*****9999…」不是'), reply.slice(0, 80))
    t.true(reply.length < 200, `${reply.length} characters`)
  }
})

test('reviews fall due on a date: the 09:00 job of that date starts, reminds and lapses, whatever the hour or millisecond the last one started', async (t) => {
  const w = await worldFor(t) // 10:00 in Shanghai
  const at0900 = (date: string, ms = 0): number => Date.parse(`${date}T09:00:00+08:00`) + ms
  const today = formatDate(w.clock.at)
  w.clock.at = at0900(today, 7) // the daily job, a few milliseconds late, as node-cron fires
  t.like(await runJob(w), { started: 1 })
  const firstStart = Date.parse((await openReviewOf(w, 'acc_tea'))!.startedAt)
  // Day 3 and day 7: the reminders come with that day's job, which fires a few milliseconds earlier this time.
  w.clock.at = at0900(formatDate(firstStart + days(3)), 2)
  t.like(await runJob(w), { reminded: 1 }, 'the reminder of day 3')
  w.clock.at = at0900(formatDate(firstStart + days(7)), 2)
  t.like(await runJob(w), { reminded: 1 }, 'the reminder of day 7')
  w.clock.at = at0900(formatDate(firstStart + days(14)), 2)
  t.like(await runJob(w), { lapsed: 1 }, 'lapsed by the job of day 14')
  // Started by hand in the afternoon and completed: the date the reply gives is the date the job starts the next one.
  w.clock.at = Date.parse(`${formatDate(w.clock.at)}T15:30:00+08:00`)
  t.true((await w.ask(WANGFANG, '权限复核 晨光茶馆')).includes('晨光茶馆'))
  const done = await w.ask(WANGFANG, '全部保留 晨光茶馆')
  const next = /下次复核:(\d{4}-\d\d-\d\d)。/.exec(done)?.[1]
  t.truthy(next, done)
  w.clock.at = at0900(next!)
  await runJob(w)
  t.is((await openReviewOf(w, 'acc_tea'))?.startedAt, new Date(w.clock.at).toISOString(), `the job of ${next!} starts the review the reply announced`)
})

test('an account with no long-term operator has nothing to review', async (t) => {
  const w = await worldFor(t)
  t.is(await w.ask(LIQIANG, '权限复核'), '「城西社区报」现在没有长期运营者,无需权限复核。短期运营者一个月后自动到期。')
  t.is((await w.db.reviewsOfAccount('acc_news')).length, 0)
})

test('帮助 shows the review commands to admins only', async (t) => {
  const w = await worldFor(t)
  t.true((await w.ask(WANGFANG, '帮助')).includes('· 权限复核'))
  t.false((await w.ask(ZHANGWEI, '帮助')).includes('权限复核'))
})

test('a restart keeps the open review and its decisions', async (t) => {
  const first = await startWorld()
  await first.ask(WANGFANG, '权限复核 晨光茶馆')
  await first.ask(WANGFANG, '保留 2 晨光茶馆')
  await first.stop()
  const w = await worldFor(t, { storage: first.storage, clock: first.clock })
  const shown = await w.ask(WANGFANG, '权限复核 晨光茶馆')
  t.true(shown.includes('2. 张伟') && shown.includes('【已保留】'), shown)
  t.true((await w.ask(WANGFANG, '移除 1 晨光茶馆')).includes('复核已完成'))
})

test('two runs of the job at once start each review once and send each reminder once', async (t) => {
  const w = await worldFor(t)
  const [a, b] = await Promise.all([w.assistant.jobs.accessReviews(w.clock.at), w.assistant.jobs.accessReviews(w.clock.at)]) as Array<{ started: number }>
  t.is(a!.started + b!.started, 1)
  w.clock.advance(days(3))
  const [c, d] = await Promise.all([w.assistant.jobs.accessReviews(w.clock.at), w.assistant.jobs.accessReviews(w.clock.at)]) as Array<{ reminded: number }>
  t.is(c!.reminded + d!.reminded, 1)
  await w.settled()
  t.is(count(w.inbox(WANGFANG), '权限复核:「晨光茶馆」'), 1)
  t.is(count(w.inbox(WANGFANG), '权限复核提醒'), 1)
})

test('the schedule catches up at start-up: a review that came due while the assistant was down is sent', async (t) => {
  const w = await worldFor(t, { plugin: { schedules: {} } })
  t.is(w.assistant.scheduler!.task('accessReviews')!.getPattern(), '0 9 * * *')
  await w.settled()
  t.true((await w.inboxOf(WANGFANG, 1)).some((x) => x.startsWith('权限复核:「晨光茶馆」')))
})

test('hostile replies change nothing and quote nothing back', async (t) => {
  const w = await worldFor(t)
  await w.ask(WANGFANG, '权限复核 晨光茶馆')
  for (const text of ['保留', '保留 constructor', '移除 __proto__', '保留 0', '移除 -1', '保留 1e3', '移除 9999', '保留 1 toString']) {
    const reply = await w.ask(WANGFANG, text)
    t.false(reply.includes('constructor') || reply.includes('__proto__') || reply.includes('toString'), reply)
  }
  t.is((await w.db.binding('b_zm_tea'))!.endedAt, undefined)
  t.is((await w.db.binding('b_zw_tea'))!.endedAt, undefined)
  t.deepEqual((await openReviewOf(w, 'acc_tea'))!.items.map((i) => i.decision), [undefined, undefined])
})

test('a review whose operators all left meanwhile completes by itself, without a reminder', async (t) => {
  const w = await worldFor(t)
  await w.ask(WANGFANG, '权限复核 晨光茶馆')
  const before = w.inbox(WANGFANG).length
  await w.assistant.engine.transaction(async (tx) => {
    for (const id of ['b_zm_tea', 'b_zw_tea']) await tx.updateBinding(id, { endedAt: new Date(w.clock.at).toISOString(), endReason: 'unbound' })
  })
  w.clock.advance(days(3))
  t.deepEqual(await runJob(w), { started: 0, reminded: 0, lapsed: 0 })
  t.is(await openReviewOf(w, 'acc_tea'), undefined)
  t.is(w.inbox(WANGFANG).length, before)
  t.true((await w.db.historyOf('acc_tea')).some((h) => h.action === 'review.completed' && h.detail.includes('已离开 zhaomin_work、zhangwei_ops')))
})

test('an answer a few minutes before the 14 days are over counts: the lapse\'s slack is for the daily job, not for the admin', async (t) => {
  const w = await worldFor(t)
  t.true((await w.ask(WANGFANG, '权限复核 晨光茶馆')).length > 0)
  w.clock.advance(days(14) - minutes(3))
  const reply = await w.ask(WANGFANG, '保留 1')
  t.false(reply.includes('已逾期关闭'), reply)
  t.true(reply.includes('1. 赵敏:已保留'), reply)
  t.is((await openReviewOf(w, 'acc_tea'))!.items[0]!.decision, 'keep')
})

test('a review past its 14 days, not yet swept by the daily job, takes no answer: it lapses by the clock, and 权限复核 starts a new one', async (t) => {
  const w = await worldFor(t)
  t.true((await w.ask(WANGFANG, '权限复核 晨光茶馆')).length > 0)
  w.clock.advance(days(15))
  const reply = await w.ask(WANGFANG, '移除 1')
  t.is((await w.db.binding('b_zm_tea'))!.endedAt, undefined, reply)
  t.true(reply.includes('已逾期关闭,这次回复没有生效'), reply)
  t.is((await w.db.reviewsOfAccount('acc_tea')).find((r) => r.status === 'lapsed')?.accountId, 'acc_tea')
  await w.settled()
  t.true((await w.inboxOf(WANGFANG, 0)).some((m) => m.includes('权限复核逾期') || m.includes('逾期')))
  const again = await w.ask(WANGFANG, '权限复核 晨光茶馆')
  t.is((await w.db.reviewsOfAccount('acc_tea')).filter((r) => r.status === 'open').length, 1, again)
})
