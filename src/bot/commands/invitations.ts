// The invitee's side: 我的邀请, 同意 [code], 拒绝 [code].
import type { InvitationService } from '../../services/invitations.js'
import type { Store } from '../../store/store.js'
import { texts } from '../../texts.js'
import type { Turn } from '../conversation.js'

export function invitationCommands (store: Store, invitations: InvitationService) {
  const accountName = (accountId: string): string => store.account(accountId)!.name

  const answer = (word: '同意' | '拒绝', accept: boolean) => async (turn: Turn): Promise<string> => {
    if (!turn.asker) return texts.noPendingInvitation(undefined)
    const code = turn.args.split(/\s+/)[0] || undefined
    const result = await invitations.answer(turn.asker, code, accept)
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
  }
}
