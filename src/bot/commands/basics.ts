// 帮助 and 取消: the menu for this person, and leaving any pending step.
import type { Store } from '../../store/store.js'
import { texts } from '../../texts.js'
import type { Turn } from '../conversation.js'

export function basicCommands (store: Store) {
  return {
    help: (turn: Turn): string =>
      texts.help(turn.asker ? store.accountsAdministeredBy(turn.asker.id).map((a) => a.name) : []),

    cancel (turn: Turn): string {
      if (!turn.dialog) return texts.nothingToCancel
      turn.endDialog()
      return texts.cancelled
    },
  }
}
