// 续期 [N]: a short-term operator asks their admin for another month.
import type { AccountService } from '../../services/accounts.js'
import type { RenewalService } from '../../services/renewals.js'
import { texts } from '../../texts.js'
import type { Turn } from '../conversation.js'

export function renewalCommands (accounts: AccountService, renewals: RenewalService) {
  return {
    request: async (turn: Turn): Promise<string> => {
      if (!turn.asker) return texts.renewalNothing
      const result = await renewals.request(turn.asker, turn.args)
      switch (result.kind) {
        case 'nothing': return texts.renewalNothing
        case 'choose': {
          const list = await Promise.all(result.bindings.map(async (b) => ({ accountName: (await accounts.names(b.accountId)).accountName, expiresAt: Date.parse(b.expiresAt!) })))
          return texts.renewalChoose(list, turn.now)
        }
        case 'bad-number': return texts.renewalBadNumber(result.number, result.count)
        case 'already': {
          const { accountName, adminName } = await accounts.names(result.renewal.accountId)
          return texts.renewalAlreadyRequested(accountName, adminName, result.renewal.code)
        }
        case 'requested': {
          const { accountName, adminName } = await accounts.names(result.renewal.accountId)
          return texts.renewalRequested(accountName, adminName, Date.parse(result.renewal.expiresAt))
        }
      }
    },
  }
}
