// Risky operations the platform asks about: allowed, denied with the reason, or held for the admin's
// approval (风险操作保护, rename, delete); alerts to the admin (风险操作提醒); every one in the history.
import { routeAlert } from '../domain/alerts.js'
import { fromIso, minutes, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { decide } from '../domain/permissions.js'
import type { Decision, DenyReason, Operation } from '../domain/permissions.js'
import { lapsedAt } from '../domain/requests.js'
import type { ApprovalState, ClosedReason } from '../domain/requests.js'
import { isActive } from '../domain/roles.js'
import type { Role } from '../domain/roles.js'
import type { StoreReader, StoreTransaction } from '../store/contract.js'
import type { Account, Approval, Binding, User } from '../store/schema.js'
import { freshCode, quotableId } from './codes.js'
import type { ServiceContext } from './context.js'
import { approvalStanding, closeApproval, openRequestsFor } from './requests.js'
import { notify } from './notices.js'
import type { Actor, Push } from './notices.js'
import { record } from './history.js'
import { announceDecision, announceLapse } from './platform-events.js'
import { adminOfSeveral } from './authority.js'

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
  /** The sender is not (or no longer) the admin who may decide it: answered as an unknown code. */
  | { kind: 'not-yours' }

/** What the rules decided for one operation, inside the transaction that recorded it. */
export interface OperationOutcome {
  decision: Decision
  role: Role | undefined
  alert: boolean
  approval: Approval | undefined
}

export class RiskyOperationService {
  constructor (private readonly ctx: ServiceContext) {}

  async request (accountId: string, actorWechatId: string, operation: Operation): Promise<OperationAnswer> {
    const now = this.ctx.now()
    // An unknown account is answered without a transaction: there is nothing to record it in.
    if (!await this.ctx.engine.account(accountId)) return { result: 'denied', reason: 'unknown-account' }
    // Every request is recorded, so the decision is made inside the transaction that records it.
    const outcome = await this.ctx.engine.transaction(async (tx): Promise<OperationOutcome> => {
      const account = await tx.account(accountId)
      if (!account) return { decision: { kind: 'denied', reason: 'unknown-account' }, role: undefined, alert: false, approval: undefined }
      return decideOperation(tx, account, actorWechatId, operation, now)
    })
    if (outcome.decision.kind === 'pending' || outcome.alert) this.ctx.deliver()
    return answerOf(outcome)
  }

  /** The state at this moment: a request whose actor lost the role reads as closed, even before anything marked it. */
  async status (id: string): Promise<ApprovalStatus | undefined> {
    const { engine } = this.ctx
    const approval = await engine.approval(id)
    if (!approval) return undefined
    const decider = approval.decidedBy === undefined ? undefined : await engine.user(approval.decidedBy)
    return { approval, ...await approvalStanding(engine, approval, this.ctx.now()), decider }
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
      // The code is bound to its decider: only the account's admin at this moment decides it.
      if (account.adminUserId !== admin.id) return { kind: 'not-yours' }
      const actor = (await tx.user(current.actorUserId))!
      const { state, reason } = await approvalStanding(tx, current, now)
      if (state === 'closed' && current.status === 'pending') {
        // Found out only now (an expiry no sweep has marked yet): closed, never approved.
        await closeApproval(tx, current, reason!, toIso(now))
      }
      if (state !== 'pending') return { kind: 'closed', approval: current, actor, state, reason }
      // The one place an operation is decided (approved or refused).
      const decided = await tx.updateApproval(current.id, { status: allow ? 'approved' : 'refused', decidedAt: toIso(now), decidedBy: admin.id })
      await announceDecision(tx, decided, allow, admin.wechatId, now)
      if (actor.id !== admin.id) {
        await notify(tx, { to: actor.id, notice: { kind: 'approval-decided', accountName: account.name, operation: current.operation, allowed: allow, adminName: admin.name, at: now }, at: toIso(now), accountId: account.id })
      }
      await record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: allow ? 'operation.approved' : 'operation.refused', wechatId: actor.wechatId, operation: current.operation } })
      return { kind: 'decided', approval: decided, actor, allowed: allow }
    })
    if (result.kind === 'decided') this.ctx.deliver()
    return result
  }
}

export interface ApprovalStatus {
  approval: Approval
  state: ApprovalState
  reason: ClosedReason | undefined
  /** The admin who approved or refused it. */
  decider: User | undefined
}

/**
 * The one decision path of a risky operation (POST /v1/operations, and a login once its person confirmed
 * it): the rules decide at `now`, in the caller's transaction, which records it, asks the admin (an
 * approval request) or alerts them. The caller delivers once the transaction is durable.
 */
