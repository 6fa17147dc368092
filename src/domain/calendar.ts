// Calendar arithmetic and display in the platform's time zone (Asia/Shanghai). Pure: time is an argument.
import { DateTime, FixedOffsetZone } from 'luxon'

/** The platform's time zone, by name (for node-cron). */
export const ZONE = 'Asia/Shanghai'
/**
 * The same zone for calendar arithmetic and display: China has kept UTC+8 without daylight saving since
 * 1991, so a fixed offset gives the same dates and times as the named zone without an Intl lookup on
 * every call (which made a lookup reply twice as slow).
 */
export const SHANGHAI_UTC_OFFSET = 8 * 3_600_000
const SHANGHAI = FixedOffsetZone.instance(SHANGHAI_UTC_OFFSET / 60_000)

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

/** 00:00 in Shanghai of the day `at` falls on. */
export function startOfShanghaiDay (at: Millis): Millis {
  return Math.floor((at + SHANGHAI_UTC_OFFSET) / days(1)) * days(1) - SHANGHAI_UTC_OFFSET
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
  const local = at + SHANGHAI_UTC_OFFSET
  const day = Math.floor(local / DAY)
  const minute = Math.floor((local - day * DAY) / MINUTE)
  const { year, month, dayOfMonth } = civilDate(day)
  // Outside years 0–9999 (or for NaN) the ISO form differs: let Date write it, or throw, as before.
  if (!(year >= 0 && year <= 9999)) return new Date(local).toISOString().slice(0, 16)
  return `${year.toString().padStart(4, '0')}-${two(month)}-${two(dayOfMonth)}T${two(Math.floor(minute / 60))}:${two(minute % 60)}`
}

const DAY = 24 * 60 * MINUTE

/** Days in a month (1–12) of the proleptic Gregorian calendar. */
export function daysInMonth (year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

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

export type TimeReading =
  | { ok: true, at: Millis }
  | { ok: false, problem: 'format' | 'date-only' | 'not-a-real-time' }

/** What people type for a time: the product's own display form, a spreadsheet's slashes, single digits. */
const WALL_CLOCK = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/
const DATE_ONLY = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$/
/** An ISO time that says its own offset (2026-12-31T10:00:00Z, …+08:00). */
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/

/**
 * The inverse of formatDateTime: a Shanghai wall-clock time as people type it (NFKC first, so
 * ２０２６－１２－３１　１８：００ counts), 2026-12-31 18:00 or 2026/12/31 18:00[:ss], or an ISO time with its
 * offset. Years 2000–2099. A date without a time is refused: an expiry at midnight is rarely what was meant.
 */
export function parseShanghaiTime (input: string): TimeReading {
  const text = input.normalize('NFKC').trim()
  if (DATE_ONLY.test(text)) return { ok: false, problem: 'date-only' }
  const wall = WALL_CLOCK.exec(text)
  const iso = wall ? undefined : ISO_WITH_OFFSET.exec(text)
  const parts = (wall ?? iso)?.slice(1).map((p) => Number(p ?? 0))
  if (!parts) return { ok: false, problem: 'format' }
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number]
  if (year < 2000 || year > 2099 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, problem: 'not-a-real-time' }
  }
  return { ok: true, at: wall ? Date.UTC(year, month - 1, day, hour, minute, second) - SHANGHAI_UTC_OFFSET : Date.parse(text) }
}
