// The admin's switches (风险操作保护, 风险操作提醒) with a confirmation, and the 操作记录 view.
import type { ServiceContext } from '../../services/context.js'
import { setSwitch } from '../../services/settings.js'
import { HISTORY_PAGE_SIZE, texts } from '../../texts.js'
import type { Setting } from '../../texts.js'
import type { Turn } from '../conversation.js'
import type { Account, User } from '../../store/schema.js'
import type { AccountScope } from './account-scope.js'

const SWITCH: Record<string, boolean> = { 开: true, 关: false, 开启: true, 关闭: false, on: true, off: false }

export function settingsCommands (services: ServiceContext, scope: AccountScope) {
  const { store } = services

  const askToSwitch = (setting: Setting) => (turn: Turn, _admin: User, account: Account, [word]: string[]): string => {
    const on = SWITCH[word!]
    if (on === undefined) return texts.settingsUsage(setting)
    if (account[setting] === on) return texts.settingsUnchanged(setting, account.name, on)
    turn.setDialog({ step: 'settings.confirm', data: { accountId: account.id, setting, on } })
    return texts.settingsConfirm(setting, account.name, on)
  }

  /** Newest first, a page at a time; a trailing number picks the page. */
  const history = (_turn: Turn, _admin: User, account: Account, [pageWord]: string[]): string => {
    const entries = [...store.historyOf(account.id)].reverse()
    const pages = Math.max(1, Math.ceil(entries.length / HISTORY_PAGE_SIZE))
    const page = pageWord ? Number(pageWord) : 1
    if (page < 1 || page > pages) return texts.historyBadPage(page, pages)
    const nameOf = (userId: string | undefined): string => (userId && store.user(userId)?.name) || '系统'
    return texts.history(account.name, entries.slice((page - 1) * HISTORY_PAGE_SIZE, page * HISTORY_PAGE_SIZE), page, pages, nameOf)
  }

  return {
    protection: scope.define('风险操作保护', { args: 1, usage: texts.settingsUsage('riskProtection'), run: askToSwitch('riskProtection') }),
    alerts: scope.define('风险操作提醒', { args: 1, usage: texts.settingsUsage('riskAlerts'), run: askToSwitch('riskAlerts') }),
    history: scope.define('操作记录', { args: 0, trailingNumber: true, usage: '', run: history }),

    confirm: async (turn: Turn & { dialog: { step: 'settings.confirm', data: { accountId: string, setting: Setting, on: boolean } } }): Promise<string> => {
      const { accountId, setting, on } = turn.dialog.data
      const account = store.account(accountId)!
      if (turn.text !== '确认') return texts.settingsConfirm(setting, account.name, on)
      turn.endDialog()
      if (!turn.asker || account.adminUserId !== turn.asker.id) return texts.notAdminOf(account.name, setting === 'riskProtection' ? '风险操作保护' : '风险操作提醒')
      await setSwitch(services, turn.asker, account, setting, on)
      return texts.settingsDone(setting, account.name, on)
    },
  }
}
