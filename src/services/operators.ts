// An account's operators as its admin sees them, and the admin removing one.
import { fromIso, hours, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { invitationStatus } from '../domain/invitation-rules.js'
import type { InvitationStatus } from '../domain/invitation-rules.js'
import { isActive, SLOT_LIMIT } from '../domain/roles.js'
import type { OperatorRole } from '../domain/roles.js'
import type { StoreReader, StoreTransaction } from '../store/contract.js'
import type { Account, Binding, Invitation, User } from '../store/schema.js'
import { notify } from './notices.js'
import { record } from './history.js'
import { requireAdmin } from './authority.js'
import type { ServiceContext } from './context.js'
import { endBinding } from './requests.js'

/** Closed invitations stay on the list for a week so the admin sees how they ended. */
const SHOW_CLOSED_FOR = hours(24 * 7)

export type Reach = 'delivered' | 'queued' | 'undeliverable'

export interface RosterInvitation {
  invitation: Invitation
  invitee: User
  status: InvitationStatus
  /** Whether the latest push of a pending invitation reached the invitee. */
  reach: Reach
  reachError: string | undefined
}

export interface Roster {
  account: Account
  admin: User
  operators: Record<OperatorRole, Array<{ binding: Binding, user: User }>>
  invitations: RosterInvitation[]
  /** Active bindings plus pending invitations, against the limits. */
  used: Record<OperatorRole, number>
  limits: Record<OperatorRole, number>
}

export type OperatorLookup =
  | { kind: 'unknown-user' }
  | { kind: 'not-bound', user: User }
  | { kind: 'found', user: User, binding: Binding }

export type RemoveResult = Exclude<OperatorLookup, { kind: 'found' }> | { kind: 'removed', user: User, binding: Binding }

export async function rosterOf (ctx: ServiceContext, account: Account): Promise<Roster> {
  const { engine } = ctx
  const now = ctx.now()
  const operators: Roster['operators'] = { long: [], short: [] }
  for (const binding of await engine.bindingsOfAccount(account.id)) {
    if (isActive(binding, now)) operators[binding.role].push({ binding, user: (await engine.user(binding.userId))! })
  }
  const described: RosterInvitation[] = []
  for (const invitation of await engine.invitationsOfAccount(account.id)) described.push(await describeInvitation(engine, invitation, now))
  const invitations = described
    .filter((i) => i.status === 'pending' || fromIso(i.invitation.answeredAt ?? i.invitation.expiresAt) > now - SHOW_CLOSED_FOR)
  const pending = (role: OperatorRole): number => invitations.filter((i) => i.status === 'pending' && i.invitation.role === role).length
  return {
    account,
    admin: (await engine.user(account.adminUserId))!,
    operators,
    invitations,
    used: { long: operators.long.length + pending('long'), short: operators.short.length + pending('short') },
    limits: SLOT_LIMIT,
  }
}

/** An invitation with its state by the clock and whether its latest push reached the invitee. */
export async function describeInvitation (reader: StoreReader, invitation: Invitation, now: Millis): Promise<RosterInvitation> {
  const message = (await reader.messagesAbout(invitation.id)).filter((m) => m.topic === 'invitation').at(-1)
  const reach: Reach = message?.sentAt ? 'delivered' : message && message.attempts > 0 ? 'undeliverable' : 'queued'
  return {
    invitation,
    invitee: (await reader.user(invitation.inviteeUserId))!,
    status: invitationStatus(invitation, now),
    reach,
    reachError: message?.lastError,
  }
}

/** The active binding `wechatId` holds on the account, for the admin's confirmation. */
export async function findOperator (ctx: ServiceContext, account: Account, wechatId: string): Promise<OperatorLookup> {
  const user = await ctx.engine.userByWechatId(wechatId)
  if (!user) return { kind: 'unknown-user' }
  const now = ctx.now()
  const binding = (await ctx.engine.bindingsOfUser(user.id)).find((b) => b.accountId === account.id && isActive(b, now))
  return binding ? { kind: 'found', user, binding } : { kind: 'not-bound', user }
}

export async function removeOperator (ctx: ServiceContext, admin: User, account: Account, bindingId: string): Promise<RemoveResult> {
  await requireAdmin(ctx.engine, admin, account)
  const now = ctx.now()
  // Checked first without a transaction (a refusal writes nothing), then again inside the one that ends it.
  const early = await standing(ctx.engine, account, bindingId, now)
  if (early.kind !== 'removable') return early
  const result = await ctx.engine.transaction(async (tx): Promise<RemoveResult> => {
    await requireAdmin(tx, admin, account)
    const found = await standing(tx, account, bindingId, now)
    if (found.kind !== 'removable') return found
    const { binding, user } = found
    await removeInTransaction(tx, admin, account, binding, user, now)
    return { kind: 'removed', user, binding }
  })
  if (result.kind === 'removed') ctx.deliver()
  return result
}

/**
 * The admin removing an operator, inside the transaction that decided it (解绑运营者, an access review):
 * the binding ends (its open requests close), the operator is told, the history records it.
 */
export async function removeInTransaction (tx: StoreTransaction, admin: User, account: Account, binding: Binding, user: User, now: Millis): Promise<void> {
  await endBinding(tx, binding, 'removed', admin, now)
  await notify(tx, { to: user.id, notice: { kind: 'operator-removed', accountName: account.name, role: binding.role, adminName: admin.name, at: now }, at: toIso(now), accountId: account.id })
  await record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: 'binding.removed', wechatId: user.wechatId, role: binding.role } })
}

/** Whether the binding is one the admin can remove from the account now. */
async function standing (reader: StoreReader, account: Account, bindingId: string, now: Millis): Promise<Exclude<OperatorLookup, { kind: 'found' }> | { kind: 'removable', user: User, binding: Binding }> {
  const binding = await reader.binding(bindingId)
  const user = binding && await reader.user(binding.userId)
  if (!binding || !user) return { kind: 'unknown-user' }
  if (binding.accountId !== account.id || !isActive(binding, now)) return { kind: 'not-bound', user }
  return { kind: 'removable', user, binding }
}
