// Inviting operators, and the invitee's answer: every precondition checked when inviting and again at
// acceptance, pushes through the outbox, every change in the account's history.
import { fromIso, hours, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { invitationRefusals, invitationStatus, isPending } from '../domain/invitation-rules.js'
import type { InvitationStatus, Refusal } from '../domain/invitation-rules.js'
import { expiryFor, isActive } from '../domain/roles.js'
import type { OperatorRole } from '../domain/roles.js'
import type { Account, Binding, Invitation, User } from '../store/schema.js'
import type { Store, Transaction } from '../store/store.js'
import { notify } from './notices.js'
import { record } from './history.js'
import type { Delivery, ServiceContext } from './context.js'
import { requireAdminSync } from './authority.js'
import { freshCode } from './codes.js'

export const DEFAULT_INVITATION_TTL = hours(24)
/** Closed invitations still named in answers and lists for this long. */
const RECENT = hours(24 * 7)

export type InviteResult =
  | { kind: 'unknown-invitee' }
  | { kind: 'refused', invitee: User, refusals: Refusal[] }
  | { kind: 'invited', invitee: User, invitation: Invitation, delivery: Delivery }

export type AnswerResult =
  | { kind: 'none-pending' }
  | { kind: 'choose', pending: Invitation[] }
  | { kind: 'no-such-code', code: string }
  | { kind: 'closed', invitation: Invitation, status: Exclude<InvitationStatus, 'pending'> }
  | { kind: 'refused', invitation: Invitation, refusals: Refusal[] }
  | { kind: 'accepted', invitation: Invitation, binding: Binding }
  | { kind: 'declined', invitation: Invitation }

export type WithdrawResult =
  | { kind: 'unknown-invitee' }
  | { kind: 'none-pending', invitee: User }
  /** `told`: the invitation had reached the invitee, who is now told it was withdrawn. */
  | { kind: 'cancelled', invitee: User, invitation: Invitation, told: boolean }

export type ResendResult =
  | { kind: 'unknown-invitee' }
  | { kind: 'never-invited', invitee: User }
  | InviteResult

export class InvitationService {
  constructor (private readonly ctx: ServiceContext, readonly ttl: Millis = DEFAULT_INVITATION_TTL) {}

  private get store (): Store { return this.ctx.store }

  async invite (admin: User, account: Account, inviteeWechatId: string, role: OperatorRole): Promise<InviteResult> {
    requireAdminSync(this.store, admin, account)
    const invitee = this.store.userByWechatId(inviteeWechatId)
    if (!invitee) return { kind: 'unknown-invitee' }
    const now = this.ctx.now()
    const refusals = this.refusals(account, invitee, role, now)
    if (refusals.length > 0) return { kind: 'refused', invitee, refusals }
    const invitation: Invitation = {
      id: '',
      code: freshCode(this.store),
      accountId: account.id,
      inviteeUserId: invitee.id,
      invitedBy: admin.id,
      role,
      createdAt: toIso(now),
      expiresAt: toIso(now + this.ttl),
      status: 'pending',
    }
    // An earlier one that lapsed by the clock is closed here, so that no sweep later tells the admin,
    // who is inviting again, that it expired.
    const lapsed = this.store.invitationsOfUser(invitee.id).filter((i) => i.accountId === account.id && i.status === 'pending' && invitationStatus(i, now) === 'expired')
    let pushed = ''
    await this.store.change((tx) => {
      for (const old of lapsed) {
        tx.updateInvitation(old.id, { status: 'expired' })
        withdrawPush(tx, old, toIso(now))
        record(tx, { accountId: account.id, at: old.expiresAt, event: { action: 'invitation.expired', wechatId: invitee.wechatId, code: old.code } })
      }
      invitation.id = tx.newId('i')
      tx.addInvitation(invitation)
      pushed = this.push(tx, invitation, now)
      record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: 'invitation.created', wechatId: invitee.wechatId, role, code: invitation.code } })
    })
    return { kind: 'invited', invitee, invitation, delivery: await this.ctx.deliverNow(pushed) }
  }

  /** Pending invitations of the user, oldest first: what 我的邀请 lists. */
  pendingFor (user: User): Invitation[] {
    const now = this.ctx.now()
    return this.store.invitationsOfUser(user.id).filter((i) => isPending(i, now))
  }

  async answer (invitee: User, code: string | undefined, accept: boolean): Promise<AnswerResult> {
    const now = this.ctx.now()
    const own = this.store.invitationsOfUser(invitee.id)
    let invitation: Invitation | undefined
    if (code) {
      invitation = own.find((i) => i.code === code.toUpperCase())
      if (!invitation) return { kind: 'no-such-code', code }
    } else {
      const pending = own.filter((i) => isPending(i, now))
      if (pending.length > 1) return { kind: 'choose', pending }
      invitation = pending[0] ?? latestRecent(own, now)
      if (!invitation) return { kind: 'none-pending' }
    }
    const status = invitationStatus(invitation, now)
    if (status !== 'pending') return { kind: 'closed', invitation, status }
    const account = this.store.account(invitation.accountId)!
    return accept ? this.accept(invitee, account, invitation, now) : this.decline(invitee, account, invitation, now)
  }

  async withdraw (admin: User, account: Account, inviteeWechatId: string): Promise<WithdrawResult> {
    requireAdminSync(this.store, admin, account)
    const invitee = this.store.userByWechatId(inviteeWechatId)
    if (!invitee) return { kind: 'unknown-invitee' }
    const now = this.ctx.now()
    const invitation = this.pendingOn(account, invitee, now)
    if (!invitation) return { kind: 'none-pending', invitee }
    // Someone who never received the invitation need not hear it was withdrawn.
    const reached = this.store.messagesAbout(invitation.id).some((m) => m.topic === 'invitation' && m.sentAt !== undefined)
    await this.store.change((tx) => {
      tx.updateInvitation(invitation.id, { status: 'cancelled', answeredAt: toIso(now) })
      withdrawPush(tx, invitation, toIso(now))
      if (reached) notify(tx, { to: invitee.id, notice: { kind: 'invitation-withdrawn', accountName: account.name, code: invitation.code }, at: toIso(now), accountId: account.id })
      record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: 'invitation.cancelled', wechatId: invitee.wechatId, code: invitation.code } })
    })
    this.ctx.deliver()
    return { kind: 'cancelled', invitee, invitation, told: reached }
  }

  /** A pending invitation is pushed again with a fresh deadline; a closed one is issued anew, checked again. */
  async resend (admin: User, account: Account, inviteeWechatId: string): Promise<ResendResult> {
    requireAdminSync(this.store, admin, account)
    const invitee = this.store.userByWechatId(inviteeWechatId)
    if (!invitee) return { kind: 'unknown-invitee' }
    const now = this.ctx.now()
    const pending = this.pendingOn(account, invitee, now)
    if (!pending) {
      const last = this.store.invitationsOfUser(invitee.id).filter((i) => i.accountId === account.id).at(-1)
      if (!last) return { kind: 'never-invited', invitee }
      return this.invite(admin, account, invitee.wechatId, last.role)
    }
    let pushed = ''
    await this.store.change((tx) => {
      withdrawPush(tx, pending, toIso(now))
      tx.updateInvitation(pending.id, { expiresAt: toIso(now + this.ttl) })
      pushed = this.push(tx, pending, now)
      record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: 'invitation.resent', wechatId: invitee.wechatId, code: pending.code } })
    })
    return { kind: 'invited', invitee, invitation: pending, delivery: await this.ctx.deliverNow(pushed) }
  }

  /** Every failing precondition for inviting `invitee` to `account` as `role`, not counting `excluding`. */
  refusals (account: Account, invitee: User, role: OperatorRole, now: Millis, excluding?: Invitation): Refusal[] {
    const store = this.store
    const pendingHere = store.invitationsOfAccount(account.id).filter((i) => i !== excluding && isPending(i, now))
    const existing = store.bindingsOfUser(invitee.id).find((b) => b.accountId === account.id && isActive(b, now))
    const other = pendingHere.find((i) => i.inviteeUserId === invitee.id)
    return invitationRefusals({
      role,
      invitee: {
        isAdmin: account.adminUserId === invitee.id,
        follows: invitee.follows.includes(account.id),
        accountProtection: invitee.accountProtection,
        bankCard: invitee.bankCard,
      },
      existingBinding: existing && { role: existing.role, expiresAt: existing.expiresAt ? fromIso(existing.expiresAt) : undefined },
      otherPendingInvitation: other && { role: other.role, code: other.code, expiresAt: fromIso(other.expiresAt) },
      slotsUsed: store.bindingsOfAccount(account.id).filter((b) => b.role === role && isActive(b, now)).length +
        pendingHere.filter((i) => i.role === role).length,
      inviteeHolds: store.bindingsOfUser(invitee.id).filter((b) => isActive(b, now)).length +
        store.invitationsOfUser(invitee.id).filter((i) => i !== excluding && isPending(i, now)).length,
    })
  }

  private async accept (invitee: User, account: Account, invitation: Invitation, now: Millis): Promise<AnswerResult> {
    const refusals = this.refusals(account, invitee, invitation.role, now, invitation)
    if (refusals.length > 0) {
      await this.store.change((tx) => {
        notify(tx, { to: account.adminUserId, notice: { kind: 'invitation-blocked', invitee, accountName: account.name, role: invitation.role, refusals }, at: toIso(now), accountId: account.id })
        record(tx, { accountId: account.id, at: toIso(now), actorUserId: invitee.id, event: { action: 'invitation.blocked', wechatId: invitee.wechatId, refusals: refusals.map((r) => r.kind) } })
      })
      this.ctx.deliver()
      return { kind: 'refused', invitation, refusals }
    }
    const expiresAt = expiryFor(invitation.role, now)
    const binding: Binding = {
      id: '',
      accountId: account.id,
      userId: invitee.id,
      role: invitation.role,
      boundAt: toIso(now),
      ...(expiresAt === undefined ? {} : { expiresAt: toIso(expiresAt) }),
    }
    await this.store.change((tx) => {
      binding.id = tx.newId('b')
      tx.addBinding(binding)
      tx.updateInvitation(invitation.id, { status: 'accepted', answeredAt: toIso(now) })
      withdrawPush(tx, invitation, toIso(now))
      notify(tx, { to: account.adminUserId, notice: { kind: 'invitation-accepted', invitee, accountName: account.name, role: invitation.role, expiresAt }, at: toIso(now), accountId: account.id })
      record(tx, { accountId: account.id, at: toIso(now), actorUserId: invitee.id, event: { action: 'binding.created', wechatId: invitee.wechatId, role: invitation.role, code: invitation.code } })
    })
    this.ctx.deliver()
    return { kind: 'accepted', invitation, binding }
  }

  private async decline (invitee: User, account: Account, invitation: Invitation, now: Millis): Promise<AnswerResult> {
    await this.store.change((tx) => {
      tx.updateInvitation(invitation.id, { status: 'declined', answeredAt: toIso(now) })
      withdrawPush(tx, invitation, toIso(now))
      notify(tx, { to: account.adminUserId, notice: { kind: 'invitation-declined', invitee, accountName: account.name, role: invitation.role }, at: toIso(now), accountId: account.id })
      record(tx, { accountId: account.id, at: toIso(now), actorUserId: invitee.id, event: { action: 'invitation.declined', wechatId: invitee.wechatId, code: invitation.code } })
    })
    this.ctx.deliver()
    return { kind: 'declined', invitation }
  }

  private pendingOn (account: Account, invitee: User, now: Millis): Invitation | undefined {
    return this.store.invitationsOfUser(invitee.id).find((i) => i.accountId === account.id && isPending(i, now))
  }

  /** Queues the invitation's push (about the invitation, so it can be taken back) and returns its id. */
  private push (tx: Transaction, invitation: Invitation, now: Millis): string {
    const store = this.store
    const others = store.invitationsOfUser(invitation.inviteeUserId).filter((i) => i.id !== invitation.id && isPending(i, now)).length
    return notify(tx, {
      to: invitation.inviteeUserId,
      notice: {
        kind: 'invitation',
        adminName: store.user(invitation.invitedBy)!.name,
        accountName: store.account(invitation.accountId)!.name,
        role: invitation.role,
        code: invitation.code,
        expiresAt: fromIso(invitation.expiresAt),
        quoteCode: others > 0,
      },
      at: toIso(now),
      accountId: invitation.accountId,
      about: { id: invitation.id, topic: 'invitation' },
    }).id
  }
}

/** An invitation that is no longer open takes back its pushes that have not gone out yet. */
export function withdrawPush (tx: Transaction, invitation: Invitation, at: string): void {
  tx.withdraw(invitation.id, ['invitation'], at)
}

function latestRecent (invitations: readonly Invitation[], now: Millis): Invitation | undefined {
  const last = invitations.at(-1)
  return last && fromIso(last.createdAt) > now - RECENT ? last : undefined
}
