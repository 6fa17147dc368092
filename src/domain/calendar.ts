// Calendar arithmetic and display in the platform's time zone (Asia/Shanghai). Pure: time is an argument.
import { DateTime } from 'luxon'

export const ZONE = 'Asia/Shanghai'

/** Times are kept as epoch milliseconds in rules and as ISO strings in the data file. */
export type Millis = number

const MINUTE = 60_000
export const minutes = (n: number): Millis => n * MINUTE
export const hours = (n: number): Millis => n * 60 * MINUTE
export const days = (n: number): Millis => n * 24 * 60 * MINUTE

function inZone (at: Millis): DateTime {
  return DateTime.fromMillis(at, { zone: ZONE })
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

/** 2026-03-01 */
export function formatDate (at: Millis): string {
  return inZone(at).toFormat('yyyy-MM-dd')
}

/** 2026-03-01 10:00 */
export function formatDateTime (at: Millis): string {
  return inZone(at).toFormat('yyyy-MM-dd HH:mm')
}

/** 10:05, or the date as well when it is not the same day as `now`. */
export function formatTimeFrom (at: Millis, now: Millis): string {
  const sameDay = inZone(at).hasSame(inZone(now), 'day')
  return sameDay ? inZone(at).toFormat('HH:mm') : formatDateTime(at)
}
