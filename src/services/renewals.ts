// 续期: a short-term operator asks the admin for another month; the admin approves or refuses by reply.
import { days, fromIso, hours, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { isActive, RENEWABLE_AFTER_EXPIRY_DAYS, renewedExpiry } from '../domain/roles.js'
import type { Refusal } from '../domain/invitation-rules.js'
import { renewalState } from '../domain/requests.js'
import type { ClosedReason } from '../domain/requests.js'
import type { Binding, Renewal, User } from '../store/schema.js'
import { notify } from './notices.js'
import { record } from './history.js'
import type { ServiceContext } from './context.js'
import { freshCode } from './codes.js'
import type { InvitationService } from './invitations.js'
import { closeRenewalSync, renewalStandingSync } from './requests.js'

/** How long the admin has to answer a renewal request. */
export const RENEWAL_REQUEST_TTL = hours(72)

export type RequestResult =
  | { kind: 'nothing' }
  | { kind: 'choose', bindings: Binding[] }
  | { kind: 'bad-number', number: string, count: number }
  | { kind: 'already', renewal: Renewal }
  | { kind: 'requested', renewal: Renewal }

export type DecideResult =
  | { kind: 'not-found' }
  | { kind: 'closed', renewal: Renewal, status: 'approved' | 'refused' | 'expired' | 'closed', reason: ClosedReason | undefined, operator: User }
  | { kind: 'too-late', renewal: Renewal, operator: User }
  | { kind: 'blocked', renewal: Renewal, operator: User, refusals: Refusal[] }
  | { kind: 'approved', renewal: Renewal, operator: User, expiresAt: Millis }
  | { kind: 'refused', renewal: Renewal, operator: User }

export class RenewalService {
  constructor (private readonly ctx: ServiceContext, private readonly invitations: InvitationService) {}

  /** Short-term bindings of the operator that can still be renewed: active, or lapsed within 30 days. */
  renewable (operator: User, now: Millis): Binding[] {
    return this.ctx.store.bindingsOfUser(operator.id).filter((b) => b.role === 'short' && b.expiresAt !== undefined &&
      (isActive(b, now) || ((b.endedAt === undefined || b.endReason === 'expired') && fromIso(b.expiresAt) > now - days(RENEWABLE_AFTER_EXPIRY_DAYS))))
  }

  async request (operator: User, number: string): Promise<RequestResult> {
    const now = this.ctx.now()
    const candidates = this.renewable(operator, now)
    if (candidates.length === 0) return { kind: 'nothing' }
    // 续期 2 picks the second; words such as 续期申请 carry no number.
    const picked = /\d+/.exec(number)?.[0]
    if (picked === undefined && candidates.length > 1) return { kind: 'choose', bindings: candidates }
    const binding = picked === undefined ? candidates[0] : candidates[Number(picked) - 1]
    if (!binding) return { kind: 'bad-number', number: picked!, count: candidates.length }
    const pending = this.ctx.store.pendingRenewalsOf(binding.accountId).find((r) => r.bindingId === binding.id && isOpen(r, now))
    if (pending) return { kind: 'already', renewal: pending }
    const account = this.ctx.store.account(binding.accountId)!
    const renewal: Renewal = {
      id: '',
      code: freshCode(this.ctx.store),
      bindingId: binding.id,
      accountId: account.id,
      requestedBy: operator.id,
      createdAt: toIso(now),
      expiresAt: toIso(now + RENEWAL_REQUEST_TTL),
      status: 'pending',
    }
    await this.ctx.store.change((tx) => {
      renewal.id = tx.newId('r')
      tx.addRenewal(renewal)
      notify(tx, {
        to: account.adminUserId,
        notice: { kind: 'renewal-request', operatorName: operator.name, wechatId: operator.wechatId, accountName: account.name, expiresAt: fromIso(binding.expiresAt!), code: renewal.code, now },
        at: toIso(now),
        accountId: account.id,
        about: { id: renewal.id, topic: 'request' },
      })
      record(tx, { accountId: account.id, at: toIso(now), actorUserId: operator.id, event: { action: 'renewal.requested', wechatId: operator.wechatId, code: renewal.code } })
    })
    this.ctx.deliver()
    return { kind: 'requested', renewal }
  }

  /** Renewal requests still waiting for this admin, oldest first. */
  openFor (admin: User, now: Millis): Renewal[] {
    const { store } = this.ctx
    return store.accountsAdministeredBy(admin.id)
      .flatMap((account) => store.pendingRenewalsOf(account.id))
      .filter((r) => renewalStandingSync(store, r, now).state === 'pending')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }

  /** The renewal request `code` addressed to this admin, if any. */
  findFor (admin: User, code: string): Renewal | undefined {
    const renewal = this.ctx.store.renewalByCode(code.toUpperCase())
    return renewal && this.ctx.store.administers(admin.id, renewal.accountId) ? renewal : undefined
  }

  /** Re-checks at this moment that the binding to renew was not given up or taken away. */
  async decide (admin: User, renewal: Renewal, approve: boolean): Promise<DecideResult> {
    const { store } = this.ctx
    const now = this.ctx.now()
    const account = store.account(renewal.accountId)!
    const binding = store.binding(renewal.bindingId)!
    const operator = store.user(binding.userId)!
    const { state, reason } = renewalStandingSync(store, renewal, now)
    if (state === 'closed' && renewal.status === 'pending') await store.change((tx) => closeRenewalSync(tx, store, renewal, reason!, toIso(now)))
    if (state !== 'pending') return { kind: 'closed', renewal, status: state, reason, operator }
    if (!store.administers(admin.id, account.id)) throw new Error(`${admin.id} is not the admin of ${account.id}`)
    const history = (action: 'renewal.approved' | 'renewal.refused') => ({ accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action, wechatId: operator.wechatId, code: renewal.code } })
    if (!approve) {
      await store.change((tx) => {
        tx.updateRenewal(renewal.id, { status: 'refused', decidedAt: toIso(now), decidedBy: admin.id })
        notify(tx, { to: operator.id, notice: { kind: 'renewal-refused', accountName: account.name }, at: toIso(now), accountId: account.id })
        record(tx, history('renewal.refused'))
      })
      this.ctx.deliver()
      return { kind: 'refused', renewal, operator }
    }
    const expiresAt = renewedExpiry(fromIso(binding.expiresAt!), now)
    if (expiresAt === undefined) {
      await store.change((tx) => tx.updateRenewal(renewal.id, { status: 'expired', decidedAt: toIso(now), decidedBy: admin.id }))
      return { kind: 'too-late', renewal, operator }
    }
    if (!isActive(binding, now)) {
      // A lapsed binding no longer holds its slot: bringing it back must fit the limits again.
      const refusals = this.invitations.refusals(account, operator, 'short', now)
      if (refusals.length > 0) return { kind: 'blocked', renewal, operator, refusals }
    }
    await store.change((tx) => {
      tx.updateBinding(binding.id, { expiresAt: toIso(expiresAt), endedAt: undefined, endReason: undefined, endedBy: undefined, remindersSent: [] })
      tx.withdraw(binding.id, ['reminder', 'expiry'], toIso(now)) // news about the old expiry is stale now
      tx.updateRenewal(renewal.id, { status: 'approved', decidedAt: toIso(now), decidedBy: admin.id })
      notify(tx, { to: operator.id, notice: { kind: 'renewal-approved', accountName: account.name, expiresAt }, at: toIso(now), accountId: account.id })
      record(tx, history('renewal.approved'))
    })
    this.ctx.deliver()
    return { kind: 'approved', renewal, operator, expiresAt }
  }
}

/** Open by the clock (the sweep may not have marked it lapsed yet). */
function isOpen (renewal: Renewal, now: Millis): boolean {
  return renewalState(renewal, now) === 'pending'
}
