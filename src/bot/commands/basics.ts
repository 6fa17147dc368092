// 帮助 and 取消: the menu for this person, and leaving any pending step.
import type { AccountService } from '../../services/accounts.js'
import { texts } from '../../texts.js'
import type { Turn } from '../conversation.js'

export function basicCommands (accounts: AccountService) {
  return {
    help: async (turn: Turn): Promise<string> =>
      texts.help(turn.asker ? (await accounts.administeredBy(turn.asker)).map((a) => a.name) : []),

    cancel (turn: Turn): string {
      if (!turn.dialog) return texts.nothingToCancel
      turn.endDialog()
      return texts.cancelled
    },
  }
}
