// Risky operations the platform asks about: allowed, denied with the reason, or held for the admin's
// approval (风险操作保护, rename, delete); alerts to the admin (风险操作提醒); every one in the history.
import { minutes, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { decide } from '../domain/permissions.js'
import type { DenyReason, Operation } from '../domain/permissions.js'
import type { ApprovalState, ClosedReason } from '../domain/requests.js'
import { isActive } from '../domain/roles.js'
import type { Role } from '../domain/roles.js'
import type { Account, Approval, Binding, User } from '../store/schema.js'
import { freshCode } from './codes.js'
import type { ServiceContext } from './context.js'
import { approvalStandingSync, closeApprovalSync } from './requests.js'
import { notify } from './notices.js'
import { record } from './history.js'

/** How long the admin has to approve; no answer means refused. */
export const APPROVAL_TTL = minutes(10)

/** What the platform is told; the API and the console word it (texts.operationAnswerMessage). */
export type OperationAnswer =
  | { result: 'allowed' }
  | { result: 'denied', reason: DenyReason }
  /** `confirmation`: an important operation of the admin's own; else an operator's, under 风险操作保护. */
  | { result: 'pending', id: string, expiresAt: string, waitsFor: 'confirmation' | 'approval' }

export type DecideApprovalResult =
  | { kind: 'closed', approval: Approval, actor: User, state: Exclude<ApprovalState, 'pending'>, reason: ClosedReason | undefined }
  | { kind: 'decided', approval: Approval, actor: User, allowed: boolean }

export class RiskyOperationService {
  constructor (private readonly ctx: ServiceContext) {}

  async request (accountId: string, actorWechatId: string, operation: Operation): Promise<OperationAnswer> {
    const { store } = this.ctx
    const now = this.ctx.now()
    const account = store.account(accountId)
    const actor = store.userByWechatId(actorWechatId)
    const { role, expired, binding } = account && actor ? this.standing(account, actor, now) : { role: undefined, expired: false, binding: undefined }
    const decision = decide({ operation, accountKnown: account !== undefined, role, expired, protection: account?.riskProtection ?? false })
    if (!account) return { result: 'denied', reason: 'unknown-account' }

    const at = toIso(now)
    const who = actor ? { name: actor.name, wechatId: actor.wechatId, role } : { name: undefined, wechatId: actorWechatId, role: undefined }
    const alert = account.riskAlerts && role !== 'admin' && decision.kind !== 'pending'
    let approval: Approval | undefined
    await store.change((tx) => {
      if (decision.kind === 'pending') {
        approval = {
          id: tx.newId('op'),
          code: freshCode(store),
          accountId: account.id,
          actorUserId: actor!.id,
          ...(binding ? { bindingId: binding.id } : {}),
          operation,
          createdAt: at,
          expiresAt: toIso(now + APPROVAL_TTL),
          status: 'pending',
        }
        tx.addApproval(approval)
        notify(tx, { to: account.adminUserId, notice: { kind: 'approval-request', who, accountName: account.name, operation, code: approval.code, at: now, expiresAt: now + APPROVAL_TTL }, at, accountId: account.id, about: { id: approval.id, topic: 'request' } })
      }
      if (alert) {
        const severalAccounts = store.accountsAdministeredBy(account.adminUserId).length > 1
        notify(tx, { to: account.adminUserId, notice: { kind: 'risk-alert', who, accountName: account.name, operation, at: now, decision, removable: role === 'long' || role === 'short', severalAccounts }, at, accountId: account.id })
      }
      record(tx, {
        accountId: account.id,
        at,
        actorUserId: actor?.id,
        event: { action: `operation.${decision.kind}`, wechatId: who.wechatId, operation, denied: decision.kind === 'denied' ? decision.reason : undefined },
      })
    })
    if (decision.kind === 'pending' || alert) this.ctx.deliver()
    if (decision.kind === 'denied') return { result: 'denied', reason: decision.reason }
    if (decision.kind === 'allowed') return { result: 'allowed' }
    return { result: 'pending', id: approval!.id, expiresAt: approval!.expiresAt, waitsFor: role === 'admin' ? 'confirmation' : 'approval' }
  }

  /** The state at this moment: a request whose actor lost the role reads as closed, even before anything marked it. */
  status (id: string): { approval: Approval, state: ApprovalState, reason: ClosedReason | undefined } | undefined {
    const approval = this.ctx.store.approval(id)
    return approval && { approval, ...approvalStandingSync(this.ctx.store, approval, this.ctx.now()) }
  }

  /** Approvals still waiting for this admin, oldest first. */
  openFor (admin: User, now: Millis): Approval[] {
    const { store } = this.ctx
    return store.accountsAdministeredBy(admin.id)
      .flatMap((account) => store.pendingApprovalsOf(account.id))
      .filter((a) => approvalStandingSync(store, a, now).state === 'pending')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }

  /** The approval `code` waiting for this admin, if any. */
  findFor (admin: User, code: string): Approval | undefined {
    const approval = this.ctx.store.approvalByCode(code.toUpperCase())
    return approval && this.ctx.store.administers(admin.id, approval.accountId) ? approval : undefined
  }

  /** Re-checks at this moment that the actor still holds the role the request was made under. */
  async decide (admin: User, approval: Approval, allow: boolean): Promise<DecideApprovalResult> {
    const { store } = this.ctx
    const now = this.ctx.now()
    const account = store.account(approval.accountId)!
    const actor = store.user(approval.actorUserId)!
    const { state, reason } = approvalStandingSync(store, approval, now)
    if (state === 'closed' && approval.status === 'pending') {
      // Found out only now (an expiry no sweep has marked yet): closed, never approved.
      await store.change((tx) => closeApprovalSync(tx, store, approval, reason!, toIso(now)))
    }
    if (state !== 'pending') return { kind: 'closed', approval, actor, state, reason }
    if (!store.administers(admin.id, account.id)) throw new Error(`${admin.id} is not the admin of ${account.id}`)
    await store.change((tx) => {
      tx.updateApproval(approval.id, { status: allow ? 'approved' : 'refused', decidedAt: toIso(now), decidedBy: admin.id })
      if (actor.id !== admin.id) {
        notify(tx, { to: actor.id, notice: { kind: 'approval-decided', accountName: account.name, operation: approval.operation, allowed: allow }, at: toIso(now), accountId: account.id })
      }
      record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: allow ? 'operation.approved' : 'operation.refused', wechatId: actor.wechatId, operation: approval.operation } })
    })
    this.ctx.deliver()
    return { kind: 'decided', approval, actor, allowed: allow }
  }

  /** The actor's role on the account now, and whether a short-term role of theirs ran out there. */
  private standing (account: Account, actor: User, now: Millis): { role: Role | undefined, expired: boolean, binding: Binding | undefined } {
    if (account.adminUserId === actor.id) return { role: 'admin', expired: false, binding: undefined }
    const here = this.ctx.store.bindingsOfUser(actor.id).filter((b) => b.accountId === account.id)
    const active = here.find((b) => isActive(b, now))
    if (active) return { role: active.role, expired: false, binding: active }
    const last = here.at(-1)
    const expired = last !== undefined && last.role === 'short' && (last.endReason === 'expired' || (last.endedAt === undefined && !isActive(last, now)))
    return { role: undefined, expired, binding: undefined }
  }
}
