// The expiry sweep: marks what the clock has already ended (short-term bindings, invitations, renewal
// requests), tells the people concerned once, and tidies old state. One write for the whole sweep.
import { days, fromIso, hours, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { invitationStatus } from '../domain/invitation-rules.js'
import { hasLapsed, renewedExpiry } from '../domain/roles.js'
import type { ServiceContext } from '../services/context.js'
import { approvalState, renewalState } from '../domain/requests.js'
import { withdrawPush } from '../services/invitations.js'
import { closeRequestsOf } from '../services/requests.js'
import { texts } from '../texts.js'

export interface SweepDeps extends ServiceContext {
  /** Drops dialog steps that lapsed before `cutoff` (they were already dead by the clock). */
  forgetDialogs?: (cutoff: Millis) => void
}

export interface SweepResult { bindings: number, invitations: number, renewals: number, approvals: number, pruned: number }

/** Sent pushes are kept this long for the admin's view, then dropped from the data file. */
const KEEP_SENT = days(7)
const KEEP_FAILED = days(30)
const FORGET_DIALOGS_AFTER = hours(1)

export async function runExpirySweep (deps: SweepDeps, now: Millis): Promise<SweepResult> {
  const { store } = deps
  // Found by time through the store's deadline indexes, not by reading every record.
  const bindings = store.shortTermExpiringBy(now).filter((b) => hasLapsed(b, now))
  const invitations = store.pendingInvitationsDueBy(now).filter((i) => invitationStatus(i, now) === 'expired')
  const renewals = store.pendingRenewalsDueBy(now).filter((r) => renewalState(r, now) === 'expired')
  // Already refused by the clock; marking them keeps the record and the history plain.
  const approvals = store.pendingApprovalsDueBy(now).filter((a) => approvalState(a, now) === 'lapsed')
  const stale = (m: { sentAt?: string | undefined, failedAt?: string | undefined }): boolean =>
    (m.sentAt !== undefined && fromIso(m.sentAt) < now - KEEP_SENT) || (m.failedAt !== undefined && fromIso(m.failedAt) < now - KEEP_FAILED)
  const prunable = store.data.outbox.some(stale)
  deps.forgetDialogs?.(now - FORGET_DIALOGS_AFTER)
  const closing = bindings.length + invitations.length + renewals.length + approvals.length
  if (closing === 0 && !prunable) return { bindings: 0, invitations: 0, renewals: 0, approvals: 0, pruned: 0 }

  let pruned = 0
  await store.change((tx) => {
    const at = toIso(now)
    for (const binding of bindings) {
      const account = store.account(binding.accountId)!
      const operator = store.user(binding.userId)!
      const admin = store.user(account.adminUserId)!
      const expiredAt = fromIso(binding.expiresAt!)
      // Ended when the clock said so, not when the sweep noticed.
      tx.updateBinding(binding.id, { endedAt: binding.expiresAt, endReason: 'expired' })
      const renewable = renewedExpiry(expiredAt, now) !== undefined
      const about = { accountId: account.id, about: binding.id, topic: 'expiry' as const }
      tx.withdraw(binding.id, ['reminder'], at)
      // Closed as of the expiry: an approval asked for a role that had already run out never stood.
      closeRequestsOf(tx, store, binding, 'expired', now, binding.expiresAt!)
      tx.enqueue({ toUserId: operator.id, text: texts.shortTermEnded(account.name, expiredAt, admin.name, renewable), createdAt: at, ...about })
      tx.enqueue({ toUserId: admin.id, text: texts.shortTermEndedAdmin(operator, account.name, expiredAt), createdAt: at, ...about })
      tx.addHistory({ accountId: account.id, at: binding.expiresAt!, action: 'binding.expired', detail: `${operator.wechatId} 短期运营者` })
    }
    for (const invitation of invitations) {
      const account = store.account(invitation.accountId)!
      const invitee = store.user(invitation.inviteeUserId)!
      tx.updateInvitation(invitation.id, { status: 'expired' })
      withdrawPush(tx, invitation, at)
      tx.enqueue({ toUserId: account.adminUserId, text: texts.invitationLapsedAdmin(invitee, account.name, invitation.role, invitation.code), createdAt: at, accountId: account.id })
      tx.addHistory({ accountId: account.id, at: invitation.expiresAt, action: 'invitation.expired', detail: `${invitee.wechatId},邀请码 ${invitation.code}` })
    }
    for (const renewal of renewals) {
      const account = store.account(renewal.accountId)!
      tx.updateRenewal(renewal.id, { status: 'expired' })
      tx.withdraw(renewal.id, ['request'], at)
      tx.enqueue({ toUserId: renewal.requestedBy, text: texts.renewalLapsed(account.name), createdAt: at, accountId: account.id })
      tx.addHistory({ accountId: account.id, at: renewal.expiresAt, action: 'renewal.expired', detail: `编号 ${renewal.code}` })
    }
    for (const approval of approvals) {
      const actor = store.user(approval.actorUserId)!
      tx.updateApproval(approval.id, { status: 'lapsed' })
      tx.withdraw(approval.id, ['request'], at)
      tx.addHistory({ accountId: approval.accountId, at: approval.expiresAt, action: 'operation.lapsed', detail: texts.operationDetail(actor.wechatId, approval.operation, undefined) })
    }
    if (prunable) pruned = tx.pruneMessages((m) => !stale(m))
  })
  deps.deliver()
  if (closing > 0) {
    deps.log.info(`sweep: ${bindings.length} short-term bindings, ${invitations.length} invitations, ${renewals.length} renewal requests expired`)
  }
  return { bindings: bindings.length, invitations: invitations.length, renewals: renewals.length, approvals: approvals.length, pruned }
}
