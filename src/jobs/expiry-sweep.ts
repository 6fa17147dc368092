// The expiry sweep: marks what the clock has already ended (short-term bindings, invitations, renewal
// requests), tells the people concerned once, and tidies old state. One write for the whole sweep.
import { days, fromIso, hours, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { invitationStatus } from '../domain/invitation-rules.js'
import { hasLapsed, renewedExpiry } from '../domain/roles.js'
import type { ServiceContext } from '../services/context.js'
import { approvalState, renewalState } from '../domain/requests.js'
import { withdrawPushSync } from '../services/invitations.js'
import { closeRequestsOfSync } from '../services/requests.js'
import { notify } from '../services/notices.js'
import { record } from '../services/history.js'

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
      const about = { id: binding.id, topic: 'expiry' as const }
      tx.withdraw(binding.id, ['reminder'], at)
      // Closed as of the expiry: an approval asked for a role that had already run out never stood.
      closeRequestsOfSync(tx, store, binding, 'expired', now, binding.expiresAt!)
      notify(tx, { to: operator.id, notice: { kind: 'short-term-ended', accountName: account.name, expiresAt: expiredAt, adminName: admin.name, renewable }, at, accountId: account.id, about })
      notify(tx, { to: admin.id, notice: { kind: 'short-term-ended-admin', operator, accountName: account.name, expiresAt: expiredAt }, at, accountId: account.id, about })
      record(tx, { accountId: account.id, at: binding.expiresAt!, event: { action: 'binding.expired', wechatId: operator.wechatId, role: 'short' } })
    }
    for (const invitation of invitations) {
      const account = store.account(invitation.accountId)!
      const invitee = store.user(invitation.inviteeUserId)!
      tx.updateInvitation(invitation.id, { status: 'expired' })
      withdrawPushSync(tx, invitation, at)
      notify(tx, { to: account.adminUserId, notice: { kind: 'invitation-lapsed', invitee, accountName: account.name, role: invitation.role, code: invitation.code }, at, accountId: account.id })
      record(tx, { accountId: account.id, at: invitation.expiresAt, event: { action: 'invitation.expired', wechatId: invitee.wechatId, code: invitation.code } })
    }
    for (const renewal of renewals) {
      const account = store.account(renewal.accountId)!
      tx.updateRenewal(renewal.id, { status: 'expired' })
      tx.withdraw(renewal.id, ['request'], at)
      notify(tx, { to: renewal.requestedBy, notice: { kind: 'renewal-lapsed', accountName: account.name }, at, accountId: account.id })
      record(tx, { accountId: account.id, at: renewal.expiresAt, event: { action: 'renewal.expired', code: renewal.code } })
    }
    for (const approval of approvals) {
      const actor = store.user(approval.actorUserId)!
      tx.updateApproval(approval.id, { status: 'lapsed' })
      tx.withdraw(approval.id, ['request'], at)
      record(tx, { accountId: approval.accountId, at: approval.expiresAt, event: { action: 'operation.lapsed', wechatId: actor.wechatId, operation: approval.operation } })
    }
    if (prunable) pruned = tx.pruneMessages((m) => !stale(m))
  })
  deps.deliver()
  if (closing > 0) {
    deps.log.info(`sweep: ${bindings.length} short-term bindings, ${invitations.length} invitations, ${renewals.length} renewal requests expired`)
  }
  return { bindings: bindings.length, invitations: invitations.length, renewals: renewals.length, approvals: approvals.length, pruned }
}
