// Requests that wait on an admin (risky-operation approvals, renewal requests): their state by the clock
// and whether what they depended on still holds. Pure: time is an argument.
import type { Millis } from './calendar.js'
import { windowOpen } from './deadlines.js'

/** Why an open request was closed without a decision. */
export type ClosedReason = 'unbound' | 'removed' | 'expired' | 'not-admin'

export type ApprovalState = 'pending' | 'approved' | 'refused' | 'lapsed' | 'closed'
export type RenewalState = 'pending' | 'approved' | 'refused' | 'expired' | 'closed'

/** The clock decides: a request still marked pending past its deadline reads as `lapsed`, whether or not a sweep marked it. */
export function byTheClock<S extends string> (request: { status: S, expiresAt: string }, now: Millis, lapsed: S): S {
  return request.status === 'pending' && Date.parse(request.expiresAt) <= now ? lapsed : request.status
}

/**
 * A request with a short answer window (minutes: an approval, a login confirmation) by the clock: past its
 * deadline, or asked after `now` (its deadline lies further out than its window: the clock was set back
 * since, domain/deadlines.ts), it has lapsed, and the person asks again rather than having the jump's
 * hours to answer. Invitations (a day) and renewal requests (three days) keep byTheClock: a jump of hours
 * stretches them by a fraction of their window, and lapsing them would take a pending invitation or
 * request away from people who did nothing wrong.
 */
function byShortWindow<S extends string> (request: { status: S, createdAt: string, expiresAt: string }, now: Millis, lapsed: S): S {
  if (request.status !== 'pending') return request.status
  const expiresAt = Date.parse(request.expiresAt)
  return windowOpen(expiresAt, expiresAt - Date.parse(request.createdAt), now) ? request.status : lapsed
}

/** An approval past its deadline (or asked before the clock was set back) is lapsed (refused). */
export function approvalState (approval: { status: ApprovalState, createdAt: string, expiresAt: string }, now: Millis): ApprovalState {
  return byShortWindow(approval, now, 'lapsed')
}

/** A renewal request past its deadline has expired. */
export function renewalState (renewal: { status: RenewalState, expiresAt: string }, now: Millis): RenewalState {
  return byTheClock(renewal, now, 'expired')
}

export type LoginStatus = 'pending' | 'confirmed' | 'rejected' | 'lapsed'

/** A login not confirmed within its minutes (or asked before the clock was set back) has lapsed. */
export function loginState (login: { status: LoginStatus, createdAt: string, expiresAt: string }, now: Millis): LoginStatus {
  return byShortWindow(login, now, 'lapsed')
}

export interface BindingEnd {
  expiresAt?: string | undefined
  endedAt?: string | undefined
  endReason?: 'unbound' | 'removed' | 'expired' | undefined
}

/** Why a binding no longer holds at `now` (ended, or past its expiry by the clock), or undefined while it does. */
export function bindingGone (binding: BindingEnd, now: Millis): ClosedReason | undefined {
  if (binding.endedAt !== undefined) return binding.endReason ?? 'removed'
  if (binding.expiresAt !== undefined && Date.parse(binding.expiresAt) <= now) return 'expired'
  return undefined
}

/**
 * What a renewal request depends on: the binding it would renew was not given up or taken away. An
 * expired binding is what renewal is for, so expiry does not close the request.
 */
export function renewalGone (binding: BindingEnd, now: Millis): ClosedReason | undefined {
  const gone = bindingGone(binding, now)
  return gone === 'expired' ? undefined : gone
}

/**
 * When a request that went unanswered lapsed: at its deadline, or now when the clock was set back under
 * it (its deadline then lies ahead, though it has lapsed): never a time still to come.
 */
export function lapsedAt (expiresAt: string, now: Millis): string {
  return Date.parse(expiresAt) <= now ? expiresAt : new Date(now).toISOString()
}
