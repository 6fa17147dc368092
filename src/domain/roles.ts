// Roles, their limits and when a binding counts as active. Pure.
import type { Millis } from './calendar.js'
import { addMonths } from './calendar.js'

export type OperatorRole = 'long' | 'short'
export type Role = 'admin' | OperatorRole

export const ROLE_LABEL: Record<Role, string> = {
  admin: '管理员',
  long: '长期运营者',
  short: '短期运营者',
}

/** Per official account. */
export const SLOT_LIMIT: Record<OperatorRole, number> = { long: 5, short: 20 }
/** Operator bindings one WeChat user may hold across accounts (admin roles do not count). */
export const PER_USER_LIMIT = 5
/** A short-term binding works for this many calendar months from acceptance. */
export const SHORT_TERM_MONTHS = 1

export interface BindingTimes {
  role: OperatorRole
  /** ISO time; absent for long-term. */
  expiresAt?: string | undefined
  endedAt?: string | undefined
}

export function expiryFor (role: OperatorRole, acceptedAt: Millis): Millis | undefined {
  return role === 'short' ? addMonths(acceptedAt, SHORT_TERM_MONTHS) : undefined
}

/** The clock decides: a short-term binding stops at expiresAt whether or not a sweep has marked it. */
export function isActive (binding: BindingTimes, now: Millis): boolean {
  if (binding.endedAt !== undefined) return false
  if (binding.expiresAt !== undefined && Date.parse(binding.expiresAt) <= now) return false
  return true
}

/** Lapsed by the clock but not yet closed by anyone: what the sweep will mark expired. */
export function hasLapsed (binding: BindingTimes, now: Millis): boolean {
  return binding.endedAt === undefined && binding.expiresAt !== undefined && Date.parse(binding.expiresAt) <= now
}

/** Reminders go out this many days before a short-term binding expires. */
export const REMINDER_DAYS: readonly number[] = [3, 1]
/** A lapsed short-term binding can still be renewed for this long. */
export const RENEWABLE_AFTER_EXPIRY_DAYS = 30

/**
 * Which reminder is due at `now`, given those already sent: only the most urgent one goes out when
 * several are due at once (after downtime), and all due ones are marked sent.
 */
export function dueReminder (expiresAt: Millis, sent: readonly number[], now: Millis): { send: number, markSent: number[] } | undefined {
  if (now >= expiresAt) return undefined
  const due = REMINDER_DAYS.filter((d) => expiresAt - now <= d * 86_400_000 && !sent.includes(d))
  if (due.length === 0) return undefined
  return { send: Math.min(...due), markSent: [...sent, ...due].sort((a, b) => b - a) }
}

/**
 * A short-term binding its operator may ask to renew: not given up or taken away, and either active or
 * lapsed recently enough that renewal would still bring it back (the same rule as renewedExpiry).
 */
export function isRenewable (binding: BindingTimes & { endReason?: string | undefined }, now: Millis): boolean {
  if (binding.role !== 'short' || binding.expiresAt === undefined) return false
  if (binding.endedAt !== undefined && binding.endReason !== 'expired') return false
  return renewedExpiry(Date.parse(binding.expiresAt), now) !== undefined
}

/** The new expiry of a renewed short-term binding, or undefined when it lapsed too long ago. */
export function renewedExpiry (expiresAt: Millis, now: Millis): Millis | undefined {
  if (expiresAt > now) return addMonths(expiresAt, SHORT_TERM_MONTHS)
  if (now - expiresAt <= RENEWABLE_AFTER_EXPIRY_DAYS * 86_400_000) return addMonths(now, SHORT_TERM_MONTHS)
  return undefined
}
