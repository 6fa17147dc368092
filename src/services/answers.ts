// 同意 / 允许 / 拒绝 [code]: one place decides what a person's answer is for — an invitation sent to
// them, or a renewal request or a risky operation waiting for them as an admin — and carries it out.
// A code that is not the sender's to answer is "not found", whoever owns it.
import type { Millis } from '../domain/calendar.js'
import type { InvitationStatus, Refusal } from '../domain/invitation-rules.js'
import type { Operation } from '../domain/permissions.js'
import type { ApprovalState, ClosedReason } from '../domain/requests.js'
import type { OperatorRole } from '../domain/roles.js'
import type { User } from '../store/schema.js'
import type { ServiceContext } from './context.js'
import type { InvitationService } from './invitations.js'
import type { RenewalService } from './renewals.js'
import type { RiskyOperationService } from './risky-operations.js'

/** 同意 (or 接受), 允许, 拒绝. `allow` is only for what waits on an admin: it never accepts an invitation. */
export type AnswerKind = 'agree' | 'allow' | 'refuse'

/** A request waiting for the admin's answer, for an answer that names no code. */
export type OpenRequest =
  | { kind: 'operation', code: string, actorName: string, accountName: string, operation: Operation, expiresAt: Millis }
  | { kind: 'renewal', code: string, operatorName: string, accountName: string }

/** An invitation waiting for the invitee's answer (我的邀请). */
export interface PendingInvitation {
  code: string
  accountName: string
  role: OperatorRole
  adminName: string
  expiresAt: Millis
}

export type AnswerOutcome =
  /** The sender is no known user. */
  | { kind: 'stranger' }
  /** No code, and requests wait for this admin: which one? */
  | { kind: 'open-requests', requests: OpenRequest[] }
  /** 允许 without a code, and nothing waits for this admin. */
  | { kind: 'nothing-open' }
  /** 允许 with the code of an invitation sent to the sender: 同意 is the word for that. */
  | { kind: 'agree-instead', code: string }
  /** A code that is none of the sender's, who administers an account (so it may have been a request). */
  | { kind: 'no-such-request', code: string }
  // A risky operation the admin was asked about.
  | { kind: 'operation-closed', accountName: string, operation: Operation, state: Exclude<ApprovalState, 'pending'>, actorName: string, reason: ClosedReason | undefined }
  | { kind: 'operation-decided', accountName: string, operation: Operation, allowed: boolean, actorName: string, actorIsSender: boolean }
  // A renewal request.
  | { kind: 'renewal-closed', accountName: string, status: 'approved' | 'refused' | 'expired' | 'closed', operatorName: string, reason: ClosedReason | undefined }
  | { kind: 'renewal-too-late', accountName: string, operatorName: string }
  | { kind: 'renewal-blocked', accountName: string, operatorName: string, refusals: Refusal[] }
  | { kind: 'renewal-approved', accountName: string, operatorName: string, expiresAt: Millis }
  | { kind: 'renewal-refused', accountName: string, operatorName: string }
  // An invitation sent to the sender.
  | { kind: 'no-invitation' }
  | { kind: 'choose-invitation', pending: Array<{ code: string, accountName: string }> }
  | { kind: 'no-such-invitation', code: string }
  | { kind: 'invitation-closed', accountName: string, status: Exclude<InvitationStatus, 'pending'>, at: Millis | undefined }
  | { kind: 'invitation-refused', accountName: string, role: OperatorRole, refusals: Refusal[] }
  | { kind: 'invitation-accepted', accountName: string, role: OperatorRole, expiresAt: Millis | undefined }
  | { kind: 'invitation-declined', accountName: string }

export class AnswerService {
  constructor (
    private readonly ctx: ServiceContext,
    private readonly with_: { invitations: InvitationService, renewals: RenewalService, operations: RiskyOperationService },
  ) {}

  /** Invitations waiting for `user`'s answer, oldest first. */
  async pendingInvitations (user: User): Promise<PendingInvitation[]> {
    const { engine } = this.ctx
    const pending: PendingInvitation[] = []
    for (const i of await this.with_.invitations.pendingFor(user)) {
      pending.push({
        code: i.code,
        accountName: await this.accountName(i.accountId),
        role: i.role,
        adminName: (await engine.user(i.invitedBy))!.name,
        expiresAt: Date.parse(i.expiresAt),
      })
    }
    return pending
  }

  /** Requests waiting for this admin's answer: risky operations, then renewal requests, each oldest first. */
  async openRequests (admin: User): Promise<OpenRequest[]> {
    const { engine } = this.ctx
    const now = this.ctx.now()
    const open: OpenRequest[] = []
    for (const a of await this.with_.operations.openFor(admin, now)) {
      open.push({
        kind: 'operation',
        code: a.code,
        actorName: (await engine.user(a.actorUserId))!.name,
        accountName: await this.accountName(a.accountId),
        operation: a.operation,
        expiresAt: Date.parse(a.expiresAt),
      })
    }
    for (const r of await this.with_.renewals.openFor(admin, now)) {
      open.push({
        kind: 'renewal',
        code: r.code,
        operatorName: (await engine.user(r.requestedBy))!.name,
        accountName: await this.accountName(r.accountId),
      })
    }
    return open
  }