export async function decideOperation (tx: StoreTransaction, account: Account, actorWechatId: string, operation: Operation, now: Millis): Promise<OperationOutcome> {
  const at = toIso(now)
  const actor = await tx.userByWechatId(actorWechatId)
  const { role, expired, binding } = actor ? await standing(tx, account, actor, now) : { role: undefined, expired: false, binding: undefined }
  const decision = decide({ operation, accountKnown: true, role, expired, protection: account.riskProtection })
  // Last seen doing anything, kept on the binding in the change that records it: what 权限复核 shows.
  if (binding) await tx.updateBinding(binding.id, { lastSeenAt: at })
  const who = actor ? { name: actor.name, wechatId: actor.wechatId, role } : { name: undefined, wechatId: actorWechatId, role: undefined }
  // 风险操作提醒: at once, into the daily digest, or not at all (domain/alerts.ts).
  const { route } = routeAlert({ alertsOn: account.riskAlerts, choices: account.alertModes, operation, role, decision })
  const alert = route === 'immediate'
  if (route === 'digest') await tx.addDigestEntry({ id: tx.newId('d'), accountId: account.id, actorUserId: actor!.id, operation, at })
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
    await notify(tx, approvalRequestPush(account.adminUserId, account, approval, who, at))
  }
  if (alert) {
    const severalAccounts = await adminOfSeveral(tx, account)
    await notify(tx, { to: account.adminUserId, notice: { kind: 'risk-alert', who, accountName: account.name, operation, at: now, decision, removable: role === 'long' || role === 'short', severalAccounts }, at, accountId: account.id })
  }
  await record(tx, {
    accountId: account.id,
    at,
    actorUserId: actor?.id,
    event: { action: `operation.${decision.kind}`, wechatId: who.wechatId, operation, denied: decision.kind === 'denied' ? decision.reason : undefined },
  })
  return { decision, role, alert, approval }
}

/** What the platform is told of an outcome. */
export function answerOf ({ decision, role, approval }: OperationOutcome): OperationAnswer {
  if (decision.kind === 'denied') return { result: 'denied', reason: decision.reason }
  if (decision.kind === 'allowed') return { result: 'allowed' }
  return { result: 'pending', id: approval!.id, expiresAt: approval!.expiresAt, waitsFor: role === 'admin' ? 'confirmation' : 'approval' }
}

/**
 * The one place an operation lapses (the expiry sweep, in its transaction): marked, the admin's request
 * taken back if it never went out, and both sides told once — the operator that nobody allowed it, the
 * admin that it went unanswered (once: an admin's own confirmation is told to the admin only).
 */
export async function lapseApproval (tx: StoreTransaction, approval: Approval, now: Millis): Promise<void> {
  const at = toIso(now)
  const account = (await tx.account(approval.accountId))!
  const actor = (await tx.user(approval.actorUserId))!
  await tx.updateApproval(approval.id, { status: 'lapsed' })
  const lapsed = lapsedAt(approval.expiresAt, now)
  await announceLapse(tx, approval, lapsed)
  await tx.withdraw(approval.id, ['request'], at)
  const expiresAt = fromIso(lapsed)
  const own = actor.id === account.adminUserId
  if (!own) await notify(tx, { to: actor.id, notice: { kind: 'approval-lapsed', accountName: account.name, operation: approval.operation, expiresAt }, at, accountId: account.id })
  await notify(tx, { to: account.adminUserId, notice: { kind: 'approval-lapsed-admin', actor: own ? undefined : { name: actor.name, wechatId: actor.wechatId }, accountName: account.name, operation: approval.operation, code: approval.code, expiresAt }, at, accountId: account.id })
  await record(tx, { accountId: approval.accountId, at: lapsed, event: { action: 'operation.lapsed', wechatId: actor.wechatId, operation: approval.operation } })
}

/** The actor's role on the account now (with the binding that gives it), and whether a short-term role of theirs ran out there. */
export async function standing (reader: StoreReader, account: Account, actor: User, now: Millis): Promise<{ role: Role | undefined, expired: boolean, binding: Binding | undefined }> {
  if (account.adminUserId === actor.id) return { role: 'admin', expired: false, binding: undefined }
  const here = (await reader.bindingsOfUser(actor.id)).filter((b) => b.accountId === account.id)
  const active = here.find((b) => isActive(b, now))
  if (active) return { role: active.role, expired: false, binding: active }
  const last = here.at(-1)
  const expired = last !== undefined && last.role === 'short' && (last.endReason === 'expired' || (last.endedAt === undefined && !isActive(last, now)))
  return { role: undefined, expired, binding: undefined }
}

/** The approval request as the admin `to` reads it (the account's admin when asked, a new admin after a handover): same code, time and deadline. */
export function approvalRequestPush (to: string, account: Account, approval: Approval, who: Actor, queuedAt: string): Push {
  return {
    to,
    notice: { kind: 'approval-request', who, accountName: account.name, operation: approval.operation, code: approval.code, at: fromIso(approval.createdAt), expiresAt: fromIso(approval.expiresAt) },
    at: queuedAt,
    accountId: account.id,
    about: { id: approval.id, topic: 'request' },
  }
}
