// 风险操作保护 and 风险操作提醒: an admin switches them; the account's history records who and when.
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
