// Calendar arithmetic and display in the platform's time zone (Asia/Shanghai). Pure: time is an argument.
import { DateTime, FixedOffsetZone } from 'luxon'

/** The platform's time zone, by name (for node-cron). */
export const ZONE = 'Asia/Shanghai'
/**
 * The same zone for calendar arithmetic and display: China has kept UTC+8 without daylight saving since
 * 1991, so a fixed offset gives the same dates and times as the named zone without an Intl lookup on
 * every call (which made a lookup reply twice as slow).
 */
const UTC_OFFSET = 8 * 3_600_000
const SHANGHAI = FixedOffsetZone.instance(UTC_OFFSET / 60_000)

/** Times are kept as epoch milliseconds in rules and as ISO strings in the data file. */
export type Millis = number

const MINUTE = 60_000
export const minutes = (n: number): Millis => n * MINUTE
export const hours = (n: number): Millis => n * 60 * MINUTE
export const days = (n: number): Millis => n * 24 * 60 * MINUTE

function inZone (at: Millis): DateTime {
  return DateTime.fromMillis(at, { zone: SHANGHAI })
}

/**
 * One calendar month later in Asia/Shanghai: same day-of-month and time, clamped to the month's end
 * (Jan 31 10:00 → Feb 28/29 10:00).
 */
export function addMonths (at: Millis, months: number): Millis {
  return inZone(at).plus({ months }).toMillis()
}

export function toIso (at: Millis): string {
  return new Date(at).toISOString()
}

export function fromIso (iso: string): Millis {
  return Date.parse(iso)
}

/** The wall-clock reading in Shanghai as an ISO-like string: 2026-03-01T10:00. */
function shanghaiClock (at: Millis): string {
  return new Date(at + UTC_OFFSET).toISOString().slice(0, 16)
}

/** 2026-03-01 */
export function formatDate (at: Millis): string {
  return shanghaiClock(at).slice(0, 10)
}

/** 2026-03-01 10:00 */
export function formatDateTime (at: Millis): string {
  return shanghaiClock(at).replace('T', ' ')
}

/** 10:05, or the date as well when it is not the same day as `now`. */
export function formatTimeFrom (at: Millis, now: Millis): string {
  return formatDate(at) === formatDate(now) ? shanghaiClock(at).slice(11) : formatDateTime(at)
}
