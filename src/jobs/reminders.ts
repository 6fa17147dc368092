// Reminders before a short-term binding expires (3 days and 1 day): to the operator and the admin,
// each once, remembered in the data file so a restart does not repeat them.
import { days, fromIso, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { dueReminder, isActive, REMINDER_DAYS } from '../domain/roles.js'
import type { ServiceContext } from '../services/context.js'
import { notify } from '../services/notices.js'

export async function runReminders (deps: ServiceContext, now: Millis): Promise<number> {
  const { store } = deps
  // Only bindings expiring within the earliest reminder's reach can be due: found by time, not by a scan.
  const due = store.shortTermExpiringBy(now + days(Math.max(...REMINDER_DAYS)))
    .filter((b) => isActive(b, now))
    .map((binding) => ({ binding, reminder: dueReminder(fromIso(binding.expiresAt!), binding.remindersSent ?? [], now) }))
    .filter((d) => d.reminder !== undefined)
  if (due.length === 0) return 0
  await store.change((tx) => {
    const at = toIso(now)
    for (const { binding, reminder } of due) {
      const account = store.account(binding.accountId)!
      const operator = store.user(binding.userId)!
      const expiresAt = fromIso(binding.expiresAt!)
      tx.updateBinding(binding.id, { remindersSent: reminder!.markSent })
      const about = { id: binding.id, topic: 'reminder' as const }
      notify(tx, { to: operator.id, notice: { kind: 'reminder', accountName: account.name, expiresAt, daysLeft: reminder!.send }, at, accountId: account.id, about })
      notify(tx, { to: account.adminUserId, notice: { kind: 'reminder-admin', operator, accountName: account.name, expiresAt, daysLeft: reminder!.send }, at, accountId: account.id, about })
    }
  })
  deps.deliver()
  return due.length
}
