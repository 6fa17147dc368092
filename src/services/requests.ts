// Requests waiting on an admin depend on the requester's role: a decision re-checks it, and the change
// that ends a binding closes every open request that depended on it.
import type { Millis } from '../domain/calendar.js'
import { approvalState, bindingGone, renewalGone, renewalState } from '../domain/requests.js'
import type { ClosedReason } from '../domain/requests.js'
import { isActive } from '../domain/roles.js'
import type { Approval, Binding, Renewal } from '../store/schema.js'
import type { StoreReader, StoreTransaction } from '../store/contract.js'
import { record } from './history.js'

/** Why an approval no longer stands at `now` (its actor lost the role it was asked under), or undefined. */
export async function approvalGone (reader: StoreReader, approval: Approval, now: Millis): Promise<ClosedReason | undefined> {
  if (approval.bindingId) return bindingGone((await reader.binding(approval.bindingId))!, now)
  if (await reader.administers(approval.actorUserId, approval.accountId)) return undefined
  // Asked as admin and no longer one, or recorded before requests named their binding (schema 4).
  const here = (await reader.bindingsOfUser(approval.actorUserId)).filter((b) => b.accountId === approval.accountId)
  if (here.some((b) => isActive(b, now))) return undefined
  const last = here.at(-1)
  return last ? bindingGone(last, now) : 'not-admin'
}

/** Why a renewal request no longer stands (its binding was unbound or removed), or undefined. */
export async function renewalRequestGone (reader: StoreReader, renewal: Renewal, now: Millis): Promise<ClosedReason | undefined> {
  return renewalGone((await reader.binding(renewal.bindingId))!, now)
}

/** An approval's state at `now`, with the reason when it closed because its actor lost the role. */
export async function approvalStanding (reader: StoreReader, approval: Approval, now: Millis): Promise<{ state: ReturnType<typeof approvalState>, reason: ClosedReason | undefined }> {
  const state = approvalState(approval, now)
  if (state === 'closed') return { state, reason: approval.closedReason }
  if (state !== 'pending') return { state, reason: undefined }
  const reason = await approvalGone(reader, approval, now)
  return reason ? { state: 'closed', reason } : { state, reason: undefined }
}

export async function renewalStanding (reader: StoreReader, renewal: Renewal, now: Millis): Promise<{ state: ReturnType<typeof renewalState>, reason: ClosedReason | undefined }> {
  const state = renewalState(renewal, now)
  if (state === 'closed') return { state, reason: renewal.closedReason }
  if (state !== 'pending') return { state, reason: undefined }
  const reason = await renewalRequestGone(reader, renewal, now)
  return reason ? { state: 'closed', reason } : { state, reason: undefined }
}

export async function closeApproval (tx: StoreTransaction, approval: Approval, reason: ClosedReason, at: string): Promise<void> {
  await tx.updateApproval(approval.id, { status: 'closed', closedAt: at, closedReason: reason })
  await tx.withdraw(approval.id, ['request'], at) // the admin need not be asked about it any more
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
