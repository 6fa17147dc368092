// The admin's commands: invite, list, remove, withdraw and resend (account resolution: AccountScope).
import { parseWechatId } from '../../domain/identity.js'
import type { OperatorRole } from '../../domain/roles.js'
import type { Removal } from '../../services/accounts.js'
import type { Services } from '../../services/index.js'
import type { InviteResult, ResendResult } from '../../services/invitations.js'
import type { Account, User } from '../../store/schema.js'
import { texts } from '../../texts.js'
import { confirmStep } from '../confirm.js'
import type { AccountScope } from './account-scope.js'

/** What people type for a role. A Map: typed words are never looked up in a plain object (`constructor`). */
const ROLE_WORDS = new Map<string, OperatorRole>([['长期', 'long'], ['短期', 'short'], ['long', 'long'], ['short', 'short'], ['长期运营者', 'long'], ['短期运营者', 'short']])

export function adminCommands (services: Pick<Services, 'accounts' | 'invitations' | 'operators'>, scope: AccountScope) {
  const define = scope.define
  const { accounts, invitations, operators } = services

  /** The command as the admin would type it again, naming the account when they have several. */
  const spelled = async (admin: User, account: Account, command: string): Promise<string> =>
    (await accounts.administeredBy(admin)).length > 1 ? `${command} ${account.name}` : command

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
      return inviteReply(result, wechatId!, role, account, await spelled(admin, account, `绑定运营者 ${wechatId} ${roleWord}`))
    },
  })

  const roster = define('运营者列表', {
    args: 0,
    usage: '',
    run: async (turn, _admin, account) => texts.roster(await operators.roster(account), turn.now),
  })

  const remove = define('解绑运营者', {
    args: 1,
    usage: texts.removeUsage,
    check: wechatIdFirst('解绑运营者'),
    run: async (turn, _admin, account, [wechatId]) => {
      const found = await operators.find(account, wechatId!)
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
      return inviteReply(result, wechatId!, undefined, account, await spelled(admin, account, `重发邀请 ${wechatId}`))
    },
  })

  return {
    invite,
    roster,
    remove,
    withdraw,
    resend,

    confirmRemove: confirmStep<'remove.confirm', Removal>({
      load: ({ accountId, bindingId }) => accounts.removal(accountId, bindingId),
      ask: ({ account, binding, user }) => texts.removeConfirm(user.name, user.wechatId, account.name, binding.role),
      allowed: (asker, { account }) => accounts.administers(asker, account),
      refused: ({ account }) => texts.notAdminOf(account.name, '解绑运营者'),
      run: async (asker, { account, binding, user }) => {
        const result = await operators.remove(asker, account, binding.id)
        if (result.kind === 'removed') return texts.removed(user.name, account.name, binding.role)
        return texts.notAnOperator(user.name, user.wechatId, account.name)
      },
    }),
  }
}

