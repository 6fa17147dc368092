// Answers by reply: 我的邀请; 同意 / 拒绝 [code] from an invitee; 允许 (同意) / 拒绝 <code> from an admin
// deciding a renewal request or a risky operation. A code that is not the sender's to answer is "not
// found", whoever owns it.
import { codeIn } from '../../services/codes.js'
import type { InvitationService } from '../../services/invitations.js'
import type { DecideResult, RenewalService } from '../../services/renewals.js'
import type { RiskyOperationService } from '../../services/risky-operations.js'
import type { User } from '../../store/schema.js'
import type { Store } from '../../store/store.js'
import { texts } from '../../texts.js'
import type { Turn } from '../conversation.js'

export function invitationCommands (store: Store, invitations: InvitationService, renewals: RenewalService, operations: RiskyOperationService) {
  const accountName = (accountId: string): string => store.account(accountId)!.name

  const decideRenewal = async (admin: User, code: string, approve: boolean): Promise<string | undefined> => {
    const renewal = renewals.findFor(admin, code)
    if (!renewal) return undefined
    const result: DecideResult = await renewals.decide(admin, renewal, approve)
    const name = accountName(renewal.accountId)
    switch (result.kind) {
      case 'not-found': return undefined
      case 'closed': return texts.renewalClosed(name, result.status, result.operator.name, result.reason)
      case 'too-late': return texts.renewalTooLate(result.operator.name, name)
      case 'blocked': return texts.renewalBlocked(result.operator.name, name, result.refusals)
      case 'approved': return texts.renewalApprovedAdmin(result.operator.name, name, result.expiresAt)
      case 'refused': return texts.renewalRefusedAdmin(result.operator.name, name)
    }
  }

  const decideOperation = async (admin: User, code: string, allow: boolean): Promise<string | undefined> => {
    const approval = operations.findFor(admin, code)
    if (!approval) return undefined
    const result = await operations.decide(admin, approval, allow)
    const name = accountName(approval.accountId)
    if (result.kind === 'closed') return texts.approvalClosed(name, approval.operation, result.state, result.actor.name, result.reason)
    return texts.approvalDecided(result.actor.id === admin.id ? '你' : result.actor.name, name, approval.operation, allow)
  }

  /** The requests waiting for this admin's answer, for a 允许 / 同意 / 拒绝 without a code. */
  const openRequests = (admin: User, now: number) => [
    ...operations.openFor(admin, now).map((a) => ({ code: a.code, text: texts.openApproval(store.user(a.actorUserId)!.name, accountName(a.accountId), a.operation, Date.parse(a.expiresAt), now) })),
    ...renewals.openFor(admin, now).map((r) => ({ code: r.code, text: texts.openRenewal(store.user(r.requestedBy)!.name, accountName(r.accountId)) })),
  ]

  /** 允许: only for what waits on an admin (risky operations, renewals); never accepts an invitation. */
  const allow = async (turn: Turn): Promise<string> => {
    const code = codeIn(turn.args)
    if (!turn.asker) return texts.noOpenRequests
    if (!code) {
      const open = openRequests(turn.asker, turn.now)
      return open.length > 0 ? texts.openRequests('允许', open) : texts.noOpenRequests
    }
    const decided = await decideOperation(turn.asker, code, true) ?? await decideRenewal(turn.asker, code, true)
    if (decided) return decided
    // An invitee who says 允许 to their own invitation is pointed to 同意, not turned away.
    if (invitations.pendingFor(turn.asker).some((i) => i.code === code)) return texts.acceptWithAgree(code)
    return texts.noSuchRequest(code)
  }

  const answer = (word: '同意' | '拒绝', accept: boolean) => async (turn: Turn): Promise<string> => {
    if (!turn.asker) return texts.noPendingInvitation(undefined)
    const code = codeIn(turn.args)
    if (!code && invitations.pendingFor(turn.asker).length === 0) {
      const open = openRequests(turn.asker, turn.now)
      if (open.length > 0) return texts.openRequests(word, open)
    }
    const result = await invitations.answer(turn.asker, code, accept)
    if (result.kind === 'no-such-code') {
      const decided = await decideOperation(turn.asker, result.code, accept) ?? await decideRenewal(turn.asker, result.code, accept)
      if (decided) return decided
      if (store.accountsAdministeredBy(turn.asker.id).length > 0) return texts.noSuchRequest(result.code)
    }
    switch (result.kind) {
      case 'none-pending': return texts.noPendingInvitation(turn.asker.wechatId)
      case 'choose': return texts.chooseInvitation(word, result.pending.map((i) => ({ code: i.code, accountName: accountName(i.accountId) })))
      case 'no-such-code': return texts.noSuchInvitation(result.code)
      case 'closed': {
        const { invitation } = result
        const at = result.status === 'expired' ? invitation.expiresAt : invitation.answeredAt
        return texts.invitationClosed(accountName(invitation.accountId), result.status, at ? Date.parse(at) : undefined)
      }
      case 'refused': return texts.acceptanceRefused(accountName(result.invitation.accountId), result.invitation.role, result.refusals)
      case 'accepted': {
        const { binding } = result
        return texts.accepted(accountName(binding.accountId), binding.role, binding.expiresAt ? Date.parse(binding.expiresAt) : undefined)
      }
      case 'declined': return texts.declined(accountName(result.invitation.accountId))
    }
  }

  return {
    list: (turn: Turn): string => texts.myInvitations(
      (turn.asker ? invitations.pendingFor(turn.asker) : []).map((i) => ({
        code: i.code,
        accountName: accountName(i.accountId),
        role: i.role,
        adminName: store.user(i.invitedBy)!.name,
        expiresAt: Date.parse(i.expiresAt),
      })),
      turn.asker?.wechatId,
    ),
    accept: answer('同意', true),
    decline: answer('拒绝', false),
    allow,
  }
}
