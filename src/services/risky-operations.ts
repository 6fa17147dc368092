// Risky operations the platform asks about: allowed, denied with the reason, or held for the admin's
// approval (风险操作保护, rename, delete); alerts to the admin (风险操作提醒); every one in the history.
import { minutes, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { decide } from '../domain/permissions.js'
import type { DenyReason, Operation } from '../domain/permissions.js'
import type { ApprovalState, ClosedReason } from '../domain/requests.js'
import { isActive } from '../domain/roles.js'
import type { Role } from '../domain/roles.js'
import type { StoreReader } from '../store/contract.js'
import type { Account, Approval, Binding, User } from '../store/schema.js'
import { freshCode, quotableId } from './codes.js'
import type { ServiceContext } from './context.js'
import { approvalStanding, closeApproval, openRequestsFor } from './requests.js'
import { requireAdmin } from './authority.js'
import { notify } from './notices.js'
import { record } from './history.js'
import { announceDecision } from './platform-events.js'

/** How long the admin has to approve; no answer means refused. */
export const APPROVAL_TTL = minutes(10)

/** What the platform is told; the API and the console word it (texts.operationAnswer). */
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
    const now = this.ctx.now()
    const at = toIso(now)
    // An unknown account is answered without a transaction: there is nothing to record it in.
    if (!await this.ctx.engine.account(accountId)) return { result: 'denied', reason: 'unknown-account' }
    // Every request is recorded, so the decision is made inside the transaction that records it.
    const outcome = await this.ctx.engine.transaction(async (tx) => {
      const account = await tx.account(accountId)
      const actor = await tx.userByWechatId(actorWechatId)
      const { role, expired, binding } = account && actor ? await standing(tx, account, actor, now) : { role: undefined, expired: false, binding: undefined }
      const decision = decide({ operation, accountKnown: account !== undefined, role, expired, protection: account?.riskProtection ?? false })
      if (!account) return { decision, role, alert: false, approval: undefined }
      const who = actor ? { name: actor.name, wechatId: actor.wechatId, role } : { name: undefined, wechatId: actorWechatId, role: undefined }
      const alert = account.riskAlerts && role !== 'admin' && decision.kind !== 'pending'
      let approval: Approval | undefined
      if (decision.kind === 'pending') {
        approval = {
          id: quotableId(tx, 'op'),
          code: await freshCode(tx),
          accountId: account.id,
          actorUserId: actor!.id,
          ...(binding ? { bindingId: binding.id } : {}),
          operation,
          createdAt: at,
          expiresAt: toIso(now + APPROVAL_TTL),
          status: 'pending',
        }
        await tx.addApproval(approval)
        await notify(tx, { to: account.adminUserId, notice: { kind: 'approval-request', who, accountName: account.name, operation, code: approval.code, at: now, expiresAt: now + APPROVAL_TTL }, at, accountId: account.id, about: { id: approval.id, topic: 'request' } })
      }
      if (alert) {
        const severalAccounts = (await tx.accountsAdministeredBy(account.adminUserId)).length > 1
        await notify(tx, { to: account.adminUserId, notice: { kind: 'risk-alert', who, accountName: account.name, operation, at: now, decision, removable: role === 'long' || role === 'short', severalAccounts }, at, accountId: account.id })
      }
      await record(tx, {
        accountId: account.id,
        at,
        actorUserId: actor?.id,
        event: { action: `operation.${decision.kind}`, wechatId: who.wechatId, operation, denied: decision.kind === 'denied' ? decision.reason : undefined },
      })
      return { decision, role, alert, approval }
    })
    const { decision, role, alert, approval } = outcome
    if (decision.kind === 'denied' && decision.reason === 'unknown-account') return { result: 'denied', reason: 'unknown-account' }
    if (decision.kind === 'pending' || alert) this.ctx.deliver()
    if (decision.kind === 'denied') return { result: 'denied', reason: decision.reason }
    if (decision.kind === 'allowed') return { result: 'allowed' }
    return { result: 'pending', id: approval!.id, expiresAt: approval!.expiresAt, waitsFor: role === 'admin' ? 'confirmation' : 'approval' }
  }

  /** The state at this moment: a request whose actor lost the role reads as closed, even before anything marked it. */
  async status (id: string): Promise<{ approval: Approval, state: ApprovalState, reason: ClosedReason | undefined } | undefined> {
    const approval = await this.ctx.engine.approval(id)
    return approval && { approval, ...await approvalStanding(this.ctx.engine, approval, this.ctx.now()) }
  }

  /** Approvals still waiting for this admin, oldest first. */
  openFor (admin: User, now: Millis): Promise<Approval[]> {
    const { engine } = this.ctx
    return openRequestsFor(engine, admin, (accountId) => engine.pendingApprovalsOf(accountId), (a) => approvalStanding(engine, a, now))
  }

  /** The approval `code` waiting for this admin, if any. */
  async findFor (admin: User, code: string): Promise<Approval | undefined> {
    const approval = await this.ctx.engine.approvalByCode(code.toUpperCase())
    return approval && await this.ctx.engine.administers(admin.id, approval.accountId) ? approval : undefined
  }

  /** Re-checks at this moment, inside the transaction that decides, that the actor still holds the role the request was made under. */
  async decide (admin: User, approval: Approval, allow: boolean): Promise<DecideApprovalResult> {
    const { engine } = this.ctx
    const now = this.ctx.now()
    const result = await engine.transaction(async (tx): Promise<DecideApprovalResult> => {
      const current = (await tx.approval(approval.id))!
      const account = (await tx.account(current.accountId))!
      const actor = (await tx.user(current.actorUserId))!
      const { state, reason } = await approvalStanding(tx, current, now)
      if (state === 'closed' && current.status === 'pending') {
        // Found out only now (an expiry no sweep has marked yet): closed, never approved.
        await closeApproval(tx, current, reason!, toIso(now))
      }
      if (state !== 'pending') return { kind: 'closed', approval: current, actor, state, reason }
      await requireAdmin(tx, admin, account)
      const decided = await tx.updateApproval(current.id, { status: allow ? 'approved' : 'refused', decidedAt: toIso(now), decidedBy: admin.id })
      await announceDecision(tx, decided, allow, admin.wechatId, now)
      if (actor.id !== admin.id) {
        await notify(tx, { to: actor.id, notice: { kind: 'approval-decided', accountName: account.name, operation: current.operation, allowed: allow }, at: toIso(now), accountId: account.id })
      }
      await record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: allow ? 'operation.approved' : 'operation.refused', wechatId: actor.wechatId, operation: current.operation } })
      return { kind: 'decided', approval: decided, actor, allowed: allow }
    })
    if (result.kind === 'decided') this.ctx.deliver()
    return result
  }
}

/** The actor's role on the account now, and whether a short-term role of theirs ran out there. */
async function standing (reader: StoreReader, account: Account, actor: User, now: Millis): Promise<{ role: Role | undefined, expired: boolean, binding: Binding | undefined }> {
  if (account.adminUserId === actor.id) return { role: 'admin', expired: false, binding: undefined }
  const here = (await reader.bindingsOfUser(actor.id)).filter((b) => b.accountId === account.id)
  const active = here.find((b) => isActive(b, now))
  if (active) return { role: active.role, expired: false, binding: active }
  const last = here.at(-1)
  const expired = last !== undefined && last.role === 'short' && (last.endReason === 'expired' || (last.endedAt === undefined && !isActive(last, now)))
  return { role: undefined, expired, binding: undefined }
}
