// Self-unbind: an operator ends their own binding; the account's admin is told.
import { toIso } from '../domain/calendar.js'
import { isActive } from '../domain/roles.js'
import type { OperatorRole } from '../domain/roles.js'
import type { User } from '../store/schema.js'
import { notify } from './notices.js'
import { record } from './history.js'
import type { ServiceContext } from './context.js'
import { peopleOf } from './lookup.js'
import { closeRequestsOf } from './requests.js'

export type UnbindResult =
  | { ok: true, accountName: string, role: OperatorRole, at: number }
  | { ok: false, reason: 'not-found' | 'not-yours' }
  | { ok: false, reason: 'already-ended', accountName: string, role: OperatorRole }

export async function unbindSelf (ctx: ServiceContext, asker: User, bindingId: string): Promise<UnbindResult> {
  const { store } = ctx
  const now = ctx.now()
  const binding = store.binding(bindingId)
  if (!binding) return { ok: false, reason: 'not-found' }
  if (!peopleOf(store, asker).some((person) => person.id === binding.userId)) return { ok: false, reason: 'not-yours' }
  const account = store.account(binding.accountId)!
  if (!isActive(binding, now)) return { ok: false, reason: 'already-ended', accountName: account.name, role: binding.role }
  const operator = store.user(binding.userId)!
  await store.change((tx) => {
    tx.updateBinding(binding.id, { endedAt: toIso(now), endReason: 'unbound', endedBy: asker.id })
    tx.withdraw(binding.id, ['reminder'], toIso(now)) // a reminder to renew a role just given up is wrong
    closeRequestsOf(tx, store, binding, 'unbound', now, toIso(now))
    record(tx, { accountId: account.id, at: toIso(now), actorUserId: asker.id, event: { action: 'binding.ended', wechatId: operator.wechatId, role: binding.role } })
    // Unbinding from another WeChat account of the same person: that account and the admin hear who did it.
    const by = operator.id === asker.id ? undefined : asker.wechatId
    notify(tx, {
      to: account.adminUserId,
      notice: { kind: 'operator-unbound', operatorName: operator.name, wechatId: operator.wechatId, accountName: account.name, role: binding.role, at: now, by },
      at: toIso(now),
      accountId: account.id,
    })
    if (by) notify(tx, { to: operator.id, notice: { kind: 'unbound-by-other-account', accountName: account.name, role: binding.role, by, at: now }, at: toIso(now), accountId: account.id })
  })
  ctx.log.info(`binding ${binding.id} on ${account.id} unbound by ${asker.id}`)
  ctx.deliver()
  return { ok: true, accountName: account.name, role: binding.role, at: now }
}
