// Inviting operators, and the invitee's answer: every precondition checked when inviting and again at
// acceptance, pushes through the outbox, every change in the account's history.
import { fromIso, hours, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { invitationRefusals, invitationStatus, isPending } from '../domain/invitation-rules.js'
import type { InvitationStatus, Refusal } from '../domain/invitation-rules.js'
import { expiryFor, isActive } from '../domain/roles.js'
import type { OperatorRole } from '../domain/roles.js'
import type { Account, Binding, Invitation, User } from '../store/schema.js'
import type { StoreReader, StoreTransaction } from '../store/contract.js'
import { notify } from './notices.js'
import { record } from './history.js'
import { announceBindingStarted } from './platform-events.js'
import type { Delivery, ServiceContext } from './context.js'
import { requireAdmin } from './authority.js'
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

  async invite (admin: User, account: Account, inviteeWechatId: string, role: OperatorRole): Promise<InviteResult> {
    const { engine } = this.ctx
    await requireAdmin(engine, admin, account)
    const now = this.ctx.now()
    // Checked first without a transaction (a refusal writes nothing), then again inside the one that invites.
    const early = await this.inviteRefusal(engine, account, inviteeWechatId, role, now)
    if (early.kind !== 'may') return early
    const result = await engine.transaction(async (tx): Promise<Exclude<InviteResult, { kind: 'invited' }> | { kind: 'queued', invitee: User, invitation: Invitation, pushed: string }> => {
      await requireAdmin(tx, admin, account)
      const checked = await this.inviteRefusal(tx, account, inviteeWechatId, role, now)
      if (checked.kind !== 'may') return checked
      const { invitee } = checked
      const invitation: Invitation = {
        id: tx.newId('i'),
        code: await freshCode(tx),
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
      const lapsed = (await tx.invitationsOfUser(invitee.id)).filter((i) => i.accountId === account.id && i.status === 'pending' && invitationStatus(i, now) === 'expired')
      for (const old of lapsed) {
        await tx.updateInvitation(old.id, { status: 'expired' })
        await withdrawPush(tx, old, toIso(now))
        await record(tx, { accountId: account.id, at: old.expiresAt, event: { action: 'invitation.expired', wechatId: invitee.wechatId, code: old.code } })
      }
      await tx.addInvitation(invitation)
      const pushed = await this.push(tx, invitation, now)
      await record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: 'invitation.created', wechatId: invitee.wechatId, role, code: invitation.code } })
      return { kind: 'queued', invitee, invitation, pushed }
    })
    if (result.kind !== 'queued') return result
    // Tried once the transaction is durable: only then is the push deliverable.
    return { kind: 'invited', invitee: result.invitee, invitation: result.invitation, delivery: await this.ctx.deliverNow(result.pushed) }
  }

  private async inviteRefusal (reader: StoreReader, account: Account, inviteeWechatId: string, role: OperatorRole, now: Millis): Promise<Exclude<InviteResult, { kind: 'invited' }> | { kind: 'may', invitee: User }> {
    const invitee = await reader.userByWechatId(inviteeWechatId)
    if (!invitee) return { kind: 'unknown-invitee' }
    const refusals = await this.refusals(account, invitee, role, now, undefined, reader)
    if (refusals.length > 0) return { kind: 'refused', invitee, refusals }
    return { kind: 'may', invitee }
  }

  /** Pending invitations of the user, oldest first: what 我的邀请 lists. */
  async pendingFor (user: User): Promise<Invitation[]> {
    const now = this.ctx.now()
    return (await this.ctx.engine.invitationsOfUser(user.id)).filter((i) => isPending(i, now))
  }

  async answer (invitee: User, code: string | undefined, accept: boolean): Promise<AnswerResult> {
    const now = this.ctx.now()
    // Which invitation the answer is for, read first; the answer itself is checked again in its transaction.
    const found = await this.answered(this.ctx.engine, invitee, code, now)
    if (found.kind !== 'open') return found
    return this.ctx.engine.transaction(async (tx) => {
      const again = await this.answered(tx, invitee, found.invitation.code, now)
      if (again.kind !== 'open') return again
      const account = (await tx.account(again.invitation.accountId))!
      return accept ? this.accept(tx, invitee, account, again.invitation, now) : this.decline(tx, invitee, account, again.invitation, now)
    }).then((result) => {
      if (result.kind === 'refused' || result.kind === 'accepted' || result.kind === 'declined') this.ctx.deliver()
      return result
    })
  }

  private async answered (reader: StoreReader, invitee: User, code: string | undefined, now: Millis): Promise<AnswerResult | { kind: 'open', invitation: Invitation }> {
    const own = await reader.invitationsOfUser(invitee.id)
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
    return { kind: 'open', invitation }
  }

  async withdraw (admin: User, account: Account, inviteeWechatId: string): Promise<WithdrawResult> {
    const { engine } = this.ctx
    await requireAdmin(engine, admin, account)
    const now = this.ctx.now()
    const early = await this.pendingFor_(engine, account, inviteeWechatId, now)
    if (early.kind !== 'pending') return early
    const result = await engine.transaction(async (tx): Promise<WithdrawResult> => {
      await requireAdmin(tx, admin, account)
      const found = await this.pendingFor_(tx, account, inviteeWechatId, now)
      if (found.kind !== 'pending') return found
      const { invitee, invitation } = found
      // Someone who never received the invitation need not hear it was withdrawn.
      const reached = (await tx.messagesAbout(invitation.id)).some((m) => m.topic === 'invitation' && m.sentAt !== undefined)
      await tx.updateInvitation(invitation.id, { status: 'cancelled', answeredAt: toIso(now) })
      await withdrawPush(tx, invitation, toIso(now))
      if (reached) await notify(tx, { to: invitee.id, notice: { kind: 'invitation-withdrawn', accountName: account.name, code: invitation.code }, at: toIso(now), accountId: account.id })
      await record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: 'invitation.cancelled', wechatId: invitee.wechatId, code: invitation.code } })
      return { kind: 'cancelled', invitee, invitation, told: reached }
    })
    if (result.kind === 'cancelled') this.ctx.deliver()
    return result
  }

  /** The invitee and their pending invitation to the account, if any. */
  private async pendingFor_ (reader: StoreReader, account: Account, inviteeWechatId: string, now: Millis): Promise<{ kind: 'unknown-invitee' } | { kind: 'none-pending', invitee: User } | { kind: 'pending', invitee: User, invitation: Invitation }> {
    const invitee = await reader.userByWechatId(inviteeWechatId)
    if (!invitee) return { kind: 'unknown-invitee' }
    const invitation = await this.pendingOn(reader, account, invitee, now)
    return invitation ? { kind: 'pending', invitee, invitation } : { kind: 'none-pending', invitee }
  }

  /** A pending invitation is pushed again with a fresh deadline; a closed one is issued anew, checked again. */
  async resend (admin: User, account: Account, inviteeWechatId: string): Promise<ResendResult> {
    const { engine } = this.ctx
    await requireAdmin(engine, admin, account)
    const now = this.ctx.now()
    const early = await this.pendingFor_(engine, account, inviteeWechatId, now)
    if (early.kind === 'unknown-invitee') return early
    if (early.kind === 'none-pending') return this.reissue(admin, account, early.invitee)
    const result = await engine.transaction(async (tx) => {
      await requireAdmin(tx, admin, account)
      const found = await this.pendingFor_(tx, account, inviteeWechatId, now)
      if (found.kind !== 'pending') return found
      const { invitee, invitation: pending } = found
      await withdrawPush(tx, pending, toIso(now))
      const renewed = await tx.updateInvitation(pending.id, { expiresAt: toIso(now + this.ttl) })
      const pushed = await this.push(tx, renewed, now)
      await record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: 'invitation.resent', wechatId: invitee.wechatId, code: pending.code } })
      return { kind: 'queued' as const, invitee, invitation: renewed, pushed }
    })
    if (result.kind === 'unknown-invitee') return result
    if (result.kind === 'none-pending') return this.reissue(admin, account, result.invitee)
    return { kind: 'invited', invitee: result.invitee, invitation: result.invitation, delivery: await this.ctx.deliverNow(result.pushed) }
  }

  /** No invitation pending: the last one's role is invited anew, every rule checked again. */
  private async reissue (admin: User, account: Account, invitee: User): Promise<ResendResult> {
    const last = (await this.ctx.engine.invitationsOfUser(invitee.id)).filter((i) => i.accountId === account.id).at(-1)
    if (!last) return { kind: 'never-invited', invitee }
    return this.invite(admin, account, invitee.wechatId, last.role)
  }

  /** Every failing precondition for inviting `invitee` to `account` as `role`, not counting `excluding`. */
  async refusals (given: Account, person: User, role: OperatorRole, now: Millis, excluding?: Invitation, reader: StoreReader = this.ctx.engine): Promise<Refusal[]> {
    // As they are now, through the reader (inside a transaction: its own view), not as the caller read them.
    const account = await reader.account(given.id) ?? given
    const invitee = await reader.user(person.id) ?? person
    const others = (i: Invitation): boolean => i.id !== excluding?.id
    const pendingHere = (await reader.invitationsOfAccount(account.id)).filter((i) => others(i) && isPending(i, now))
    const inviteeBindings = await reader.bindingsOfUser(invitee.id)
    const existing = inviteeBindings.find((b) => b.accountId === account.id && isActive(b, now))
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
      slotsUsed: (await reader.bindingsOfAccount(account.id)).filter((b) => b.role === role && isActive(b, now)).length +
        pendingHere.filter((i) => i.role === role).length,
      inviteeHolds: inviteeBindings.filter((b) => isActive(b, now)).length +
        (await reader.invitationsOfUser(invitee.id)).filter((i) => others(i) && isPending(i, now)).length,
    })
  }

  /** In the answer's transaction: every rule checked again, then bound (or the admin told why not). */
  private async accept (tx: StoreTransaction, invitee: User, account: Account, invitation: Invitation, now: Millis): Promise<AnswerResult> {
    const refusals = await this.refusals(account, invitee, invitation.role, now, invitation, tx)
    if (refusals.length > 0) {
      await notify(tx, { to: account.adminUserId, notice: { kind: 'invitation-blocked', invitee, accountName: account.name, role: invitation.role, refusals }, at: toIso(now), accountId: account.id })
      await record(tx, { accountId: account.id, at: toIso(now), actorUserId: invitee.id, event: { action: 'invitation.blocked', wechatId: invitee.wechatId, refusals: refusals.map((r) => r.kind) } })
      return { kind: 'refused', invitation, refusals }
    }
    const expiresAt = expiryFor(invitation.role, now)
    const binding: Binding = {
      id: tx.newId('b'),
      accountId: account.id,
      userId: invitee.id,
      role: invitation.role,
      boundAt: toIso(now),
      ...(expiresAt === undefined ? {} : { expiresAt: toIso(expiresAt) }),
    }
    await tx.addBinding(binding)
    await announceBindingStarted(tx, binding, 'invitation-accepted', toIso(now))
    await tx.updateInvitation(invitation.id, { status: 'accepted', answeredAt: toIso(now) })
    await withdrawPush(tx, invitation, toIso(now))
    await notify(tx, { to: account.adminUserId, notice: { kind: 'invitation-accepted', invitee, accountName: account.name, role: invitation.role, expiresAt }, at: toIso(now), accountId: account.id })
    await record(tx, { accountId: account.id, at: toIso(now), actorUserId: invitee.id, event: { action: 'binding.created', wechatId: invitee.wechatId, role: invitation.role, code: invitation.code } })
    return { kind: 'accepted', invitation, binding }
  }

  private async decline (tx: StoreTransaction, invitee: User, account: Account, invitation: Invitation, now: Millis): Promise<AnswerResult> {
    await tx.updateInvitation(invitation.id, { status: 'declined', answeredAt: toIso(now) })
    await withdrawPush(tx, invitation, toIso(now))
    await notify(tx, { to: account.adminUserId, notice: { kind: 'invitation-declined', invitee, accountName: account.name, role: invitation.role }, at: toIso(now), accountId: account.id })
    await record(tx, { accountId: account.id, at: toIso(now), actorUserId: invitee.id, event: { action: 'invitation.declined', wechatId: invitee.wechatId, code: invitation.code } })
    return { kind: 'declined', invitation }
  }

  private async pendingOn (reader: StoreReader, account: Account, invitee: User, now: Millis): Promise<Invitation | undefined> {
    return (await reader.invitationsOfUser(invitee.id)).find((i) => i.accountId === account.id && isPending(i, now))
  }

  /** Queues the invitation's push (about the invitation, so it can be taken back) and returns its id. */
  private async push (tx: StoreTransaction, invitation: Invitation, now: Millis): Promise<string> {
    const others = (await tx.invitationsOfUser(invitation.inviteeUserId)).filter((i) => i.id !== invitation.id && isPending(i, now)).length
    const account = (await tx.account(invitation.accountId))!
    return (await notify(tx, {
      to: invitation.inviteeUserId,
      notice: {
        kind: 'invitation',
        // The admin now, who the invitee will work under: after a handover, a resent invitation names the new one.
        adminName: (await tx.user(account.adminUserId))!.name,
        accountName: account.name,
        role: invitation.role,
        code: invitation.code,
        expiresAt: fromIso(invitation.expiresAt),
        quoteCode: others > 0,
      },
      at: toIso(now),
      accountId: invitation.accountId,
      about: { id: invitation.id, topic: 'invitation' },
    })).id
  }
}

