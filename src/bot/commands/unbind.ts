// 解绑 N after a lookup → confirmation → 确认 ends the binding; 取消 keeps it.
import type { Services } from '../../services/index.js'
import { texts } from '../../texts.js'
import { confirmStep } from '../confirm.js'
import type { Turn } from '../conversation.js'
import type { UnbindChoice } from '../dialog.js'

export function unbindCommands (unbind: Services['unbind']) {
  /** Picks entry `number` (1-based, as typed) from the lookup results in the dialog. */
  function pick (turn: Turn, number: string): string {
    const dialog = turn.dialog
    if (dialog?.step !== 'lookup.results' && dialog?.step !== 'unbind.confirm') return texts.unbindNeedsLookup
    const entries = dialog.data.entries
    if (number === '') return texts.unbindNeedsNumber(entries.length)
    const entry = /^\d+$/.test(number) ? entries[Number(number) - 1] : undefined
    if (!entry) return texts.unbindBadNumber(number, entries.length)
    if (entry.role === 'admin' || entry.bindingId === undefined) return texts.unbindAdmin(entry.accountName)
    const choice: UnbindChoice = {
      bindingId: entry.bindingId,
      accountName: entry.accountName,
      role: entry.role,
      wechatId: entry.wechatId === turn.asker?.wechatId ? undefined : entry.wechatId,
      entries,
    }
    turn.setDialog({ step: 'unbind.confirm', data: choice })
    return texts.unbindConfirm(choice.accountName, choice.role, choice.wechatId)
  }

  return {
    command: (turn: Turn): string => pick(turn, turn.args),

    /** A bare number after the results is taken as 解绑 N, like tapping an account in the real assistant. */
    fromResults: (turn: Turn): string | undefined => /^\d+$/.test(turn.text) ? pick(turn, turn.text) : undefined,

    confirm: confirmStep<'unbind.confirm', UnbindChoice>({
      load: (choice) => choice,
      ask: (choice) => texts.unbindConfirm(choice.accountName, choice.role, choice.wechatId),
      // Whether the binding is still the asker's to give up is the service's to check.
      refused: () => texts.unbindNotYours,
      run: async (asker, choice) => {
        const result = await unbind(asker, choice.bindingId)
        if (result.ok) return texts.unbindDone(result.accountName, result.role, result.at, choice.wechatId)
        if (result.reason === 'already-ended') return texts.unbindAlreadyEnded(result.accountName, result.role)
        return texts.unbindNotYours
      },
    }),
  }
}
