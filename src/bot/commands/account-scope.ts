// Admin commands name their account, or the bot asks which one (numbered) when the admin has several.
// One place checks that the sender administers the account before any admin command runs.
import type { AccountService } from '../../services/accounts.js'
import type { Account, User } from '../../store/schema.js'
import { texts } from '../../texts.js'
import type { Handler, StepTurn, Turn } from '../conversation.js'

export type AccountCommand = (turn: Turn, admin: User, account: Account, args: string[]) => Promise<string> | string

export interface AccountCommandSpec {
  /** Words before the optional account name (or how many, judged from the words: 风险操作提醒 开 / 风险操作提醒 登录 汇总). */
  args: number | ((words: string[]) => number)
  /** A trailing number (a page) may follow the account name. */
  trailingNumber?: boolean
  usage: string
  /** Checks the words before the account is resolved; returns the reply when they are wrong. */
  check?: (args: string[]) => string | undefined
  run: AccountCommand
}

export class AccountScope {
  private readonly specs = new Map<string, AccountCommandSpec>()

  constructor (private readonly accounts: AccountService) {}

  /** The handler for `command`: resolves the account and checks the sender administers it. */
  define = (command: string, spec: AccountCommandSpec): Handler => {
    this.specs.set(command, spec)
    return async (turn) => {
      const admin = turn.asker
      const own = admin ? await this.accounts.administeredBy(admin) : []
      if (!admin || own.length === 0) return texts.notAnAdmin(command)
      const words = turn.args.split(/\s+/).filter(Boolean)
      const wrong = spec.check?.(words)
      if (wrong !== undefined) return wrong
      const count = typeof spec.args === 'number' ? spec.args : spec.args(words)
      if (words.length < count) return spec.usage
      const args = words.slice(0, count)
      let rest = words.slice(count)
      if (spec.trailingNumber && rest.length > 0 && /^\d+$/.test(rest.at(-1)!)) {
        args.push(rest.at(-1)!)
        rest = rest.slice(0, -1)
      }
      const accountName = rest.join(' ')
      if (accountName) {
        const named = await this.accounts.named(admin, accountName, own)
        if (named.kind === 'unknown') return texts.unknownAccount(named.own.map((a) => a.name))
        if (named.kind === 'not-admin') return texts.notAdminOf(named.account.name, command)
        return spec.run(turn, admin, named.account, args)
      }
      if (own.length === 1) return spec.run(turn, admin, own[0]!, args)
      turn.setDialog({ step: 'admin.account', data: { command, args, accountIds: own.map((a) => a.id) } })
      return texts.chooseAccount(command, own.map((a) => a.name))
    }
  }

  /** The numbered answer to "which account?": runs the command that asked. */
  chooseAccount = async (turn: StepTurn<'admin.account'>): Promise<string | undefined> => {
    const { command, args, accountIds } = turn.dialog.data
    if (!/^\d+$/.test(turn.text)) return undefined
    const account = await this.accounts.get(accountIds[Number(turn.text) - 1] ?? '')
    if (!account) {
      turn.setDialog(turn.dialog)
      return texts.badAccountChoice(accountIds.length)
    }
    turn.endDialog()
    if (!turn.asker || !this.accounts.administers(turn.asker, account)) return texts.notAdminOf(account.name, command)
    return this.specs.get(command)!.run(turn, turn.asker, account, args)
  }
}
