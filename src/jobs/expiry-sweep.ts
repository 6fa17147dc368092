// The expiry sweep: marks what the clock has already ended (short-term bindings, invitations, renewal
// requests), tells the people concerned once, and tidies old state. One write for the whole sweep.
import { days, fromIso, hours, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { invitationStatus } from '../domain/invitation-rules.js'
import { hasLapsed, renewedExpiry } from '../domain/roles.js'
import type { ServiceContext } from '../services/context.js'
import type { StoreReader } from '../store/contract.js'
import type { Approval, Binding, Invitation, Login, Renewal } from '../store/schema.js'
import { approvalState, loginState, renewalState } from '../domain/requests.js'
import { withdrawPush } from '../services/invitations.js'
import { closeRequestsOf } from '../services/requests.js'
import { lapseApproval } from '../services/risky-operations.js'
import { lapseRenewal } from '../services/renewals.js'
import { lapseLogin } from '../services/logins.js'
import { notify } from '../services/notices.js'
import { record } from '../services/history.js'
import { announceBindingEnded } from '../services/platform-events.js'

export type SweepDeps = ServiceContext

export interface SweepResult { bindings: number, invitations: number, renewals: number, approvals: number, logins: number, pruned: number }

/** Sent pushes are kept this long for the admin's view, then dropped from the data file. */
const KEEP_SENT = days(7)
const KEEP_FAILED = days(30)
const FORGET_DIALOGS_AFTER = hours(1)

export async function runExpirySweep (deps: SweepDeps, now: Millis): Promise<SweepResult> {
  const { engine } = deps
  // Looked for first without a transaction (nothing due is no write), then again inside the one that ends them.
  const early = await dueAt(engine, now)
  const anyPrunable = (await staleMessages(engine, now)).length > 0
  // Dialog steps that lapsed a while ago were already dead by the clock.
  await engine.forgetDialogs(now - FORGET_DIALOGS_AFTER)
  if (early.closing === 0 && !anyPrunable) return { bindings: 0, invitations: 0, renewals: 0, approvals: 0, logins: 0, pruned: 0 }

  const result = await engine.transaction(async (tx): Promise<SweepResult> => {
    const { bindings, invitations, renewals, approvals, logins } = await dueAt(tx, now)
    const at = toIso(now)
    for (const binding of bindings) {
      const account = (await tx.account(binding.accountId))!
      const operator = (await tx.user(binding.userId))!
      const admin = (await tx.user(account.adminUserId))!
      const expiredAt = fromIso(binding.expiresAt!)
      // Ended when the clock said so, not when the sweep noticed.
      await tx.updateBinding(binding.id, { endedAt: binding.expiresAt, endReason: 'expired' })
      await announceBindingEnded(tx, binding, 'expired', binding.expiresAt!, undefined)
      const renewable = renewedExpiry(expiredAt, now) !== undefined
      const about = { id: binding.id, topic: 'expiry' as const }
      await tx.withdraw(binding.id, ['reminder'], at)
      // Closed as of the expiry: an approval asked for a role that had already run out never stood.
      await closeRequestsOf(tx, binding, 'expired', now, binding.expiresAt!)
      await notify(tx, { to: operator.id, notice: { kind: 'short-term-ended', accountName: account.name, expiresAt: expiredAt, adminName: admin.name, renewable }, at, accountId: account.id, about })
      await notify(tx, { to: admin.id, notice: { kind: 'short-term-ended-admin', operator, accountName: account.name, expiresAt: expiredAt }, at, accountId: account.id, about })
      await record(tx, { accountId: account.id, at: binding.expiresAt!, event: { action: 'binding.expired', wechatId: operator.wechatId, role: 'short' } })
    }
    for (const invitation of invitations) {
      const account = (await tx.account(invitation.accountId))!
      const invitee = (await tx.user(invitation.inviteeUserId))!
      await tx.updateInvitation(invitation.id, { status: 'expired' })
      await withdrawPush(tx, invitation, at)
      await notify(tx, { to: account.adminUserId, notice: { kind: 'invitation-lapsed', invitee, accountName: account.name, role: invitation.role, code: invitation.code }, at, accountId: account.id })
      await record(tx, { accountId: account.id, at: invitation.expiresAt, event: { action: 'invitation.expired', wechatId: invitee.wechatId, code: invitation.code } })
    }
    for (const renewal of renewals) await lapseRenewal(tx, renewal, now)
    for (const approval of approvals) await lapseApproval(tx, approval, now)
    for (const login of logins) await lapseLogin(tx, login, now)
    const stale = await staleMessages(tx, now)
    const pruned = stale.length > 0 ? await tx.dropMessages(stale) : 0
    return { bindings: bindings.length, invitations: invitations.length, renewals: renewals.length, approvals: approvals.length, logins: logins.length, pruned }
  })
  deps.deliver()
  if (result.bindings + result.invitations + result.renewals + result.approvals + result.logins > 0) {
    deps.log.info(`sweep: ${result.bindings} short-term bindings, ${result.invitations} invitations, ${result.renewals} renewal requests, ${result.approvals} operation requests, ${result.logins} login confirmations expired`)
  }
  return result
}

/** Sent pushes older than a week and given-up ones older than a month, found by time through an index. */
async function staleMessages (reader: StoreReader, now: Millis): Promise<string[]> {
  const sent = await reader.messagesSentBefore(now - KEEP_SENT)
  const failed = await reader.messagesFailedBefore(now - KEEP_FAILED)
  return [...new Set([...sent, ...failed].map((m) => m.id))]
}

/** What the clock has ended by `now`, found by time through the deadline indexes, not by reading every record. */
async function dueAt (reader: StoreReader, now: Millis): Promise<{ bindings: Binding[], invitations: Invitation[], renewals: Renewal[], approvals: Approval[], logins: Login[], closing: number }> {
  const bindings = (await reader.shortTermExpiringBy(now)).filter((b) => hasLapsed(b, now))
  const invitations = (await reader.pendingInvitationsDueBy(now)).filter((i) => invitationStatus(i, now) === 'expired')
  const renewals = (await reader.pendingRenewalsDueBy(now)).filter((r) => renewalState(r, now) === 'expired')
  // Already refused by the clock; marking them keeps the record and the history plain.
  const approvals = (await reader.pendingApprovalsDueBy(now)).filter((a) => approvalState(a, now) === 'lapsed')
  const logins = (await reader.pendingLoginsDueBy(now)).filter((l) => loginState(l, now) === 'lapsed')
  return { bindings, invitations, renewals, approvals, logins, closing: bindings.length + invitations.length + renewals.length + approvals.length + logins.length }
}
