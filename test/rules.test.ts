// Time and role rules with a fixed clock, paging, account names and who may be an admin, table-driven.
import test from 'ava'
import { accountNameProblem, adminRefusals, normaliseAccountName } from '../src/domain/accounts.js'
import type { AccountNameProblem } from '../src/domain/accounts.js'
import { addMonths, formatDate, formatDateTime, formatTimeFrom, hours, minutes } from '../src/domain/calendar.js'
import { CLOCK_SLACK, waitOver, windowOpen } from '../src/domain/deadlines.js'
import { personName } from '../src/fields.js'
import { pageFromNewest, pageOf } from '../src/domain/paging.js'
import { ownsIdentifier } from '../src/domain/ownership.js'
import { attemptDue, retryDelay, takeHit, takeToken } from '../src/domain/rate-limit.js'
import { approvalState, loginState, renewalState } from '../src/domain/requests.js'
import { dueReminder, expiryFor, hasLapsed, isActive, isRenewable, renewedExpiry } from '../src/domain/roles.js'
import { NewAccountBody } from '../src/platform/schemas.js'
import { CLAIM_LEASE, claimHeld, claimStillOurs } from '../src/store/contract.js'

const shanghai = (local: string): number => Date.parse(`${local}+08:00`)

const months: Array<[string, string]> = [
  ['2026-01-31T10:00', '2026-02-28 10:00'],
  ['2028-01-31T10:00', '2028-02-29 10:00'],
  ['2026-01-15T23:30', '2026-02-15 23:30'],
  ['2026-03-31T08:00', '2026-04-30 08:00'],
  ['2026-12-31T23:59', '2027-01-31 23:59'],
  ['2026-02-28T10:00', '2026-03-28 10:00'],
  // 00:30 in Shanghai is still the previous day in UTC: the month is Shanghai's
  ['2026-01-31T00:30', '2026-02-28 00:30'],
]
for (const [from, expected] of months) {
  test(`one month after ${from} (Asia/Shanghai) is ${expected}`, (t) => {
    t.is(formatDateTime(addMonths(shanghai(from), 1)), expected)
  })
}

