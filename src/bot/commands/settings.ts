// The admin's switches (风险操作保护, 风险操作提醒) with a confirmation, and the 操作记录 view.
import type { ServiceContext } from '../../services/context.js'
import { setSwitch } from '../../services/settings.js'
import { HISTORY_PAGE_SIZE, texts } from '../../texts.js'
import type { Setting } from '../../texts.js'
import type { Turn } from '../conversation.js'
import type { Account, User } from '../../store/schema.js'
import type { AccountScope } from './account-scope.js'

/** A Map: typed words are never looked up in a plain object (`constructor` would be found there). */
const SWITCH = new Map<string, boolean>([['开', true], ['关', false], ['开启', true], ['关闭', false], ['on', true], ['off', false]])

export function settingsCommands (services: ServiceContext, scope: AccountScope) {
  const { store } = services

  /** 开 or 关 is what to fix first, before asking which account. */
  const switchWord = (setting: Setting) => ([word]: string[]): string | undefined => word !== undefined && SWITCH.has(word) ? undefined : texts.settingsUsage(setting)

  const askToSwitch = (setting: Setting) => (turn: Turn, _admin: User, account: Account, [word]: string[]): string => {
    const on = SWITCH.get(word!)
    if (on === undefined) return texts.settingsUsage(setting)
    if (account[setting] === on) return texts.settingsUnchanged(setting, account.name, on)
    turn.setDialog({ step: 'settings.confirm', data: { accountId: account.id, setting, on } })
    return texts.settingsConfirm(setting, account.name, on)
  }

  /** Newest first by when it happened (a sweep after downtime records expiries late), a page at a time. */
  const history = (_turn: Turn, _admin: User, account: Account, [pageWord]: string[]): string => {
    const all = store.historyOf(account.id) // oldest first by time: a page is cut from the end
    const pages = Math.max(1, Math.ceil(all.length / HISTORY_PAGE_SIZE))
    const page = pageWord ? Number(pageWord) : 1
    if (!Number.isSafeInteger(page) || page < 1 || page > pages) return texts.historyBadPage(pages)
    const end = all.length - (page - 1) * HISTORY_PAGE_SIZE
    const entries = all.slice(Math.max(0, end - HISTORY_PAGE_SIZE), end).reverse()
    const nameOf = (userId: string | undefined): string => (userId && store.user(userId)?.name) || '系统'
    return texts.history(account.name, entries, page, pages, nameOf)
  }

  return {
    protection: scope.define('风险操作保护', { args: 1, usage: texts.settingsUsage('riskProtection'), check: switchWord('riskProtection'), run: askToSwitch('riskProtection') }),
    alerts: scope.define('风险操作提醒', { args: 1, usage: texts.settingsUsage('riskAlerts'), check: switchWord('riskAlerts'), run: askToSwitch('riskAlerts') }),
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

