// Self-unbind: an operator ends their own binding; the account's admin is told.
import { toIso } from '../domain/calendar.js'
import { isActive } from '../domain/roles.js'
import type { OperatorRole } from '../domain/roles.js'
import type { Millis } from '../domain/calendar.js'
import type { StoreReader } from '../store/contract.js'
import type { Account, Binding, User } from '../store/schema.js'
import { notify } from './notices.js'
import { record } from './history.js'
import type { ServiceContext } from './context.js'
import { peopleOf } from './lookup.js'
import { endBinding } from './requests.js'

export type UnbindResult =
  | { ok: true, accountName: string, role: OperatorRole, at: number }
  | { ok: false, reason: 'not-found' | 'not-yours' }
  | { ok: false, reason: 'already-ended', accountName: string, role: OperatorRole }

export async function unbindSelf (ctx: ServiceContext, asker: User, bindingId: string): Promise<UnbindResult> {
  const now = ctx.now()
  // Checked first without a transaction (a refusal writes nothing), then again inside the one that ends it.
  const refused = await refusal(ctx.engine, asker, bindingId, now)
  if (refused) return refused
  const done = await ctx.engine.transaction(async (tx): Promise<UnbindResult | { ok: true, binding: Binding, account: Account }> => {
    const again = await refusal(tx, asker, bindingId, now)
    if (again) return again
    const binding = (await tx.binding(bindingId))!
    const account = (await tx.account(binding.accountId))!
    const operator = (await tx.user(binding.userId))!
    await endBinding(tx, binding, 'unbound', asker, now)
    await record(tx, { accountId: account.id, at: toIso(now), actorUserId: asker.id, event: { action: 'binding.ended', wechatId: operator.wechatId, role: binding.role } })
    // Unbinding from another WeChat account of the same person: that account and the admin hear who did it.
    const by = operator.id === asker.id ? undefined : asker.wechatId
    await notify(tx, {
      to: account.adminUserId,
      notice: { kind: 'operator-unbound', operatorName: operator.name, wechatId: operator.wechatId, accountName: account.name, role: binding.role, at: now, by },
      at: toIso(now),
      accountId: account.id,
    })
    if (by) await notify(tx, { to: operator.id, notice: { kind: 'unbound-by-other-account', accountName: account.name, role: binding.role, by, at: now }, at: toIso(now), accountId: account.id })
    return { ok: true, binding, account }
  })
  if (!('binding' in done)) return done
  const { binding, account } = done
  ctx.log.info(`binding ${binding.id} on ${account.id} unbound by ${asker.id}`)
  ctx.deliver()
  return { ok: true, accountName: account.name, role: binding.role, at: now }
}

/** Why `asker` may not give up the binding now, or undefined when they may. */
async function refusal (reader: StoreReader, asker: User, bindingId: string, now: Millis): Promise<UnbindResult | undefined> {
  const binding = await reader.binding(bindingId)
  if (!binding) return { ok: false, reason: 'not-found' }
  // The asker as they are now (their ID number decides whose roles they may end), not as first read.
  const current = await reader.user(asker.id) ?? asker
  if (!(await peopleOf(reader, current)).some((person) => person.id === binding.userId)) return { ok: false, reason: 'not-yours' }
  const account = (await reader.account(binding.accountId))!
  if (!isActive(binding, now)) return { ok: false, reason: 'already-ended', accountName: account.name, role: binding.role }
  return undefined
}
