// 风险操作保护 and 风险操作提醒 (the master switch, and how each kind of operation is told): an admin
// changes them; the account's history records who and when.
import { modeOf } from '../domain/alerts.js'
import type { AlertMode, AlertTopic } from '../domain/alerts.js'
import { toIso } from '../domain/calendar.js'
import type { Account, User } from '../store/schema.js'
import { requireAdmin } from './authority.js'
import type { ServiceContext } from './context.js'
import { record } from './history.js'

export type Switch = 'riskProtection' | 'riskAlerts'

export async function setSwitch (ctx: ServiceContext, admin: User, account: Account, setting: Switch, on: boolean): Promise<void> {
  await ctx.engine.transaction(async (tx) => {
    await requireAdmin(tx, admin, account)
    await tx.updateAccount(account.id, { [setting]: on })
    await record(tx, { accountId: account.id, at: toIso(ctx.now()), actorUserId: admin.id, event: { action: `settings.${setting}`, on } })
  })
}

export type AlertModeResult =
  /** `alertsOn`: 风险操作提醒 (the master switch) is on, so the choice takes effect now. */
  | { kind: 'set', alertsOn: boolean, previous: AlertMode }
  | { kind: 'unchanged', alertsOn: boolean }

/** 风险操作提醒 <操作> 汇总|即时|关: how the admin is told of one kind of operation. */
export async function setAlertMode (ctx: ServiceContext, admin: User, account: Account, topic: AlertTopic, mode: AlertMode): Promise<AlertModeResult> {
  return ctx.engine.transaction(async (tx) => {
    await requireAdmin(tx, admin, account)
    const current = (await tx.account(account.id))!
    const previous = modeOf(current.alertModes, topic)
    if (previous === mode) return { kind: 'unchanged', alertsOn: current.riskAlerts }
    await tx.updateAccount(account.id, { alertModes: { ...current.alertModes, [topic]: mode } })
    await record(tx, { accountId: account.id, at: toIso(ctx.now()), actorUserId: admin.id, event: { action: 'settings.alertMode', topic, mode } })
    return { kind: 'set', alertsOn: current.riskAlerts, previous }
  })
}
