// Answers by reply: 我的邀请; 同意 / 拒绝 [code] from an invitee; 允许 (同意) / 拒绝 <code> from an admin
// deciding a renewal request or a risky operation. Which of these an answer is for is the answer
// service's to say; this turns its outcome into the reply.
import type { AnswerKind, AnswerOutcome, AnswerService, OpenRequest } from '../../services/answers.js'
import { codeIn } from '../../services/codes.js'
import { texts } from '../../texts.js'
import type { Turn } from '../conversation.js'

type Word = '同意' | '允许' | '拒绝'
const KIND: Record<Word, AnswerKind> = { 同意: 'agree', 允许: 'allow', 拒绝: 'refuse' }

export function invitationCommands (answers: AnswerService) {
  const openRequest = (request: OpenRequest, now: number): { code: string, text: string } => request.kind === 'operation'
    ? { code: request.code, text: texts.openApproval(request.actorName, request.accountName, request.operation, request.expiresAt, now) }
    : { code: request.code, text: texts.openRenewal(request.operatorName, request.accountName) }

  const reply = (word: Word, outcome: AnswerOutcome, turn: Turn): string => {
    switch (outcome.kind) {
      case 'stranger': return word === '允许' ? texts.noOpenRequests : texts.noPendingInvitation(undefined)
      case 'open-requests': return texts.openRequests(word, outcome.requests.map((r) => openRequest(r, turn.now)))
      case 'nothing-open': return texts.noOpenRequests
      case 'agree-instead': return texts.acceptWithAgree(outcome.code)
      case 'no-such-request': return texts.noSuchRequest(outcome.code)
      case 'operation-closed': return texts.approvalClosed(outcome.accountName, outcome.operation, outcome.state, outcome.actorName, outcome.reason)
      case 'operation-decided': return texts.approvalDecided(outcome.actorIsSender ? '你' : outcome.actorName, outcome.accountName, outcome.operation, outcome.allowed)
      case 'renewal-closed': return texts.renewalClosed(outcome.accountName, outcome.status, outcome.operatorName, outcome.reason)
      case 'renewal-too-late': return texts.renewalTooLate(outcome.operatorName, outcome.accountName)
      case 'renewal-blocked': return texts.renewalBlocked(outcome.operatorName, outcome.accountName, outcome.refusals)
      case 'renewal-approved': return texts.renewalApprovedAdmin(outcome.operatorName, outcome.accountName, outcome.expiresAt)
      case 'renewal-refused': return texts.renewalRefusedAdmin(outcome.operatorName, outcome.accountName)
      case 'no-invitation': return texts.noPendingInvitation(turn.asker?.wechatId)
      case 'choose-invitation': return texts.chooseInvitation(word, outcome.pending)
      case 'no-such-invitation': return texts.noSuchInvitation(outcome.code)
      case 'invitation-closed': return texts.invitationClosed(outcome.accountName, outcome.status, outcome.at)
      case 'invitation-refused': return texts.acceptanceRefused(outcome.accountName, outcome.role, outcome.refusals)
      case 'invitation-accepted': return texts.accepted(outcome.accountName, outcome.role, outcome.expiresAt)
      case 'invitation-declined': return texts.declined(outcome.accountName)
    }
  }

  const answer = (word: Word) => async (turn: Turn): Promise<string> =>
    reply(word, await answers.answer(turn.asker, KIND[word], codeIn(turn.args)), turn)

  return {
    list: async (turn: Turn): Promise<string> =>
      texts.myInvitations(turn.asker ? await answers.pendingInvitations(turn.asker) : [], turn.asker?.wechatId),
    accept: answer('同意'),
    decline: answer('拒绝'),
    allow: answer('允许'),
  }
}
