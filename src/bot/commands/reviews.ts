// 权限复核 [公众号], 复核周期 N [公众号], and the admin's answers to a review: 保留 1 3 / 移除 2 / 全部保留.
import { parseReviewDays, parseReviewReply } from '../../domain/reviews.js'
import type { ReviewVerb } from '../../domain/reviews.js'
import type { Services } from '../../services/index.js'
import { texts } from '../../texts.js'
import type { Turn } from '../conversation.js'
import type { AccountScope } from './account-scope.js'

const WORD: Record<ReviewVerb, string> = { keep: '保留', remove: '移除' }

export function reviewCommands (services: Pick<Services, 'accounts' | 'reviews'>, scope: AccountScope) {
  const { accounts, reviews } = services

  const answer = (verb: ReviewVerb, all: boolean) => async (turn: Turn): Promise<string> => {
    const word = all ? '全部保留' : WORD[verb]
    // 全部保留 [公众号] is 保留 全部 [公众号].
    const result = await reviews.answer(turn.asker, verb, parseReviewReply(all ? `全部 ${turn.args}` : turn.args))
    switch (result.kind) {
      case 'not-admin': return texts.reviewNotAdmin(word)
      case 'usage': return texts.reviewUsage(word)
      case 'none-open': return texts.reviewNoneOpen
      case 'choose': return texts.reviewChoose(word, result.accountNames)
      case 'unknown-account': return texts.unknownAccount(result.accountNames)
      case 'not-open': return texts.reviewNotOpen(result.accountName)
      case 'lapsed': return texts.reviewAnsweredTooLate(result.accountName)
      case 'bad-number': return texts.reviewBadNumber(result.accountName, result.number, result.count)
      case 'answered': return texts.reviewAnswered({ ...result, now: turn.now })
    }
  }

  return {
    keep: answer('keep', false),
    remove: answer('remove', false),
    keepAll: answer('keep', true),

    start: scope.define('权限复核', {
      args: 0,
      usage: '',
      run: async (turn, admin, account) => {
        const several = (await accounts.administeredBy(admin)).length > 1
        const result = await reviews.start(admin, account)
        if (result.kind === 'none') return texts.reviewNothing(account.name)
        if (result.kind === 'open') return texts.reviewOpen(result.view, turn.now, several)
        return texts.reviewStarted(result.view, turn.now, several)
      },
    }),

    interval: scope.define('复核周期', {
      args: 1,
      usage: texts.reviewIntervalUsage,
      // The number is what to fix first, before asking which account.
      check: ([word]) => {
        if (word === undefined) return texts.reviewIntervalUsage
        const days = parseReviewDays(word)
        return days.ok ? undefined : texts.reviewIntervalRefused(word, days.problem)
      },
      run: async (_turn, admin, account, [word]) => {
        const days = parseReviewDays(word!)
        if (!days.ok) return texts.reviewIntervalRefused(word!, days.problem)
        const { nextAt, open } = await reviews.setInterval(admin, account, days.days)
        return texts.reviewIntervalSet(account.name, days.days, nextAt, open)
      },
    }),
  }
}
