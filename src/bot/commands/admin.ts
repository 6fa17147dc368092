// The admin's commands: invite, list, remove, withdraw and resend (account resolution: AccountScope).
import { parseWechatId } from '../../domain/identity.js'
import type { OperatorRole } from '../../domain/roles.js'
import type { ServiceContext } from '../../services/context.js'
import type { InvitationService, InviteResult, ResendResult } from '../../services/invitations.js'
import { findOperator, removeOperator, rosterOf } from '../../services/operators.js'
import type { Account, User } from '../../store/schema.js'
import { texts } from '../../texts.js'
import type { Turn } from '../conversation.js'
import type { AccountScope } from './account-scope.js'

/** What people type for a role. A Map: typed words are never looked up in a plain object (`constructor`). */
const ROLE_WORDS = new Map<string, OperatorRole>([['长期', 'long'], ['短期', 'short'], ['long', 'long'], ['short', 'short'], ['长期运营者', 'long'], ['短期运营者', 'short']])

export function adminCommands (services: ServiceContext, invitations: InvitationService, scope: AccountScope) {
  const define = scope.define
  const { store } = services

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

  /** A WeChat ID that cannot be one is pointed out before anything else, and never quoted back. */
  const wechatIdFirst = (command: string) => ([wechatId]: string[]): string | undefined => {
    if (wechatId === undefined) return undefined // the usage answers that
    const format = parseWechatId(wechatId)
    return format.ok ? undefined : texts.badWechatIdIn(command, format.problem)
  }

  const invite = define('绑定运营者', {
    args: 2,
    usage: texts.inviteUsage,
    // Said before asking which account: a wrong WeChat ID or a missing role is what to fix first.
    check: ([wechatId, roleWord]) => {
      if (wechatId === undefined) return texts.inviteUsage
      const format = parseWechatId(wechatId)
      if (!format.ok) return texts.badWechatIdIn('绑定运营者', format.problem)
      if (roleWord === undefined || !ROLE_WORDS.has(roleWord)) return texts.inviteNeedsRole(wechatId)
      return undefined
    },
    run: async (_turn, admin, account, [wechatId, roleWord]) => {
      const role = ROLE_WORDS.get(roleWord!)!
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
    check: wechatIdFirst('解绑运营者'),
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
    check: wechatIdFirst('撤销邀请'),
    run: async (_turn, admin, account, [wechatId]) => {
      const result = await invitations.withdraw(admin, account, wechatId!)
      if (result.kind === 'unknown-invitee') return texts.unknownInvitee(wechatId!)
      if (result.kind === 'none-pending') return texts.noPendingFor(result.invitee.name, result.invitee.wechatId, account.name)
      return texts.withdrawn(result.invitee.name, account.name, result.invitation.code, result.told)
    },
  })

  const resend = define('重发邀请', {
    args: 1,
    usage: texts.resendUsage,
    check: wechatIdFirst('重发邀请'),
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

