// The admin's switches (风险操作保护, 风险操作提醒) with a confirmation, and the 操作记录 view.
import { ALERT_TOPICS } from '../../domain/alerts.js'
import type { AlertMode, AlertTopic } from '../../domain/alerts.js'
import type { Services } from '../../services/index.js'
import { ALERT_TOPIC_TEXT, HISTORY_PAGE_SIZE, texts } from '../../texts.js'
import type { Setting } from '../../texts.js'
import type { Turn } from '../conversation.js'
import type { Account, User } from '../../store/schema.js'
import { confirmStep } from '../confirm.js'
import type { AccountScope } from './account-scope.js'

/** A Map: typed words are never looked up in a plain object (`constructor` would be found there). */
const SWITCH = new Map<string, boolean>([['开', true], ['关', false], ['开启', true], ['关闭', false], ['on', true], ['off', false]])

const COMMAND: Record<Setting, string> = { riskProtection: '风险操作保护', riskAlerts: '风险操作提醒' }

/** 风险操作提醒 <操作> <方式>: the words for each kind of operation (texts.ts's table, lower-cased) and each way of being told. */
const ALERT_TOPIC = new Map<string, AlertTopic>(ALERT_TOPICS.flatMap((topic) =>
  ALERT_TOPIC_TEXT[topic].words.map((word) => [word.toLowerCase(), topic] as const)))
const ALERT_MODE = new Map<string, AlertMode>([
  ['即时', 'immediate'], ['立即', 'immediate'], ['实时', 'immediate'], ['汇总', 'digest'], ['每日汇总', 'digest'],
  ['关', 'off'], ['关闭', 'off'], ['不提醒', 'off'],
])
const topicWord = (word: string | undefined): AlertTopic | undefined => word === undefined ? undefined : ALERT_TOPIC.get(word.toLowerCase())

export function settingsCommands (services: Pick<Services, 'accounts' | 'setSwitch' | 'setAlertMode'>, scope: AccountScope) {
  const { accounts } = services

  /** 开 or 关 is what to fix first, before asking which account. */
  const switchWord = (setting: Setting) => ([word]: string[]): string | undefined => word !== undefined && SWITCH.has(word) ? undefined : texts.settingsUsage(setting)

  const askToSwitch = (setting: Setting) => (turn: Turn, _admin: User, account: Account, [word]: string[]): string => {
    const on = SWITCH.get(word!)
    if (on === undefined) return texts.settingsUsage(setting)
    if (account[setting] === on) return texts.settingsUnchanged(setting, account.name, on)
    turn.setDialog({ step: 'settings.confirm', data: { accountId: account.id, setting, on } })
    return texts.settingsConfirm(setting, account.name, on)
  }

  /** 风险操作提醒 开|关 (the master switch), or 风险操作提醒 <操作> 即时|汇总|关 (one kind of operation, no confirmation needed). */
  const alertWords = ([first, second]: string[]): string | undefined => {
    const topic = topicWord(first)
    if (topic === undefined) return switchWord('riskAlerts')([first!])
    return second !== undefined && ALERT_MODE.has(second) ? undefined : texts.alertBadMode(topic)
  }
  const alerts = async (turn: Turn, admin: User, account: Account, args: string[]): Promise<string> => {
    const topic = topicWord(args[0])
    if (topic === undefined) return askToSwitch('riskAlerts')(turn, admin, account, args)
    const mode = ALERT_MODE.get(args[1] ?? '')
    if (mode === undefined) return texts.alertBadMode(topic)
    const result = await services.setAlertMode(admin, account, topic, mode)
    return result.kind === 'unchanged' ? texts.alertModeUnchanged(account.name, topic, mode) : texts.alertModeDone(account.name, topic, mode, result.alertsOn)
  }
  const alertSettings = (_turn: Turn, _admin: User, account: Account): string => texts.alertSettings(account.name, account.riskAlerts, account.alertModes)

  /** Newest first by when it happened (a sweep after downtime records expiries late), a page at a time. */
  const history = async (_turn: Turn, _admin: User, account: Account, [pageWord]: string[]): Promise<string> => {
    const cut = await accounts.historyPage(account, pageWord ? Number(pageWord) : 1, HISTORY_PAGE_SIZE)
    if (cut.kind === 'bad-page') return texts.historyBadPage(cut.pages)
    const nameOf = (userId: string | undefined): string => (userId && cut.actors.get(userId)?.name) || '系统'
    return texts.history(account.name, cut.entries, cut.page, cut.pages, nameOf)
  }

  return {
    protection: scope.define(COMMAND.riskProtection, { args: 1, usage: texts.settingsUsage('riskProtection'), check: switchWord('riskProtection'), run: askToSwitch('riskProtection') }),
    alerts: scope.define(COMMAND.riskAlerts, { args: (words) => topicWord(words[0]) ? 2 : 1, usage: texts.settingsUsage('riskAlerts'), check: alertWords, run: alerts }),
    alertSettings: scope.define('提醒设置', { args: 0, usage: '', run: alertSettings }),
    history: scope.define('操作记录', { args: 0, trailingNumber: true, usage: '', run: history }),

    confirm: confirmStep<'settings.confirm', { account: Account, setting: Setting, on: boolean }>({
      load: async ({ accountId, setting, on }) => ({ account: (await accounts.get(accountId))!, setting, on }),
      ask: ({ account, setting, on }) => texts.settingsConfirm(setting, account.name, on),
      allowed: (asker, { account }) => accounts.administers(asker, account),
      refused: ({ account, setting }) => texts.notAdminOf(account.name, COMMAND[setting]),
      run: async (asker, { account, setting, on }) => {
        await services.setSwitch(asker, account, setting, on)
        return texts.settingsDone(setting, account.name, on)
      },
    }),
  }
}