/** An invitation that is no longer open takes back its pushes that have not gone out yet. */
/** The sweep's part for an invitation past its deadline: marked expired, its unsent push taken back, the admin told. */
export async function lapseInvitation (tx: StoreTransaction, invitation: Invitation, now: Millis): Promise<void> {
  const at = toIso(now)
  const account = (await tx.account(invitation.accountId))!
  const invitee = (await tx.user(invitation.inviteeUserId))!
  await tx.updateInvitation(invitation.id, { status: 'expired' })
  await withdrawPush(tx, invitation, at)
  await notify(tx, { to: account.adminUserId, notice: { kind: 'invitation-lapsed', invitee, accountName: account.name, role: invitation.role, code: invitation.code }, at, accountId: account.id })
  await record(tx, { accountId: account.id, at: invitation.expiresAt, event: { action: 'invitation.expired', wechatId: invitee.wechatId, code: invitation.code } })
}

export async function withdrawPush (tx: StoreTransaction, invitation: Invitation, at: string): Promise<void> {
  await tx.withdraw(invitation.id, ['invitation'], at)
}

function latestRecent (invitations: readonly Invitation[], now: Millis): Invitation | undefined {
  const last = invitations.at(-1)
  return last && fromIso(last.createdAt) > now - RECENT ? last : undefined
}
