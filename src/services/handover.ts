// An account handed to another admin, inside the transaction that does it. The new admin stops being the
// account's operator (an admin holds every permission, and no one holds both roles) and loses a pending
// invitation there; requests the old admin asked as admin close (they no longer stand); operators' open
// requests are put to the new admin, since the account's admin decides them; both admins are told.
import { toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { isPending } from '../domain/invitation-rules.js'
import type { ClosedReason } from '../domain/requests.js'
import type { OperatorRole } from '../domain/roles.js'
import type { StoreTransaction } from '../store/contract.js'
import type { Account, Approval, Renewal, User } from '../store/schema.js'
import { record } from './history.js'
import { withdrawPush } from './invitations.js'
import { notify } from './notices.js'
import type { Push } from './notices.js'
import { approvalStanding, closeApproval, closeRenewal, endBinding, renewalStanding } from './requests.js'
import { renewalRequestPush } from './renewals.js'
import { approvalRequestPush } from './risky-operations.js'

export interface Handover {
  /** The new admin's operator role on the account, ended by the change. */
  endedRole: OperatorRole | undefined
  /** Open requests now put to the new admin. */
  forwarded: number
  /** Requests that no longer stood and were closed (asked by the old admin as admin, or by the new one as operator). */
  closed: number
}

/** `knownAs`: the account's name as the old admin knew it (a rename in the same change comes after). */
export async function handOver (tx: StoreTransaction, account: Account, from: User, to: User, knownAs: string, now: Millis): Promise<Handover> {
  const at = toIso(now)
  // Lapsed but not yet swept included: its renewal request would otherwise be put to its own requester.
  const ending = (await tx.bindingsOfUser(to.id)).find((b) => b.accountId === account.id && b.endedAt === undefined)
  let closed = ending ? await endBinding(tx, ending, 'removed', undefined, now, 'handed-over') : 0
  const invitation = (await tx.invitationsOfUser(to.id)).find((i) => i.accountId === account.id && isPending(i, now))
  if (invitation) {
    await tx.updateInvitation(invitation.id, { status: 'cancelled', answeredAt: at })
    await withdrawPush(tx, invitation, at)
    await record(tx, { accountId: account.id, at, event: { action: 'invitation.cancelled', wechatId: to.wechatId, code: invitation.code } })
  }
  const handed = await tx.updateAccount(account.id, { adminUserId: to.id })

  // Each request as it stands now that `to` is the admin: still open, or gone with what it depended on.
  const approvals = await sortOut(await tx.pendingApprovalsOf(account.id), (a) => approvalStanding(tx, a, now), (a, why) => closeApproval(tx, a, why, at),
    (a) => approvalPush(tx, handed, a, to, at))
  const renewals = await sortOut(await tx.pendingRenewalsOf(account.id), (r) => renewalStanding(tx, r, now), (r, why) => closeRenewal(tx, r, why, at),
    (r) => renewalPush(tx, handed, r, to, now))
  closed += approvals.closed + renewals.closed
  const forwarded = [...approvals.pushes, ...renewals.pushes]

  const endedRole = ending?.role
  await notify(tx, { to: to.id, notice: { kind: 'admin-assigned', accountName: handed.name, previousAdmin: person(from), endedRole, waiting: forwarded.length }, at, accountId: account.id })
  for (const push of forwarded) {
    await tx.withdraw(push.about!.id, ['request'], at) // the old admin can no longer answer it
    await notify(tx, push)
  }
  await notify(tx, { to: from.id, notice: { kind: 'admin-replaced', accountName: knownAs, newAdmin: person(to), at: now }, at, accountId: account.id })
  await record(tx, { accountId: account.id, at, event: { action: 'account.admin-changed', from: from.wechatId, to: to.wechatId, endedRole } })
  return { endedRole, forwarded: forwarded.length, closed }
}

/** Requests still marked pending: closed when what they depended on is gone, else pushed to the new admin (returned, to queue in order). */
async function sortOut<R> (
  requests: readonly R[],
  standingOf: (request: R) => Promise<{ state: string, reason: ClosedReason | undefined }>,
  close: (request: R, reason: ClosedReason) => Promise<void>,
  push: (request: R) => Promise<Push>,
): Promise<{ closed: number, pushes: Push[] }> {
  let closed = 0
  const pushes: Push[] = []
  for (const request of requests) {
    const { state, reason } = await standingOf(request)
    if (state === 'closed') {
      await close(request, reason!)
      closed++
    } else if (state === 'pending') pushes.push(await push(request))
  }
  return { closed, pushes }
}

function person (user: User): { name: string, wechatId: string } {
  return { name: user.name, wechatId: user.wechatId }
}

/** The approval request as the new admin reads it: same code, time and deadline. */
async function approvalPush (tx: StoreTransaction, account: Account, approval: Approval, to: User, at: string): Promise<Push> {
  const actor = (await tx.user(approval.actorUserId))!
  const role = approval.bindingId ? (await tx.binding(approval.bindingId))!.role : undefined
  return approvalRequestPush(to.id, account, approval, { name: actor.name, wechatId: actor.wechatId, role }, at)
}

async function renewalPush (tx: StoreTransaction, account: Account, renewal: Renewal, to: User, now: Millis): Promise<Push> {
  return renewalRequestPush(to.id, account, renewal, (await tx.user(renewal.requestedBy))!, (await tx.binding(renewal.bindingId))!, now)
}
