// 续期: a short-term operator asks the admin for another month; the admin approves or refuses by reply.
import { fromIso, hours, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { isActive, isRenewable, renewedExpiry } from '../domain/roles.js'
import type { Refusal } from '../domain/invitation-rules.js'
import { renewalState } from '../domain/requests.js'
import type { ClosedReason } from '../domain/requests.js'
import type { StoreReader, StoreTransaction } from '../store/contract.js'
import type { Account, Binding, Renewal, User } from '../store/schema.js'
import { notify } from './notices.js'
import type { Push } from './notices.js'
import { record } from './history.js'
import type { ServiceContext } from './context.js'
import { freshCode } from './codes.js'
import type { InvitationService } from './invitations.js'
import { closeRenewal, openRequestsFor, renewalStanding } from './requests.js'
import { announceBindingStarted } from './platform-events.js'

/** How long the admin has to answer a renewal request. */
export const RENEWAL_REQUEST_TTL = hours(72)

export type RequestResult =
  | { kind: 'nothing' }
  | { kind: 'choose', bindings: Binding[] }
  | { kind: 'bad-number', number: string, count: number }
  | { kind: 'already', renewal: Renewal }
  | { kind: 'requested', renewal: Renewal }

export type DecideResult =
  | { kind: 'closed', renewal: Renewal, status: 'approved' | 'refused' | 'expired' | 'closed', reason: ClosedReason | undefined, operator: User }
  | { kind: 'too-late', renewal: Renewal, operator: User }
  | { kind: 'blocked', renewal: Renewal, operator: User, refusals: Refusal[] }
  | { kind: 'approved', renewal: Renewal, operator: User, expiresAt: Millis }
  | { kind: 'refused', renewal: Renewal, operator: User }
  /** The sender is not (or no longer) the admin who may decide it: answered as an unknown code. */
  | { kind: 'not-yours' }

export class RenewalService {
  constructor (private readonly ctx: ServiceContext, private readonly invitations: InvitationService) {}

  /** Short-term bindings of the operator that can still be renewed: active, or lapsed within 30 days. */
  async renewable (operator: User, now: Millis, reader: StoreReader = this.ctx.engine): Promise<Binding[]> {
    return (await reader.bindingsOfUser(operator.id)).filter((b) => isRenewable(b, now))
  }

  async request (operator: User, number: string): Promise<RequestResult> {
    const now = this.ctx.now()
    // Checked first without a transaction (most answers write nothing), then again inside the one that asks.
    const early = await this.pick(this.ctx.engine, operator, number, now)
    if (early.kind !== 'pick') return early
    const result = await this.ctx.engine.transaction(async (tx): Promise<RequestResult> => {
      const picked = await this.pick(tx, operator, number, now)
      if (picked.kind !== 'pick') return picked
      const { binding } = picked
      const account = (await tx.account(binding.accountId))!
      const renewal: Renewal = {
        id: tx.newId('r'),
        code: await freshCode(tx),
        bindingId: binding.id,
        accountId: account.id,
        requestedBy: operator.id,
        createdAt: toIso(now),
        expiresAt: toIso(now + RENEWAL_REQUEST_TTL),
        status: 'pending',
      }
      await tx.addRenewal(renewal)
      await notify(tx, renewalRequestPush(account.adminUserId, account, renewal, operator, binding, now))
      await record(tx, { accountId: account.id, at: toIso(now), actorUserId: operator.id, event: { action: 'renewal.requested', wechatId: operator.wechatId, code: renewal.code } })
      return { kind: 'requested', renewal }
    })
    if (result.kind === 'requested') this.ctx.deliver()
    return result
  }

  /** The binding `number` picks among the renewable ones, unless the answer is another. */
  private async pick (reader: StoreReader, operator: User, number: string, now: Millis): Promise<Exclude<RequestResult, { kind: 'requested' }> | { kind: 'pick', binding: Binding }> {
    const candidates = await this.renewable(operator, now, reader)
    if (candidates.length === 0) return { kind: 'nothing' }
    // 续期 2 picks the second; words such as 续期申请 carry no number.
    const picked = /\d+/.exec(number)?.[0]
    if (picked === undefined && candidates.length > 1) return { kind: 'choose', bindings: candidates }
    const binding = picked === undefined ? candidates[0] : candidates[Number(picked) - 1]
    if (!binding) return { kind: 'bad-number', number: picked!, count: candidates.length }
    const pending = (await reader.pendingRenewalsOf(binding.accountId)).find((r) => r.bindingId === binding.id && isOpen(r, now))
    if (pending) return { kind: 'already', renewal: pending }
    return { kind: 'pick', binding }
  }

  /** Renewal requests still waiting for this admin, oldest first. */
  openFor (admin: User, now: Millis): Promise<Renewal[]> {
    const { engine } = this.ctx
    return openRequestsFor(engine, admin, (accountId) => engine.pendingRenewalsOf(accountId), (r) => renewalStanding(engine, r, now))
  }

  /** The renewal request `code` addressed to this admin, if any. */
  async findFor (admin: User, code: string): Promise<Renewal | undefined> {
    const renewal = await this.ctx.engine.renewalByCode(code.toUpperCase())
    return renewal && await this.ctx.engine.administers(admin.id, renewal.accountId) ? renewal : undefined
  }

  /** Re-checks at this moment, inside the transaction that decides, that the binding to renew was not given up or taken away. */
  async decide (admin: User, renewal: Renewal, approve: boolean): Promise<DecideResult> {
    const { engine } = this.ctx
    const now = this.ctx.now()
    let decided = false
    const result = await engine.transaction(async (tx): Promise<DecideResult> => {
      const current = (await tx.renewalByCode(renewal.code))!
      const account = (await tx.account(current.accountId))!
      // The code is bound to its decider: only the account's admin at this moment decides it.
      if (account.adminUserId !== admin.id) return { kind: 'not-yours' }
      const binding = (await tx.binding(current.bindingId))!
      const operator = (await tx.user(binding.userId))!
      const { state, reason } = await renewalStanding(tx, current, now)
      if (state === 'closed' && current.status === 'pending') await closeRenewal(tx, current, reason!, toIso(now))
      if (state !== 'pending') return { kind: 'closed', renewal: current, status: state, reason, operator }
      const history = (action: 'renewal.approved' | 'renewal.refused') => ({ accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action, wechatId: operator.wechatId, code: current.code } })
      if (!approve) {
        await tx.updateRenewal(current.id, { status: 'refused', decidedAt: toIso(now), decidedBy: admin.id })
        await notify(tx, { to: operator.id, notice: { kind: 'renewal-refused', accountName: account.name, adminName: admin.name, at: now }, at: toIso(now), accountId: account.id })
        await record(tx, history('renewal.refused'))
        decided = true
        return { kind: 'refused', renewal: current, operator }
      }
      const expiresAt = renewedExpiry(fromIso(binding.expiresAt!), now)
      if (expiresAt === undefined) {
        await tx.updateRenewal(current.id, { status: 'expired', decidedAt: toIso(now), decidedBy: admin.id })
        return { kind: 'too-late', renewal: current, operator }
      }
      if (!isActive(binding, now)) {
        // A lapsed binding no longer holds its slot: bringing it back must fit the limits again.
        const refusals = await this.invitations.refusals(account, operator, 'short', now, undefined, tx)
        if (refusals.length > 0) return { kind: 'blocked', renewal: current, operator, refusals }
      }
      const renewed = await tx.updateBinding(binding.id, { expiresAt: toIso(expiresAt), endedAt: undefined, endReason: undefined, endedBy: undefined, remindersSent: [] })
      await announceBindingStarted(tx, renewed, 'renewed', toIso(now))
      await tx.withdraw(binding.id, ['reminder', 'expiry'], toIso(now)) // news about the old expiry is stale now
      await tx.updateRenewal(current.id, { status: 'approved', decidedAt: toIso(now), decidedBy: admin.id })
      await notify(tx, { to: operator.id, notice: { kind: 'renewal-approved', accountName: account.name, expiresAt, adminName: admin.name, at: now }, at: toIso(now), accountId: account.id })
      await record(tx, history('renewal.approved'))
      decided = true
      return { kind: 'approved', renewal: current, operator, expiresAt }
    })
    if (decided) this.ctx.deliver()
    return result
  }
}

