// Periodic access review (权限复核), as Entra PIM and Teleport access lists do it: every so many days the
// admin confirms or removes each long-term operator. Pure: time is an argument.
import { days, minutes, startOfShanghaiDay } from './calendar.js'
import type { Millis } from './calendar.js'

/** The review cycle when the admin set none. */
export const DEFAULT_REVIEW_DAYS = 90
/** The cycles an admin may choose (复核周期 N): at least a month, at most a year. */
export const REVIEW_DAYS_MIN = 30
export const REVIEW_DAYS_MAX = 365
/** Reminders to an admin who has not finished a review, this many days after it started. */
export const REVIEW_REMINDER_DAYS: readonly number[] = [3, 7]
/**
 * ★ A review not finished this many days after it started lapses: it closes as unfinished, the operators
 * nobody decided on keep their access (silence never removes anyone), the admin is told and the history
 * records who was left undecided; the next review is then due REVIEW_AFTER_LAPSE_DAYS later, not a whole
 * cycle later.
 */
export const REVIEW_LAPSE_DAYS = 14
/** How much earlier than its schedule a daily job may run: node-cron fires within the minute, not to the millisecond. */
const JOB_SLACK = minutes(5)
export const REVIEW_AFTER_LAPSE_DAYS = 30

export type IntervalCheck = { ok: true, days: number } | { ok: false, problem: 'not-a-number' | 'out-of-range' }

/** `复核周期 60`: a whole number of days within the range. */
export function parseReviewDays (word: string): IntervalCheck {
  if (!/^\d{1,6}$/.test(word)) return { ok: false, problem: 'not-a-number' }
  const n = Number(word)
  return n >= REVIEW_DAYS_MIN && n <= REVIEW_DAYS_MAX ? { ok: true, days: n } : { ok: false, problem: 'out-of-range' }
}

/** An account's review cycle in days: its 复核周期, else the default. */
export function reviewCycleDays (account: { reviewIntervalDays?: number | undefined }): number {
  return account.reviewIntervalDays ?? DEFAULT_REVIEW_DAYS
}

export interface ReviewHistory {
  /** The account's 复核周期 (DEFAULT_REVIEW_DAYS when unset). */
  intervalDays: number | undefined
  /** The latest review of the account, if any. */
  last: { startedAt: Millis, status: 'open' | 'completed' | 'lapsed', closedAt: Millis | undefined } | undefined
  /** When the earliest long-term operator still bound was bound; undefined when there is none. */
  earliestBoundAt: Millis | undefined
}

/**
 * When the account's next review is due, or undefined when none is (no long-term operator to review, or
 * one is open). The first is due a cycle after the earliest long-term operator was bound; each next one a
 * cycle after the previous one started, or REVIEW_AFTER_LAPSE_DAYS after a review lapsed.
 *
 * Reviews fall due on a date (00:00 in Shanghai), counted in days: the daily job (09:00) of that date
 * starts it, as 下次复核 announces. Due at the hour and millisecond of the last start, one started by hand
 * in the afternoon, or by a run of the job a few milliseconds later than the next run, waited a day more.
 */
export function reviewDueAt (h: ReviewHistory): Millis | undefined {
  if (h.earliestBoundAt === undefined) return undefined
  const cycle = days(reviewCycleDays({ reviewIntervalDays: h.intervalDays }))
  if (!h.last) return startOfShanghaiDay(h.earliestBoundAt + cycle)
  if (h.last.status === 'open') return undefined
  if (h.last.status === 'lapsed') return startOfShanghaiDay(Math.min(h.last.startedAt + cycle, (h.last.closedAt ?? h.last.startedAt) + days(REVIEW_AFTER_LAPSE_DAYS)))
  return startOfShanghaiDay(h.last.startedAt + cycle)
}

/**
 * The open review is past its REVIEW_LAPSE_DAYS at `now`, as the admin answering it reads it: exactly the
 * days the admin was told, without the daily job's JOB_SLACK (an answer minutes before they are over counts).
 */
export function reviewOverdue (startedAt: Millis, now: Millis): boolean {
  return now >= startedAt + days(REVIEW_LAPSE_DAYS)
}

/**
 * What an open review needs at `now`: to lapse, or one reminder (only the latest due when several are), or
 * nothing. Reminders count dates, like reviewDueAt: day 3 begins at 00:00 in Shanghai on the third date
 * after the start, so the daily job of that date sends it. The lapse waits REVIEW_LAPSE_DAYS from the
 * start, as the admin was told ("开始已超过 14 天"), less JOB_SLACK: the job of the 14th date lapses a
 * review the job started, though it fires a few milliseconds earlier in the minute than that one did.
 */
export function reviewDue (startedAt: Millis, remindersSent: readonly number[], now: Millis): { kind: 'lapse' } | { kind: 'remind', day: number, markSent: number[] } | undefined {
  const startDay = startOfShanghaiDay(startedAt)
  if (now >= startedAt + days(REVIEW_LAPSE_DAYS) - JOB_SLACK) return { kind: 'lapse' }
  const due = REVIEW_REMINDER_DAYS.filter((d) => now >= startDay + days(d) && !remindersSent.includes(d))
  if (due.length === 0) return undefined
  return { kind: 'remind', day: Math.max(...due), markSent: [...new Set([...remindersSent, ...due])].sort((a, b) => a - b) }
}

export type ReviewVerb = 'keep' | 'remove'

export type ReviewReply =
  | { ok: true, numbers: number[] | 'all', accountName: string }
  | { ok: false, problem: 'no-numbers' | 'bad-number', word?: string }

/**
 * What follows 保留 / 移除: numbers (spaces, commas or 、 between them), or 全部, then optionally the
 * account's name. `保留 1 3`, `保留 1,3 晨光茶馆`, `保留 全部`. Numbers are positive and small.
 */
export function parseReviewReply (args: string): ReviewReply {
  const text = args.trim()
  const all = /^(全部|所有)(?=\s|$)/.exec(text)
  const leading = all ? all[0] : /^(?:\d+[\s,,、;;]*)*/.exec(text)![0]
  const accountName = text.slice(leading.length).trim().split(/\s+/).filter(Boolean).join(' ')
  if (all) return { ok: true, numbers: 'all', accountName }
  const numbers: number[] = []
  for (const word of leading.split(/[\s,,、;;]+/).filter(Boolean)) {
    const n = Number(word)
    if (word.length > 3 || n < 1) return { ok: false, problem: 'bad-number', word }
    if (!numbers.includes(n)) numbers.push(n)
  }
  if (numbers.length === 0) return { ok: false, problem: 'no-numbers' }
  return { ok: true, numbers, accountName }
}