test('dates and times read as the Shanghai wall clock shows them, at times spread over four centuries and at the edges', (t) => {
  const viaDate = (at: number): string => new Date(at + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')
  let wrong = 0
  // An odd step of about 5.6 days spreads the samples over times of day, days of month and leap years from 1900 to 2300.
  for (let at = Date.parse('1900-01-01T00:00Z'); at < Date.parse('2300-01-01T00:00Z'); at += 7_919_000 * 61) {
    if (formatDateTime(at) !== viaDate(at)) wrong++
  }
  t.is(wrong, 0)
  for (const local of ['2026-12-31T23:59', '2027-01-01T00:00', '2028-02-29T12:00', '2100-03-01T00:00', '1969-12-31T23:59', '0000-01-01T00:00', '9999-12-31T23:59']) {
    t.is(formatDateTime(shanghai(local)), local.replace('T', ' '))
  }
  t.is(formatDate(shanghai('2026-11-21T00:30')), '2026-11-21')
  t.is(formatTimeFrom(shanghai('2026-11-21T09:05'), shanghai('2026-11-21T23:00')), '09:05')
  t.is(formatTimeFrom(shanghai('2026-11-20T09:05'), shanghai('2026-11-21T00:00')), '2026-11-20 09:05')
  t.throws(() => formatDate(Number.NaN), { instanceOf: RangeError })
})

test('only short-term bindings expire, one month after acceptance', (t) => {
  const accepted = shanghai('2026-01-31T10:00')
  t.is(expiryFor('long', accepted), undefined)
  t.is(formatDateTime(expiryFor('short', accepted)!), '2026-02-28 10:00')
})

const expiresAt = '2026-02-28T02:00:00.000Z'
const activity: Array<[string, { role: 'long' | 'short', expiresAt?: string, endedAt?: string }, number, boolean, boolean]> = [
  ['long-term, never ended', { role: 'long' }, Date.parse('2030-01-01T00:00:00Z'), true, false],
  ['short-term, a minute before expiry', { role: 'short', expiresAt }, Date.parse(expiresAt) - 60_000, true, false],
  ['short-term, at expiry', { role: 'short', expiresAt }, Date.parse(expiresAt), false, true],
  ['short-term, after expiry', { role: 'short', expiresAt }, Date.parse(expiresAt) + 1, false, true],
  ['unbound before expiry', { role: 'short', expiresAt, endedAt: '2026-02-01T00:00:00.000Z' }, Date.parse(expiresAt) + 1, false, false],
  ['long-term, unbound', { role: 'long', endedAt: '2026-02-01T00:00:00.000Z' }, Date.parse('2026-03-01T00:00:00Z'), false, false],
]
for (const [name, binding, now, active, lapsed] of activity) {
  test(`binding ${name}: active=${active}, lapsed=${lapsed}`, (t) => {
    t.is(isActive(binding, now), active)
    t.is(hasLapsed(binding, now), lapsed)
  })
}

test('a window limit refuses the 11th hit and names when the oldest leaves the window', (t) => {
  const limit = { max: 10, windowMs: 600_000 }
  let hits: number[] = []
  for (let i = 0; i < 10; i++) {
    const decision = takeHit(limit, hits, 1_000 + i * 1_000)
    t.true(decision.allowed)
    hits = decision.hits
  }
  const refused = takeHit(limit, hits, 20_000)
  t.false(refused.allowed)
  t.is(!refused.allowed && refused.retryAt, 1_000 + 600_000)
  t.true(takeHit(limit, refused.hits, 1_000 + 600_000).allowed)
})

test('a window limit after the clock is set back: hits dated later than now count as made now', (t) => {
  const limit = { max: 10, windowMs: 600_000 }
  const hits = Array.from({ length: 10 }, (_, i) => 10_800_000 + i * 1_000)
  const now = 1_000 // three hours earlier
  const refused = takeHit(limit, hits, now)
  t.false(refused.allowed)
  t.is(!refused.allowed && refused.retryAt, now + 600_000, 'the window from now, not from the hits in the future')
  t.deepEqual(refused.hits, Array(10).fill(now))
  t.true(takeHit(limit, refused.hits, now + 600_000).allowed)
})

const owner = { wechatId: 'ZhangWei_ops', phone: '13800138000', idNumber: '510107199208150069' }
const ownership: Array<[string, { kind: 'phone' | 'idNumber' | 'wechatId', value: string }, boolean]> = [
  ['own phone', { kind: 'phone', value: '13800138000' }, true],
  ['another phone', { kind: 'phone', value: '13900139001' }, false],
  ['own ID number', { kind: 'idNumber', value: '510107199208150069' }, true],
  ['another ID number', { kind: 'idNumber', value: '11010519491231002X' }, false],
  ['own WeChat ID, other case', { kind: 'wechatId', value: 'zhangwei_OPS' }, true],
  ['another WeChat ID', { kind: 'wechatId', value: 'zhaomin_work' }, false],
]
for (const [name, identifier, owns] of ownership) {
  test(`ownership: ${name} → ${owns}`, (t) => t.is(ownsIdentifier(owner, identifier), owns))
}

test('a person with no phone on file owns no phone', (t) => {
  t.false(ownsIdentifier({ wechatId: 'someone_x' }, { kind: 'phone', value: '13800138000' }))
})

const DAY = 86_400_000
const reminderCases: Array<[string, number, number[], { send: number, markSent: number[] } | undefined]> = [
  ['4 days before', 4 * DAY, [], undefined],
  ['3 days before, none sent', 3 * DAY, [], { send: 3, markSent: [3] }],
  ['2 days before, 3-day sent', 2 * DAY, [3], undefined],
  ['1 day before, 3-day sent', DAY, [3], { send: 1, markSent: [3, 1] }],
  ['half a day before, none sent (after downtime): only the most urgent', DAY / 2, [], { send: 1, markSent: [3, 1] }],
  ['an hour before, both sent', 3_600_000, [3, 1], undefined],
  ['at expiry', 0, [], undefined],
]
for (const [name, before, sent, expected] of reminderCases) {
  test(`reminders: ${name}`, (t) => {
    const expiresAt = Date.parse('2026-12-01T02:00:00Z')
    t.deepEqual(dueReminder(expiresAt, sent, expiresAt - before), expected)
  })
}

const renewalCases: Array<[string, string, string, string | undefined]> = [
  ['active: one month from the current expiry', '2026-01-31T10:00', '2026-01-20T09:00', '2026-02-28 10:00'],
  ['lapsed 10 days ago: one month from now', '2026-03-01T10:00', '2026-03-11T09:00', '2026-04-11 09:00'],
  ['lapsed exactly 30 days ago: still renewable', '2026-03-01T10:00', '2026-03-31T10:00', '2026-04-30 10:00'],
  ['lapsed 31 days ago: too late', '2026-03-01T10:00', '2026-04-01T10:00', undefined],
]
for (const [name, expires, now, expected] of renewalCases) {
  test(`renewal: ${name}`, (t) => {
    const renewed = renewedExpiry(shanghai(expires), shanghai(now))
    t.is(renewed === undefined ? undefined : formatDateTime(renewed), expected)
  })
}

test('the send bucket holds a burst and refills at the rate', (t) => {
  const limit = { perMinute: 60, burst: 3 }
  let bucket = { tokens: 3, at: 0 }
  const take = (now: number): boolean => {
    const result = takeToken(limit, bucket, now)
    bucket = result.bucket
    return result.taken
  }
  t.deepEqual([take(0), take(0), take(0), take(0)], [true, true, true, false])
  t.false(take(500), 'half a token after half a second')
  t.true(take(1_000))
  t.deepEqual([take(60_000), take(60_000), take(60_000), take(60_000)], [true, true, true, false], 'never more than the burst')
})

test('retries back off from a minute, doubling, to at most an hour', (t) => {
  t.deepEqual([1, 2, 3, 4, 6, 7, 20].map(retryDelay), [60_000, 120_000, 240_000, 480_000, 1_920_000, 3_600_000, 3_600_000])
})

// A deadline or wait 5 minutes long, set at SET, read at `now`: a clock moved forward as ever; a clock set
// back (now before SET) by less than the slack reads it as it stands; set back further, a window lapses and
// a wait is over.
const SET = Date.parse('2026-11-21T02:00:00Z')
const deadlines: Array<[string, number, boolean, boolean]> = [
  // what happened, now − SET, window open, wait over
  ['just set', 0, true, false],
  ['within its length', minutes(4), true, false],
  ['at its end', minutes(5), false, true],
  ['past its end', hours(3), false, true],
  ['the clock set back by a few seconds (another process\'s clock, an NTP step)', -5_000, true, false],
  ['the clock set back by just the slack', -CLOCK_SLACK, true, false],
  ['the clock set back by a moment more than the slack', -CLOCK_SLACK - 1, false, true],
  ['the clock set back by 3 hours', -hours(3), false, true],
  ['the clock set back by 3 hours, then 4 minutes on', -hours(3) + minutes(4), false, true],
]
for (const [what, offset, open, over] of deadlines) {
  test(`a deadline 5 minutes after it was set, read when ${what}: ${open ? 'open' : 'lapsed'}, wait ${over ? 'over' : 'runs'}`, (t) => {
    t.is(windowOpen(SET + minutes(5), minutes(5), SET + offset), open)
    t.is(waitOver(SET + minutes(5), minutes(5), SET + offset), over)
  })
}

test('a delivery claim holds for its lease, not for a jump of the clock; its claimer stops sending from it once the clock went back', (t) => {
  const until = SET + CLAIM_LEASE
  t.true(claimHeld(until, SET + CLAIM_LEASE - 1))
  t.false(claimHeld(until, SET + CLAIM_LEASE), 'ran out')
  t.false(claimHeld(until, SET - hours(3)), 'taken before the clock went back: any claimer may take it')
  t.true(claimHeld(until, SET - 5_000), 'another process\'s clock a few seconds behind still sees it held')
  t.true(claimStillOurs(SET, SET + CLAIM_LEASE / 2))
  t.false(claimStillOurs(SET, SET + CLAIM_LEASE / 2 + 1), 'less than half the lease left')
  t.false(claimStillOurs(SET, SET - hours(3)), 'the clock went back under the pass')
})

test('after the clock is set back by hours: approvals and logins asked before it lapse, a renewal request keeps its days, a back-off set before it is over', (t) => {
  const asked = { status: 'pending' as const, createdAt: new Date(SET).toISOString(), expiresAt: new Date(SET + minutes(10)).toISOString() }
  const back = SET - hours(3)
  t.is(approvalState(asked, SET + minutes(9)), 'pending')
  t.is(approvalState(asked, back), 'lapsed', 'asked "after now": the clock went back')
  t.is(loginState({ ...asked, expiresAt: new Date(SET + minutes(5)).toISOString() }, back), 'lapsed')
  t.is(loginState({ ...asked, status: 'confirmed' }, back), 'confirmed', 'an answered one keeps its answer')
  // A renewal request's three days are stretched by the jump rather than taken away.
  t.is(renewalState({ status: 'pending', expiresAt: new Date(SET + hours(72)).toISOString() }, back), 'pending')
  // A back-off of at most an hour ending further out than that was set before the clock went back.
  t.false(attemptDue({ nextAttemptAt: new Date(SET + minutes(1)).toISOString() }, SET))
  t.false(attemptDue({ nextAttemptAt: new Date(SET + hours(1)).toISOString() }, SET), 'the longest back-off still runs')
  t.true(attemptDue({ nextAttemptAt: new Date(SET + minutes(1)).toISOString() }, back), 'due now, not in 3 hours')
})

test('a short-term binding is renewable until exactly the moment renewal would refuse it, and never once given up or taken away', (t) => {
  const expiresAt = Date.parse('2026-11-01T02:00:00Z')
  const binding = { role: 'short' as const, expiresAt: new Date(expiresAt).toISOString() }
  const lastMoment = expiresAt + 30 * 86_400_000
  t.true(isRenewable(binding, lastMoment), 'renewedExpiry still answers at exactly 30 days')
  t.not(renewedExpiry(expiresAt, lastMoment), undefined)
  t.false(isRenewable(binding, lastMoment + 1))
  t.true(isRenewable({ ...binding, endedAt: binding.expiresAt, endReason: 'expired' }, expiresAt + 1))
  t.false(isRenewable({ ...binding, endedAt: binding.expiresAt, endReason: 'unbound' }, expiresAt - 1))
  t.false(isRenewable({ role: 'long' as const }, expiresAt))
})

const pages: Array<[number, number, number, string]> = [
  // total, page, size → the page's offset and the number of pages, or bad-page
  [0, 1, 10, 'page 1 of 1 from 0'],
  [0, 2, 10, 'bad-page of 1'],
  [10, 1, 10, 'page 1 of 1 from 0'],
  [11, 2, 10, 'page 2 of 2 from 10'],
  [11, 3, 10, 'bad-page of 2'],
  [11, 0, 10, 'bad-page of 2'],
  [11, 1.5, 10, 'bad-page of 2'],
  [11, Number.NaN, 10, 'bad-page of 2'],
]
for (const [total, page, size, expected] of pages) {
  test(`page ${page} of ${total} items at ${size} a page: ${expected}`, (t) => {
    const cut = pageOf(total, page, size)
    t.is(cut.kind === 'page' ? `page ${cut.page} of ${cut.pages} from ${cut.offset}` : `bad-page of ${cut.pages}`, expected)
  })
}

test('a page from the newest is cut from the end of an oldest-first list and given newest first', (t) => {
  const all = [1, 2, 3, 4, 5]
  t.like(pageFromNewest(all, 1, 2), { items: [5, 4], pages: 3 })
  t.like(pageFromNewest(all, 3, 2), { items: [1] })
  t.like(pageFromNewest([], 1, 2), { kind: 'page', items: [], pages: 1 })
})

const accountNames: Array<[string, AccountNameProblem | undefined]> = [
  ['晨光茶馆', undefined],
  [' 晨光茶馆 ', undefined],
  ['ＡＢＣ咖啡', undefined],
  ['咖'.repeat(30), undefined],
  ['咖'.repeat(31), 'too-long'],
  ['😀'.repeat(30), undefined], // characters, not UTF-16 units
  ['   ', 'empty'],
  ['晨光\n茶馆', 'line-break'],
  ['晨光\t茶馆', 'line-break'],
  ['晨光\u2028茶馆', 'line-break'],
  ['晨光\u0000茶馆', 'unstorable'],
  ['晨光\uD800茶馆', 'unstorable'],
  ['张伟13800138000', 'personal-number'],
  ['晨光 138-0013-8000', 'personal-number'],
  ['客服 510107199208150069', 'personal-number'],
  ['晨光茶馆2026', undefined], // a year is not a number the mask hides
  ['晨光 2026-11-21', undefined],
]
for (const [name, problem] of accountNames) {
  test(`account name ${JSON.stringify(name)}: ${problem ?? 'fine'}`, (t) => {
    t.is(accountNameProblem(normaliseAccountName(name)), problem)
  })
}

// Each name problem as its refusal says it: for an account's name in the platform API, and for every other
// name (a person's in the API, any name in an import), worded in one table in texts.ts.
const nameRefusals: Array<[AccountNameProblem, string, string, string]> = [
  ['empty', '   ', 'not a valid account name: it is empty', 'not a valid name (it is empty)'],
  ['too-long', '咖'.repeat(41), 'not a valid account name: it is longer than 30 characters', 'not a valid name (longer than 40 characters)'],
  ['line-break', '晨光\n茶馆', 'not a valid account name: it holds a line break or a tab (a name is one line)', 'not a valid name (a name is one line: no line break or tab)'],
  ['invisible', '晨光\u200b茶馆', 'not a valid account name: it holds an invisible character (zero-width, a direction mark or a soft hyphen), which would make it look like another name',
    'not a valid name (it holds an invisible character that would make it look like another name)'],
  ['unstorable', '晨光\u0000茶馆', 'not a valid account name: it holds a control character or a broken character', 'not a valid name (it holds a control character or a broken character)'],
  ['personal-number', '张伟13800138000', 'not a valid account name: it holds what reads as a phone or ID number, which every message would show masked (so the name shown would not be the name to type): leave the number out',
    'not a valid name (it holds what reads as a phone or ID number, which every message would show masked: leave the number out)'],
]
for (const [problem, name, asAccount, asPerson] of nameRefusals) {
  test(`a name that is ${problem} is refused as an account's and as a person's, each in its words`, (t) => {
    t.is(accountNameProblem(normaliseAccountName(name)), problem)
    const account = NewAccountBody.safeParse({ name, admin: 'zhouxiao_new' })
    t.deepEqual(account.error?.issues.map((i) => [i.path.join('.'), i.message]), [['name', asAccount]])
    t.deepEqual(personName.safeParse(name).error?.issues.map((i) => i.message), [asPerson])
  })
}

test('an admin needs 帐号保护 and a bank card, and is told of each missing one', (t) => {
  t.deepEqual(adminRefusals({ accountProtection: true, bankCard: true }), [])
  t.deepEqual(adminRefusals({ accountProtection: false, bankCard: true }), [{ kind: 'no-account-protection' }])
  t.deepEqual(adminRefusals({ accountProtection: false, bankCard: false }), [{ kind: 'no-account-protection' }, { kind: 'no-bank-card' }])
})
