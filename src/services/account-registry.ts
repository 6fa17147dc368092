// The platform creating, renaming and handing over official accounts. Every rule is checked inside the
// transaction that makes the change, so a refusal changes nothing; every change is in the account's
// history and told to the admins concerned.
import { toIso } from '../domain/calendar.js'
import { accountNameProblem, adminRefusals, NEW_ACCOUNT_SWITCHES, normaliseAccountName } from '../domain/accounts.js'
import type { AdminRefusal } from '../domain/accounts.js'
import type { StoreTransaction } from '../store/contract.js'
import type { Account, User } from '../store/schema.js'
import { quotableId } from './codes.js'
import type { ServiceContext } from './context.js'
import { handOver } from './handover.js'
import type { Handover } from './handover.js'
import { record } from './history.js'
import { notify } from './notices.js'

export interface NewAccount {
  name: string
  adminWechatId: string
  /** 风险操作保护, off unless asked for. */
  riskProtection?: boolean | undefined
  /** 风险操作提醒, on unless asked otherwise. */
  riskAlerts?: boolean | undefined
}

export interface AccountChange {
  name?: string | undefined
  adminWechatId?: string | undefined
}

export type RegistryRefusal =
  | { kind: 'unknown-account' }
  /** No user has the WeChat ID named as admin. */
  | { kind: 'unknown-admin' }
  | { kind: 'bad-name' }
  /** Official account names are unique: `holder` already has this one. */
  | { kind: 'name-taken', holder: Account }
  | { kind: 'admin-refused', admin: User, refusals: AdminRefusal[] }

/** What a change did; absent parts did not change (a name or admin named as it already was changes nothing). */
export interface Changes {
  renamed?: { from: string, to: string }
  admin?: Handover & { from: User, to: User }
}

export type CreateResult = RegistryRefusal | { kind: 'created', account: Account }
export type ChangeResult = RegistryRefusal | { kind: 'changed', account: Account, changes: Changes }

export class AccountRegistry {
  constructor (private readonly ctx: ServiceContext) {}

  async create (input: NewAccount): Promise<CreateResult> {
    const now = this.ctx.now()
    const at = toIso(now)
    const result = await this.ctx.engine.transaction(async (tx): Promise<CreateResult> => {
      const name = await freeName(tx, input.name, undefined)
      if (typeof name !== 'string') return name
      const admin = await eligibleAdmin(tx, input.adminWechatId)
      if (admin.kind !== 'eligible') return admin
      const account: Account = {
        id: quotableId(tx, 'acc'),
        name,
        adminUserId: admin.user.id,
        riskProtection: input.riskProtection ?? NEW_ACCOUNT_SWITCHES.riskProtection,
        riskAlerts: input.riskAlerts ?? NEW_ACCOUNT_SWITCHES.riskAlerts,
      }
      await tx.addAccount(account)
      await record(tx, { accountId: account.id, at, event: { action: 'account.created', name, adminWechatId: admin.user.wechatId } })
      await notify(tx, { to: admin.user.id, notice: { kind: 'admin-assigned', accountName: name, previousAdmin: undefined, endedRole: undefined, waiting: 0 }, at, accountId: account.id })
      return { kind: 'created', account }
    })
    if (result.kind === 'created') this.ctx.deliver()
    return result
  }

  /** A new name, a new admin, or both, together or not at all. */
  async change (accountId: string, change: AccountChange): Promise<ChangeResult> {
    const now = this.ctx.now()
    const at = toIso(now)
    const result = await this.ctx.engine.transaction(async (tx): Promise<ChangeResult> => {
      const account = await tx.account(accountId)
      if (!account) return { kind: 'unknown-account' }
      const name = change.name === undefined ? account.name : await freeName(tx, change.name, account)
      if (typeof name !== 'string') return name
      const from = (await tx.user(account.adminUserId))!
      const admin = change.adminWechatId === undefined ? { kind: 'current' as const } : await eligibleAdmin(tx, change.adminWechatId, from)
      if (admin.kind !== 'eligible' && admin.kind !== 'current') return admin
      const to = admin.kind === 'eligible' ? admin.user : undefined
      const changes: Changes = {}
      // Read before the writes: an engine may hand out its live record, which the writes change.
      const formerName = account.name
      if (name !== formerName) {
        await tx.updateAccount(account.id, { name })
        await record(tx, { accountId: account.id, at, event: { action: 'account.renamed', from: formerName, to: name } })
        // A new admin hears of the account under its new name instead.
        if (!to) await notify(tx, { to: from.id, notice: { kind: 'account-renamed', from: formerName, to: name, at: now }, at, accountId: account.id })
        changes.renamed = { from: formerName, to: name }
      }
      if (to) changes.admin = { ...await handOver(tx, (await tx.account(account.id))!, from, to, formerName, now), from, to }
      return { kind: 'changed', account: (await tx.account(account.id))!, changes }
    })
    if (result.kind === 'changed' && (result.changes.renamed || result.changes.admin)) this.ctx.deliver()
    return result
  }
}

/** The name as it is kept, if it is a valid name no other account has. */
async function freeName (tx: StoreTransaction, given: string, renaming: Account | undefined): Promise<string | RegistryRefusal> {
  const name = normaliseAccountName(given)
  if (accountNameProblem(name)) return { kind: 'bad-name' }
  const holder = await tx.accountNamed(name)
  return holder && holder.id !== renaming?.id ? { kind: 'name-taken', holder } : name
}

type Eligible = { kind: 'eligible', user: User }

/** The user named as admin, if they may be one; `current` when they already are (that changes nothing, qualified or not). */
async function eligibleAdmin (tx: StoreTransaction, wechatId: string): Promise<RegistryRefusal | Eligible>
async function eligibleAdmin (tx: StoreTransaction, wechatId: string, current: User): Promise<RegistryRefusal | Eligible | { kind: 'current' }>
async function eligibleAdmin (tx: StoreTransaction, wechatId: string, current?: User): Promise<RegistryRefusal | Eligible | { kind: 'current' }> {
  const user = await tx.userByWechatId(wechatId)
  if (!user) return { kind: 'unknown-admin' }
  if (user.id === current?.id) return { kind: 'current' }
  const refusals = adminRefusals(user)
  return refusals.length > 0 ? { kind: 'admin-refused', admin: user, refusals } : { kind: 'eligible', user }
}