  /** `code` as typed (upper case), if the answer named one. */
  async answer (sender: User | undefined, kind: AnswerKind, code: string | undefined): Promise<AnswerOutcome> {
    if (!sender) return { kind: 'stranger' }
    const { invitations } = this.with_
    const yes = kind !== 'refuse'
    if (kind === 'allow') {
      if (!code) {
        const open = await this.openRequests(sender)
        return open.length > 0 ? { kind: 'open-requests', requests: open } : { kind: 'nothing-open' }
      }
      const decided = await this.decide(sender, code, true)
      if (decided) return decided
      // An invitee who says 允许 to their own invitation is pointed to 同意, not turned away.
      if ((await invitations.pendingFor(sender)).some((i) => i.code === code)) return { kind: 'agree-instead', code }
      return { kind: 'no-such-request', code }
    }

    if (!code && (await invitations.pendingFor(sender)).length === 0) {
      const open = await this.openRequests(sender)
      if (open.length > 0) return { kind: 'open-requests', requests: open }
    }
    const result = await invitations.answer(sender, code, yes)
    if (result.kind === 'no-such-code') {
      const decided = await this.decide(sender, result.code, yes)
      if (decided) return decided
      if ((await this.ctx.engine.accountsAdministeredBy(sender.id)).length > 0) return { kind: 'no-such-request', code: result.code }
    }
    switch (result.kind) {
      case 'none-pending': return { kind: 'no-invitation' }
      case 'choose': {
        const pending: Array<{ code: string, accountName: string }> = []
        for (const i of result.pending) pending.push({ code: i.code, accountName: await this.accountName(i.accountId) })
        return { kind: 'choose-invitation', pending }
      }
      case 'no-such-code': return { kind: 'no-such-invitation', code: result.code }
      case 'closed': {
        const { invitation } = result
        const at = result.status === 'expired' ? invitation.expiresAt : invitation.answeredAt
        return { kind: 'invitation-closed', accountName: await this.accountName(invitation.accountId), status: result.status, at: at ? Date.parse(at) : undefined }
      }
      case 'refused': return { kind: 'invitation-refused', accountName: await this.accountName(result.invitation.accountId), role: result.invitation.role, refusals: result.refusals }
      case 'accepted': {
        const { binding } = result
        return { kind: 'invitation-accepted', accountName: await this.accountName(binding.accountId), role: binding.role, expiresAt: binding.expiresAt ? Date.parse(binding.expiresAt) : undefined }
      }
      case 'declined': return { kind: 'invitation-declined', accountName: await this.accountName(result.invitation.accountId) }
    }
  }

  /** The risky operation or renewal request `code` that waits for this admin, decided; undefined when none. */
  private async decide (admin: User, code: string, yes: boolean): Promise<AnswerOutcome | undefined> {
    return await this.decideOperation(admin, code, yes) ?? await this.decideRenewal(admin, code, yes)
  }

  private async decideOperation (admin: User, code: string, allow: boolean): Promise<AnswerOutcome | undefined> {
    const { operations } = this.with_
    const approval = await operations.findFor(admin, code)
    if (!approval) return undefined
    const result = await operations.decide(admin, approval, allow)
    if (result.kind === 'not-yours') return undefined
    const accountName = await this.accountName(approval.accountId)
    if (result.kind === 'closed') {
      return { kind: 'operation-closed', accountName, operation: approval.operation, state: result.state, actorName: result.actor.name, reason: result.reason }
    }
    return { kind: 'operation-decided', accountName, operation: approval.operation, allowed: allow, actorName: result.actor.name, actorIsSender: result.actor.id === admin.id }
  }

  private async decideRenewal (admin: User, code: string, approve: boolean): Promise<AnswerOutcome | undefined> {
    const { renewals } = this.with_
    const renewal = await renewals.findFor(admin, code)
    if (!renewal) return undefined
    const result = await renewals.decide(admin, renewal, approve)
    if (result.kind === 'not-yours') return undefined
    const accountName = await this.accountName(renewal.accountId)
    switch (result.kind) {
      case 'closed': return { kind: 'renewal-closed', accountName, status: result.status, operatorName: result.operator.name, reason: result.reason }
      case 'too-late': return { kind: 'renewal-too-late', accountName, operatorName: result.operator.name }
      case 'blocked': return { kind: 'renewal-blocked', accountName, operatorName: result.operator.name, refusals: result.refusals }
      case 'approved': return { kind: 'renewal-approved', accountName, operatorName: result.operator.name, expiresAt: result.expiresAt }
      case 'refused': return { kind: 'renewal-refused', accountName, operatorName: result.operator.name }
    }
  }

  private async accountName (accountId: string): Promise<string> {
    return (await this.ctx.engine.account(accountId))!.name
  }
}
