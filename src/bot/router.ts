// The bot's one router: every command word and dialog step, built on the services the assistant exposes.
import type { Services } from '../services/index.js'
import { AccountScope } from './commands/account-scope.js'
import { adminCommands } from './commands/admin.js'
import { basicCommands } from './commands/basics.js'
import { invitationCommands } from './commands/invitations.js'
import { loginCommands } from './commands/logins.js'
import { lookupCommands } from './commands/lookup.js'
import { renewalCommands } from './commands/renewal.js'
import { reviewCommands } from './commands/reviews.js'
import { settingsCommands } from './commands/settings.js'
import { unbindCommands } from './commands/unbind.js'
import { Conversation } from './conversation.js'
import { Dialogs } from './dialog.js'

export function buildRouter (services: Services, dialogs: Dialogs = new Dialogs(services.dialogs)): Conversation {
  const scope = new AccountScope(services.accounts)
  const basics = basicCommands(services.accounts)
  const lookup = lookupCommands(services.lookups)
  const unbind = unbindCommands(services.unbind)
  const answers = invitationCommands(services.answers)
  const admin = adminCommands(services, scope)
  const settings = settingsCommands(services, scope)
  const renewal = renewalCommands(services.accounts, services.renewals)
  const reviews = reviewCommands(services, scope)
  const logins = loginCommands(services.logins)
  return new Conversation(dialogs, {
    'lookup.method': lookup.chooseMethod,
    'lookup.value': lookup.enterValue,
    'lookup.results': unbind.fromResults,
    'unbind.confirm': unbind.confirm,
    'admin.account': scope.chooseAccount,
    'remove.confirm': admin.confirmRemove,
    'settings.confirm': settings.confirm,
  })
    .command(['帮助', '菜单', 'help', '?', '?'], basics.help)
    .command(['取消', 'cancel'], basics.cancel)
    .command(['绑定查询', '查询绑定'], lookup.start)
    .command(['解绑', '解除绑定'], unbind.command)
    .command(['我的邀请'], answers.list)
    .command(['同意', '接受'], answers.accept)
    .command(['允许'], answers.allow)
    .command(['拒绝'], answers.decline)
    .command(['续期'], renewal.request)
    .command(['确认登录'], logins.confirm)
    .command(['不是我', '不是我登录', '不是本人'], logins.disown)
    .command(['绑定运营者', '邀请运营者'], admin.invite)
    .command(['运营者列表'], admin.roster)
    .command(['解绑运营者'], admin.remove)
    .command(['撤销邀请'], admin.withdraw)
    .command(['重发邀请'], admin.resend)
    .command(['风险操作保护'], settings.protection)
    .command(['风险操作提醒'], settings.alerts)
    .command(['提醒设置', '风险操作提醒设置'], settings.alertSettings)
    .command(['操作记录'], settings.history)
    .command(['权限复核', '复核'], reviews.start)
    .command(['复核周期'], reviews.interval)
    .command(['保留'], reviews.keep)
    .command(['移除'], reviews.remove)
    .command(['全部保留'], reviews.keepAll)
}
