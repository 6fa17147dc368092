// Requests waiting on an admin depend on the requester's role: a decision re-checks it, and the change
// that ends a binding closes every open request that depended on it.
import { fromIso, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { approvalState, bindingGone, renewalGone, renewalState } from '../domain/requests.js'
import type { ApprovalState, ClosedReason, RenewalState } from '../domain/requests.js'
import { isActive, renewedExpiry } from '../domain/roles.js'
import type { Approval, Binding, Renewal, User } from '../store/schema.js'
import type { StoreReader, StoreTransaction } from '../store/contract.js'
import { record } from './history.js'
import { notify } from './notices.js'
import { announceBindingEnded, announceClosed } from './platform-events.js'
import type { BindingEnd } from './platform-events.js'

/** Why an approval no longer stands at `now` (its actor lost the role it was asked under), or undefined. */
async function approvalGone (reader: StoreReader, approval: Approval, now: Millis): Promise<ClosedReason | undefined> {
  if (approval.bindingId) return bindingGone((await reader.binding(approval.bindingId))!, now)
  if (await reader.administers(approval.actorUserId, approval.accountId)) return undefined
  // Asked as admin and no longer one, or recorded before requests named their binding (schema 4).
  const here = (await reader.bindingsOfUser(approval.actorUserId)).filter((b) => b.accountId === approval.accountId)
  if (here.some((b) => isActive(b, now))) return undefined
  const last = here.at(-1)
  return last ? bindingGone(last, now) : 'not-admin'
}

type Standing<S> = { state: S | 'closed', reason: ClosedReason | undefined }

/** A request's state by the clock; a pending one reads closed (with the reason) once what it depended on is gone. */
async function standing<S extends string> (state: S, stored: ClosedReason | undefined, gone: () => Promise<ClosedReason | undefined>): Promise<Standing<S>> {
  if (state === 'closed') return { state, reason: stored }
  if (state !== 'pending') return { state, reason: undefined }
  const reason = await gone()
  return reason ? { state: 'closed', reason } : { state, reason: undefined }
}

/** An approval's state at `now`, with the reason when it closed because its actor lost the role. */
export function approvalStanding (reader: StoreReader, approval: Approval, now: Millis): Promise<Standing<ApprovalState>> {
  return standing(approvalState(approval, now), approval.closedReason, () => approvalGone(reader, approval, now))
}

/** A renewal request's state at `now`: closed once its binding was unbound or removed (expiry is what renewal is for). */
export function renewalStanding (reader: StoreReader, renewal: Renewal, now: Millis): Promise<Standing<RenewalState>> {
  return standing(renewalState(renewal, now), renewal.closedReason, async () => renewalGone((await reader.binding(renewal.bindingId))!, now))
}

/** The requests still waiting for this admin across their accounts, oldest first. */
export async function openRequestsFor<R extends { createdAt: string }> (
  reader: StoreReader, admin: User, pendingOf: (accountId: string) => Promise<R[]>, standingOf: (request: R) => Promise<{ state: string }>,
): Promise<R[]> {
  const open: R[] = []
  for (const account of await reader.accountsAdministeredBy(admin.id)) {
    for (const request of await pendingOf(account.id)) if ((await standingOf(request)).state === 'pending') open.push(request)
  }
  return open.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
}

export async function closeApproval (tx: StoreTransaction, approval: Approval, reason: ClosedReason, at: string): Promise<void> {
  await tx.updateApproval(approval.id, { status: 'closed', closedAt: at, closedReason: reason })
  await tx.withdraw(approval.id, ['request'], at) // the admin need not be asked about it any more
  await announceClosed(tx, approval, reason, at)
  const actor = (await tx.user(approval.actorUserId))!
  await record(tx, { accountId: approval.accountId, at, event: { action: 'operation.closed', wechatId: actor.wechatId, operation: approval.operation, reason } })
}

export async function closeRenewal (tx: StoreTransaction, renewal: Renewal, reason: ClosedReason, at: string): Promise<void> {
  await tx.updateRenewal(renewal.id, { status: 'closed', closedAt: at, closedReason: reason })
  await tx.withdraw(renewal.id, ['request'], at)
  const operator = (await tx.user(renewal.requestedBy))!
  await record(tx, { accountId: renewal.accountId, at, event: { action: 'renewal.closed', wechatId: operator.wechatId, code: renewal.code, reason } })
}

/**
 * In the transaction that ends `binding`: closes the approvals asked under it and, unless it merely
 * expired (which is what renewal is for), its renewal requests. Returns how many closed.
 */
export async function closeRequestsOf (tx: StoreTransaction, binding: Binding, reason: ClosedReason, now: Millis, at: string): Promise<number> {
  let closed = 0
  for (const approval of await tx.pendingApprovalsOf(binding.accountId)) {
    const dependsOn = approval.bindingId === binding.id || (approval.bindingId === undefined && approval.actorUserId === binding.userId)
    if (dependsOn && approvalState(approval, now) === 'pending') {
      await closeApproval(tx, approval, reason, at)
      closed++
    }
  }
  if (reason === 'expired') return closed
  for (const renewal of await tx.pendingRenewalsOf(binding.accountId)) {
    if (renewal.bindingId === binding.id && renewalState(renewal, now) === 'pending') {
      await closeRenewal(tx, renewal, reason, at)
      closed++
    }
  }
  return closed
}

/**
 * Ends `binding`, in the transaction that decides it at `now`: a reminder not yet sent is taken back (a
 * reminder to renew a role that ended is wrong), every open request that depended on it closes, and the
 * platform is told (`cause`: what the webhook calls it, when not `reason` itself). `endedAt`: when it ended,
 * now unless the clock ended it earlier (an expiry the sweep marks late). Returns how many requests closed.
 */
export async function endBinding (
  tx: StoreTransaction, binding: Binding, reason: 'unbound' | 'removed' | 'expired', by: User | undefined, now: Millis,
  cause: BindingEnd = reason, endedAt: string = toIso(now),
): Promise<number> {
  await tx.updateBinding(binding.id, { endedAt, endReason: reason, ...(by ? { endedBy: by.id } : {}) })
  await tx.withdraw(binding.id, ['reminder'], toIso(now))
  await announceBindingEnded(tx, binding, cause, endedAt, by?.wechatId)
  return closeRequestsOf(tx, binding, reason, now, endedAt)
}

/**
 * The sweep's part for a short-term binding past its expiry: ended as of the expiry (an approval asked for a
 * role that had already run out never stood), and the operator and the admin told once.
 */
export async function expireBinding (tx: StoreTransaction, binding: Binding, now: Millis): Promise<void> {
  const at = toIso(now)
  const account = (await tx.account(binding.accountId))!
  const operator = (await tx.user(binding.userId))!
  const admin = (await tx.user(account.adminUserId))!
  const expiredAt = fromIso(binding.expiresAt!)
  await endBinding(tx, binding, 'expired', undefined, now, 'expired', binding.expiresAt!)
  const renewable = renewedExpiry(expiredAt, now) !== undefined
  const about = { id: binding.id, topic: 'expiry' as const }
  await notify(tx, { to: operator.id, notice: { kind: 'short-term-ended', accountName: account.name, expiresAt: expiredAt, adminName: admin.name, renewable }, at, accountId: account.id, about })
  await notify(tx, { to: admin.id, notice: { kind: 'short-term-ended-admin', operator, accountName: account.name, expiresAt: expiredAt }, at, accountId: account.id, about })
  await record(tx, { accountId: account.id, at: binding.expiresAt!, event: { action: 'binding.expired', wechatId: operator.wechatId, role: 'short' } })
}
