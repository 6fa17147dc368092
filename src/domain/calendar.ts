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

/**
 * The wall-clock reading in Shanghai as an ISO-like string: 2026-03-01T10:00. Worked out with integer
 * arithmetic (days to a civil date, as in Howard Hinnant's date algorithms): a Date and its ISO string
 * cost several times as much, and every lookup reply shows two of these.
 */
function shanghaiClock (at: Millis): string {
  const local = at + UTC_OFFSET
  const day = Math.floor(local / DAY)
  const minute = Math.floor((local - day * DAY) / MINUTE)
  const { year, month, dayOfMonth } = civilDate(day)
  // Outside years 0–9999 (or for NaN) the ISO form differs: let Date write it, or throw, as before.
  if (!(year >= 0 && year <= 9999)) return new Date(local).toISOString().slice(0, 16)
  return `${year.toString().padStart(4, '0')}-${two(month)}-${two(dayOfMonth)}T${two(Math.floor(minute / 60))}:${two(minute % 60)}`
}

const DAY = 24 * 60 * MINUTE

/** The proleptic Gregorian date of a day counted from 1970-01-01. */
function civilDate (day: number): { year: number, month: number, dayOfMonth: number } {
  const z = day + 719_468 // days from 0000-03-01: leap days then fall at the end of a year
  const era = Math.floor(z / 146_097)
  const dayOfEra = z - era * 146_097
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365)
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153) // 0 = March
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
  return {
    year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0),
    month,
    dayOfMonth: dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1,
  }
}

function two (n: number): string {
  return n < 10 ? `0${n}` : `${n}`
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
