// Who may be invited as an operator, and an invitation's state by the clock. Pure.
import type { Millis } from './calendar.js'
import { PER_USER_LIMIT, SLOT_LIMIT } from './roles.js'
import type { OperatorRole } from './roles.js'
import { byTheClock } from './requests.js'

/** Each condition that can stop an invitation, with what the admin or invitee needs to know about it. */
export type Refusal =
  | { kind: 'not-following' }
  | { kind: 'no-account-protection' }
  | { kind: 'no-bank-card' }
  | { kind: 'is-admin' }
  | { kind: 'already-bound', role: OperatorRole, expiresAt: Millis | undefined }
  | { kind: 'already-invited', role: OperatorRole, code: string, expiresAt: Millis }
  | { kind: 'slots-full', role: OperatorRole, used: number, limit: number }
  | { kind: 'user-limit', held: number, limit: number }

export interface InvitationFacts {
  role: OperatorRole
  invitee: { isAdmin: boolean, follows: boolean, accountProtection: boolean, bankCard: boolean }
  /** The invitee's active binding on this account, if any. */
  existingBinding: { role: OperatorRole, expiresAt: Millis | undefined } | undefined
  /** Another pending invitation of the invitee to this account (not the one being accepted). */
  otherPendingInvitation: { role: OperatorRole, code: string, expiresAt: Millis } | undefined
  /** Active bindings plus other pending invitations of this role on the account. */
  slotsUsed: number
  /** Active operator bindings plus other pending invitations the invitee holds across accounts. */
  inviteeHolds: number
}

/** Every failing condition, in the order a person would fix them; empty when the invitation may go ahead. */
export function invitationRefusals (facts: InvitationFacts): Refusal[] {
  const refusals: Refusal[] = []
  const { invitee } = facts
  if (invitee.isAdmin) refusals.push({ kind: 'is-admin' })
  if (facts.existingBinding) {
    refusals.push({ kind: 'already-bound', role: facts.existingBinding.role, expiresAt: facts.existingBinding.expiresAt })
  }
  if (facts.otherPendingInvitation) refusals.push({ kind: 'already-invited', ...facts.otherPendingInvitation })
  if (!invitee.follows) refusals.push({ kind: 'not-following' })
  if (!invitee.accountProtection) refusals.push({ kind: 'no-account-protection' })
  if (!invitee.bankCard) refusals.push({ kind: 'no-bank-card' })
  if (facts.slotsUsed >= SLOT_LIMIT[facts.role]) {
    refusals.push({ kind: 'slots-full', role: facts.role, used: facts.slotsUsed, limit: SLOT_LIMIT[facts.role] })
  }
  if (facts.inviteeHolds >= PER_USER_LIMIT) refusals.push({ kind: 'user-limit', held: facts.inviteeHolds, limit: PER_USER_LIMIT })
  return refusals
}

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'cancelled' | 'expired'

export interface InvitationTimes {
  status: InvitationStatus
  expiresAt: string
}

/** The clock decides: a pending invitation past its deadline is expired whether or not a sweep marked it. */
export function invitationStatus (invitation: InvitationTimes, now: Millis): InvitationStatus {
  return byTheClock(invitation, now, 'expired')
}

export function isPending (invitation: InvitationTimes, now: Millis): boolean {
  return invitationStatus(invitation, now) === 'pending'
}
