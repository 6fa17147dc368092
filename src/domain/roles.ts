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

export type EndReason = 'unbound' | 'removed' | 'expired'

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
