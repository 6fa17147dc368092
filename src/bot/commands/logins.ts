// 确认登录 [code] / 不是我 [code]: the person confirms a login the platform asked about, or stops it.
import { codeIn } from '../../services/codes.js'
import type { LoginAnswer, LoginService } from '../../services/logins.js'
import { texts, typedWord } from '../../texts.js'
import type { Turn } from '../conversation.js'

type Word = '确认登录' | '不是我'

export function loginCommands (logins: LoginService) {
  const reply = (word: Word, outcome: LoginAnswer, turn: Turn): string => {
    switch (outcome.kind) {
      case 'stranger':
      case 'none': return texts.noLoginWaiting
      case 'choose': return texts.chooseLogin(word, outcome.logins, turn.now)
      case 'no-such-code': return texts.noSuchLogin(outcome.code)
      case 'closed': return texts.loginClosed(outcome.accountName, outcome.state)
      case 'confirmed': return texts.loginConfirmed(outcome.accountName, outcome.answer, outcome.adminName)
      case 'rejected': return texts.loginRejected(outcome.accountName, outcome.adminTold)
    }
  }
  const answer = (word: Word, confirm: boolean) => async (turn: Turn): Promise<string> => {
    const code = codeIn(turn.args)
    // Something typed that is no code (a typo: O for 0, a letter too many) names no login: it must never
    // fall back to "the only one waiting", which may be someone else's login started meanwhile.
    const typed = turn.args.trim()
    if (code === undefined && /[\p{L}\p{N}]/u.test(typed)) return texts.noSuchLogin(typedWord(typed))
    return reply(word, await logins.answer(turn.asker, code, confirm), turn)
  }
  return {
    confirm: answer('确认登录', true),
    disown: answer('不是我', false),
  }
}
