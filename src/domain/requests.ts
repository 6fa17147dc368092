// Requests that wait on an admin (risky-operation approvals, renewal requests): their state by the clock
// and whether what they depended on still holds. Pure: time is an argument.
import type { Millis } from './calendar.js'

/** Why an open request was closed without a decision. */
export type ClosedReason = 'unbound' | 'removed' | 'expired' | 'not-admin'

export type ApprovalState = 'pending' | 'approved' | 'refused' | 'lapsed' | 'closed'
export type RenewalState = 'pending' | 'approved' | 'refused' | 'expired' | 'closed'

/** The clock decides: a request still marked pending past its deadline reads as `lapsed`, whether or not a sweep marked it. */
export function byTheClock<S extends string> (request: { status: S, expiresAt: string }, now: Millis, lapsed: S): S {
  return request.status === 'pending' && Date.parse(request.expiresAt) <= now ? lapsed : request.status
}

/** An approval past its deadline is lapsed (refused). */
export function approvalState (approval: { status: ApprovalState, expiresAt: string }, now: Millis): ApprovalState {
  return byTheClock(approval, now, 'lapsed')
}

/** A renewal request past its deadline has expired. */
export function renewalState (renewal: { status: RenewalState, expiresAt: string }, now: Millis): RenewalState {
  return byTheClock(renewal, now, 'expired')
}

export type LoginStatus = 'pending' | 'confirmed' | 'rejected' | 'lapsed'

/** A login not confirmed within its minutes has lapsed. */
export function loginState (login: { status: LoginStatus, expiresAt: string }, now: Millis): LoginStatus {
  return byTheClock(login, now, 'lapsed')
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
