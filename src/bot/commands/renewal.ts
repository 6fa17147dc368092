// 续期 [N]: a short-term operator asks their admin for another month.
import type { RenewalService } from '../../services/renewals.js'
import type { Store } from '../../store/store.js'
import { texts } from '../../texts.js'
import type { Turn } from '../conversation.js'

export function renewalCommands (store: Store, renewals: RenewalService) {
  return {
    request: async (turn: Turn): Promise<string> => {
      if (!turn.asker) return texts.renewalNothing
      const result = await renewals.request(turn.asker, turn.args)
      const accountOf = (accountId: string) => store.account(accountId)!
      const adminName = (accountId: string): string => store.user(accountOf(accountId).adminUserId)!.name
      switch (result.kind) {
        case 'nothing': return texts.renewalNothing
        case 'choose': return texts.renewalChoose(result.bindings.map((b) => ({ accountName: accountOf(b.accountId).name, expiresAt: Date.parse(b.expiresAt!) })), turn.now)
        case 'bad-number': return texts.renewalBadNumber(result.number, result.count)
        case 'already': return texts.renewalAlreadyRequested(accountOf(result.renewal.accountId).name, adminName(result.renewal.accountId), result.renewal.code)
        case 'requested': return texts.renewalRequested(accountOf(result.renewal.accountId).name, adminName(result.renewal.accountId), Date.parse(result.renewal.expiresAt))
      }
    },
  }
}