/**
 * The one place a renewal request lapses (the expiry sweep, in its transaction): marked, the admin's
 * request taken back if it never went out, and both sides told once.
 */
export async function lapseRenewal (tx: StoreTransaction, renewal: Renewal, now: Millis): Promise<void> {
  const at = toIso(now)
  const account = (await tx.account(renewal.accountId))!
  const operator = (await tx.user(renewal.requestedBy))!
  await tx.updateRenewal(renewal.id, { status: 'expired' })
  await tx.withdraw(renewal.id, ['request'], at)
  await notify(tx, { to: renewal.requestedBy, notice: { kind: 'renewal-lapsed', accountName: account.name }, at, accountId: account.id })
  await notify(tx, { to: account.adminUserId, notice: { kind: 'renewal-lapsed-admin', operator: { name: operator.name, wechatId: operator.wechatId }, accountName: account.name, code: renewal.code }, at, accountId: account.id })
  await record(tx, { accountId: account.id, at: renewal.expiresAt, event: { action: 'renewal.expired', code: renewal.code } })
}

/** Open by the clock (the sweep may not have marked it lapsed yet). */
function isOpen (renewal: Renewal, now: Millis): boolean {
  return renewalState(renewal, now) === 'pending'
}

/** The renewal request as the admin `to` reads it (the account's admin when asked, a new admin after a handover). */
export function renewalRequestPush (to: string, account: Account, renewal: Renewal, operator: User, binding: Binding, now: Millis): Push {
  return {
    to,
    notice: { kind: 'renewal-request', operatorName: operator.name, wechatId: operator.wechatId, accountName: account.name, expiresAt: fromIso(binding.expiresAt!), code: renewal.code, now },
    at: toIso(now),
    accountId: account.id,
    about: { id: renewal.id, topic: 'request' },
  }
}
