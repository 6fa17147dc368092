// How long closed records are kept: history and records that ended are pruned once older than the
// retention period, so the data file stops growing with time. Pure: the cutoff is an argument.
import { days } from './calendar.js'
import type { Millis } from './calendar.js'
import { RENEWABLE_AFTER_EXPIRY_DAYS } from './roles.js'

export const DEFAULT_RETENTION: Millis = days(365)
/** Never shorter than what the product still reads of the past: lapsed roles shown and renewable for 30 days. */
export const MIN_RETENTION: Millis = days(RENEWABLE_AFTER_EXPIRY_DAYS + 1)

const older = (iso: string | undefined, cutoff: Millis): boolean => iso !== undefined && Date.parse(iso) < cutoff

export function historyExpired (entry: { at: string }, cutoff: Millis): boolean {
  return older(entry.at, cutoff)
}

/** An invitation is kept while it can still be answered, then for the retention period after it closed. */
export function invitationExpired (invitation: { status: string, expiresAt: string, answeredAt?: string | undefined }, cutoff: Millis): boolean {
  return older(invitation.status === 'pending' ? invitation.expiresAt : invitation.answeredAt ?? invitation.expiresAt, cutoff)
}

/** A request (renewal, risky operation) is kept for the retention period after it was decided or lapsed. */
export function requestExpired (request: { expiresAt: string, decidedAt?: string | undefined, closedAt?: string | undefined }, cutoff: Millis): boolean {
  return older(request.decidedAt ?? request.closedAt ?? request.expiresAt, cutoff)
}

/** A login is kept while it can still be confirmed, then for the retention period after it was answered or lapsed. */
export function loginExpired (login: { expiresAt: string, answeredAt?: string | undefined }, cutoff: Millis): boolean {
  return older(login.answeredAt ?? login.expiresAt, cutoff)
}

/** An ended binding is kept for the retention period after it ended; an active one always. */
export function bindingExpired (binding: { endedAt?: string | undefined }, cutoff: Millis): boolean {
  return older(binding.endedAt, cutoff)
}

/** How long a delivery (a push, a webhook event) stays once delivered, and once given up on: listed, then dropped. */
export const KEEP_DELIVERED: Millis = days(7)
export const KEEP_GIVEN_UP: Millis = days(30)
