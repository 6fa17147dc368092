// The admin's commands: invite, list, remove, withdraw and resend. Each names its account, or the bot
// asks which one (numbered) when the admin has several.
import { parseWechatId } from '../../domain/identity.js'
import type { OperatorRole } from '../../domain/roles.js'
import type { ServiceContext } from '../../services/context.js'
import type { InvitationService, InviteResult, ResendResult } from '../../services/invitations.js'
import { findOperator, removeOperator, rosterOf } from '../../services/operators.js'
import type { Account, User } from '../../store/schema.js'
import { texts } from '../../texts.js'
import type { Handler, Turn } from '../conversation.js'

type AccountCommand = (turn: Turn, admin: User, account: Account, args: string[]) => Promise<string> | string

interface Spec {
  /** Words before the optional account name. */
  args: number
  usage: string
  run: AccountCommand
}

const ROLE_WORDS: Record<string, OperatorRole> = { 长期: 'long', 短期: 'short', long: 'long', short: 'short', 长期运营者: 'long', 短期运营者: 'short' }

export function adminCommands (services: ServiceContext, invitations: InvitationService) {
  const { store } = services
  const specs = new Map<string, Spec>()

  /** The handler for `command`: checks the sender administers the account before running it. */
  function define (command: string, spec: Spec): Handler {
    specs.set(command, spec)
    return (turn) => {
      const admin = turn.asker
      const own = admin ? store.accountsAdministeredBy(admin.id) : []
      if (!admin || own.length === 0) return texts.notAnAdmin(command)
      const words = turn.args.split(/\s+/).filter(Boolean)
      if (words.length < spec.args) return spec.usage
      const args = words.slice(0, spec.args)
      const accountName = words.slice(spec.args).join(' ')
      if (accountName) {
        const account = store.data.accounts.find((a) => a.name === accountName) ??
          singleOrNone(own.filter((a) => a.name.includes(accountName)))
        if (!account) return texts.unknownAccount(accountName, own.map((a) => a.name))
        if (account.adminUserId !== admin.id) return texts.notAdminOf(account.name, command)
        return spec.run(turn, admin, account, args)
      }
      if (own.length === 1) return spec.run(turn, admin, own[0]!, args)
      turn.setDialog({ step: 'admin.account', data: { command, args, accountIds: own.map((a) => a.id) } })
      return texts.chooseAccount(command, own.map((a) => a.name))
    }
  }

  /** The command as the admin would type it again, naming the account when they have several. */
  const spelled = (admin: User, account: Account, command: string): string =>
    store.accountsAdministeredBy(admin.id).length > 1 ? `${command} ${account.name}` : command

  const inviteReply = (result: InviteResult | ResendResult, wechatId: string, role: OperatorRole | undefined, account: Account, retry: string): string => {
    switch (result.kind) {
      case 'unknown-invitee': return texts.unknownInvitee(wechatId)
      case 'never-invited': return texts.neverInvited(result.invitee.name, result.invitee.wechatId, account.name)
      case 'refused': return texts.inviteRefused(result.invitee, account.name, role ?? 'long', result.refusals, retry)
      case 'invited': return texts.invited({
        inviteeName: result.invitee.name,
        wechatId: result.invitee.wechatId,
        accountName: account.name,
        role: result.invitation.role,
        code: result.invitation.code,
        expiresAt: Date.parse(result.invitation.expiresAt),
        delivery: result.delivery,
        resent: role === undefined,
      })
    }
  }

  const invite = define('绑定运营者', {
    args: 2,
    usage: texts.inviteUsage,
    run: async (_turn, admin, account, [wechatId, roleWord]) => {
      const role = ROLE_WORDS[roleWord!]
      if (!role) return texts.inviteUsage
      const format = parseWechatId(wechatId!)
      if (!format.ok) return texts.badFormat(format.problem, 'wechatId', false)
      const result = await invitations.invite(admin, account, wechatId!, role)
      return inviteReply(result, wechatId!, role, account, spelled(admin, account, `绑定运营者 ${wechatId} ${roleWord}`))
    },
  })

  const roster = define('运营者列表', {
    args: 0,
    usage: '',
    run: (turn, _admin, account) => texts.roster(rosterOf(services, account), turn.now),
  })

  const remove = define('解绑运营者', {
    args: 1,
    usage: texts.removeUsage,
    run: (turn, _admin, account, [wechatId]) => {
      const found = findOperator(services, account, wechatId!)
      if (found.kind === 'unknown-user') return texts.unknownOperator(wechatId!)
      if (found.kind === 'not-bound') return texts.notAnOperator(found.user.name, found.user.wechatId, account.name)
      turn.setDialog({ step: 'remove.confirm', data: { accountId: account.id, bindingId: found.binding.id } })
      return texts.removeConfirm(found.user.name, found.user.wechatId, account.name, found.binding.role)
    },
  })

  const withdraw = define('撤销邀请', {
    args: 1,
    usage: texts.withdrawUsage,
    run: async (_turn, admin, account, [wechatId]) => {
      const result = await invitations.withdraw(admin, account, wechatId!)
      if (result.kind === 'unknown-invitee') return texts.unknownInvitee(wechatId!)
      if (result.kind === 'none-pending') return texts.noPendingFor(result.invitee.name, result.invitee.wechatId, account.name)
      return texts.withdrawn(result.invitee.name, account.name, result.invitation.code)
    },
  })

  const resend = define('重发邀请', {
    args: 1,
    usage: texts.resendUsage,
    run: async (_turn, admin, account, [wechatId]) => {
      const result = await invitations.resend(admin, account, wechatId!)
      return inviteReply(result, wechatId!, undefined, account, spelled(admin, account, `重发邀请 ${wechatId}`))
    },
  })

  return {
    invite,
    roster,
    remove,
    withdraw,
    resend,

    /** The numbered answer to "which account?": runs the command that asked. */
    chooseAccount: (turn: Turn & { dialog: { step: 'admin.account', data: { command: string, args: string[], accountIds: string[] } } }) => {
      const { command, args, accountIds } = turn.dialog.data
      if (!/^\d+$/.test(turn.text)) return undefined
      const account = store.account(accountIds[Number(turn.text) - 1] ?? '')
      if (!account) {
        turn.setDialog(turn.dialog)
        return texts.badAccountChoice(accountIds.length)
      }
      turn.endDialog()
      if (!turn.asker || account.adminUserId !== turn.asker.id) return texts.notAdminOf(account.name, command)
      return specs.get(command)!.run(turn, turn.asker, account, args)
    },

    confirmRemove: async (turn: Turn & { dialog: { step: 'remove.confirm', data: { accountId: string, bindingId: string } } }) => {
      const { accountId, bindingId } = turn.dialog.data
      const account = store.account(accountId)!
      const binding = store.binding(bindingId)!
      const user = store.user(binding.userId)!
      if (turn.text !== '确认') return texts.removeConfirm(user.name, user.wechatId, account.name, binding.role)
      turn.endDialog()
      if (!turn.asker || account.adminUserId !== turn.asker.id) return texts.notAdminOf(account.name, '解绑运营者')
      const result = await removeOperator(services, turn.asker, account, bindingId)
      if (result.kind === 'removed') return texts.removed(user.name, account.name, binding.role)
      return texts.notAnOperator(user.name, user.wechatId, account.name)
    },
  }
}

function singleOrNone<T> (list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined
}
