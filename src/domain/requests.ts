// Requests that wait on an admin (risky-operation approvals, renewal requests): their state by the clock
// and whether what they depended on still holds. Pure: time is an argument.
import type { Millis } from './calendar.js'

/** Why an open request was closed without a decision. */
export type ClosedReason = 'unbound' | 'removed' | 'expired' | 'not-admin'

export type ApprovalState = 'pending' | 'approved' | 'refused' | 'lapsed' | 'closed'
export type RenewalState = 'pending' | 'approved' | 'refused' | 'expired' | 'closed'

interface Deadline { status: string, expiresAt: string }

/** The clock decides: a pending approval past its deadline is lapsed (refused), whether or not a sweep marked it. */
export function approvalState (approval: Deadline & { status: ApprovalState }, now: Millis): ApprovalState {
  return approval.status === 'pending' && Date.parse(approval.expiresAt) <= now ? 'lapsed' : approval.status
}

/** The clock decides: a pending renewal request past its deadline has lapsed. */
export function renewalState (renewal: Deadline & { status: RenewalState }, now: Millis): RenewalState {
  return renewal.status === 'pending' && Date.parse(renewal.expiresAt) <= now ? 'expired' : renewal.status
}

export type LoginStatus = 'pending' | 'confirmed' | 'rejected' | 'lapsed'

/** The clock decides: a login not confirmed within its minutes has lapsed, whether or not a sweep marked it. */
export function loginState (login: Deadline & { status: LoginStatus }, now: Millis): LoginStatus {
  return login.status === 'pending' && Date.parse(login.expiresAt) <= now ? 'lapsed' : login.status
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
