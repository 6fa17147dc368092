// Reminders before a short-term binding expires (3 days and 1 day): to the operator and the admin,
// each once, remembered in the data file so a restart does not repeat them.
import { days, fromIso, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { dueReminder, isActive, REMINDER_DAYS } from '../domain/roles.js'
import type { ServiceContext } from '../services/context.js'
import type { StoreReader } from '../store/contract.js'
import type { Binding } from '../store/schema.js'
import { notify } from '../services/notices.js'

export async function runReminders (deps: ServiceContext, now: Millis): Promise<number> {
  const { engine } = deps
  // Looked for first without a transaction (nothing due is no write), then again inside the one that sends them.
  if ((await dueAt(engine, now)).length === 0) return 0
  const sent = await engine.transaction(async (tx) => {
    const due = await dueAt(tx, now)
    const at = toIso(now)
    for (const { binding, reminder } of due) {
      const account = (await tx.account(binding.accountId))!
      const operator = (await tx.user(binding.userId))!
      const expiresAt = fromIso(binding.expiresAt!)
      await tx.updateBinding(binding.id, { remindersSent: reminder.markSent })
      const about = { id: binding.id, topic: 'reminder' as const }
      await notify(tx, { to: operator.id, notice: { kind: 'reminder', accountName: account.name, expiresAt, daysLeft: reminder.send }, at, accountId: account.id, about })
      await notify(tx, { to: account.adminUserId, notice: { kind: 'reminder-admin', operator, accountName: account.name, expiresAt, daysLeft: reminder.send }, at, accountId: account.id, about })
    }
    return due.length
  })
  deps.deliver()
  return sent
}

/** Only bindings expiring within the earliest reminder's reach can be due: found by time, not by a scan. */
async function dueAt (reader: StoreReader, now: Millis): Promise<Array<{ binding: Binding, reminder: NonNullable<ReturnType<typeof dueReminder>> }>> {
  return (await reader.shortTermExpiringBy(now + days(Math.max(...REMINDER_DAYS))))
    .filter((b) => isActive(b, now))
    .flatMap((binding) => {
      const reminder = dueReminder(fromIso(binding.expiresAt!), binding.remindersSent ?? [], now)
      return reminder === undefined ? [] : [{ binding, reminder }]
    })
}
