// An import file's statements into the stored state, in ONE transaction: what the rows name is read,
// the plan is made on it (import/plan.ts, pure), and only a plan without a single rejected row is
// carried out, all of it or (a throw, or a change the engine refuses) none of it. No pushes: the
// bindings exist already on the platform; each account's history records what was imported.
import { toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { withoutUndefined } from '../domain/defined.js'
import { wechatIdKey } from '../domain/identity.js'
import type { Reading } from '../import/model.js'
import { planImport } from '../import/plan.js'
import type { Plan } from '../import/plan.js'
import { keysOf } from '../import/stored.js'
import type { Stored, StoredAccount, StoredKeys, StoredPerson } from '../import/stored.js'
import type { StoreEngine, StoreReader, StoreTransaction } from '../store/contract.js'
import type { User } from '../store/schema.js'
import { record } from './history.js'

/** Plans the import on the stored state and, unless `dryRun` or a row is rejected, carries it out. */
export async function importReading (engine: StoreEngine, reading: Reading, now: Millis, options: { dryRun: boolean }): Promise<Plan> {
  return engine.transaction(async (tx) => {
    const stored = await readStored(tx, keysOf(reading.statements))
    const plan = planImport(reading, stored, now)
    if (!options.dryRun && plan.rejections.length === 0) await carryOut(tx, plan, stored)
    return plan
  })
}

/** The people, mobile numbers and accounts the file names, as stored, with their bindings and invitations. */
export async function readStored (reader: StoreReader, keys: StoredKeys): Promise<Stored> {
  const people = new Map<string, StoredPerson>()
  for (const wechatId of keys.wechatIds) {
    const user = await reader.userByWechatId(wechatId)
    if (user) people.set(wechatIdKey(wechatId), { user, bindings: await reader.bindingsOfUser(user.id), invitations: await reader.invitationsOfUser(user.id) })
  }
  const phones = new Map<string, readonly User[]>()
  for (const phone of keys.phones) phones.set(phone, await reader.usersWithPhone(phone))
  const accounts = new Map<string, StoredAccount>()
  for (const accountId of keys.accountIds) {
    const account = await reader.account(accountId)
    if (!account) continue
    const admin = await reader.user(account.adminUserId)
    accounts.set(accountId, {
      account,
      adminWechatId: admin?.wechatId ?? '',
      bindings: await reader.bindingsOfAccount(accountId),
      invitations: await reader.invitationsOfAccount(accountId),
    })
  }
  const accountNames = new Map<string, string>()
  for (const name of keys.accountNames) {
    const holder = await reader.accountNamed(name)
    if (holder) accountNames.set(name, holder.id)
  }
  return { people, phones, accounts, accountNames }
}

/**
 * The plan's additions, in the order the references need them (PostgreSQL checks each at once):
 * people, then accounts (their admins exist), then follows and bindings (both ends exist).
 */
async function carryOut (tx: StoreTransaction, plan: Plan, stored: Stored): Promise<void> {
  const at = toIso(plan.now)
  const userIds = new Map<string, string>([...stored.people].map(([key, p]) => [key, p.user.id]))
  const followsBefore = new Map<string, readonly string[]>([...stored.people.values()].map((p) => [p.user.id, p.user.follows]))
  const userId = (wechatId: string): string => userIds.get(wechatIdKey(wechatId))!
  for (const { person } of plan.people.filter((p) => p.state === 'new')) {
    const id = tx.newId('u')
    await tx.addUser({ id, ...withoutUndefined(person), follows: [] })
    userIds.set(wechatIdKey(person.wechatId), id)
  }
  for (const account of plan.accounts.filter((a) => a.state === 'new')) {
    const { accountId: id, name, riskProtection, riskAlerts, adminWechatId } = account
    await tx.addAccount({ id, name, adminUserId: userId(adminWechatId), riskProtection, riskAlerts })
    await record(tx, { accountId: id, at, event: { action: 'account.imported', adminWechatId } })
  }
  const newFollows = new Map<string, string[]>()
  for (const follow of plan.follows.filter((f) => f.state === 'new')) {
    const id = userId(follow.wechatId)
    newFollows.set(id, [...newFollows.get(id) ?? [], follow.accountId])
  }
  for (const [id, accountIds] of newFollows) {
    await tx.updateUser(id, { follows: [...followsBefore.get(id) ?? [], ...accountIds] })
  }
  for (const binding of plan.bindings.filter((b) => b.state === 'new')) {
    await tx.addBinding({
      id: tx.newId('b'),
      accountId: binding.accountId,
      userId: userId(binding.wechatId),
      role: binding.role,
      boundAt: toIso(binding.boundAt),
      ...(binding.expiresAt === undefined ? {} : { expiresAt: toIso(binding.expiresAt) }),
    })
    await record(tx, { accountId: binding.accountId, at, event: { action: 'binding.imported', wechatId: binding.wechatId, role: binding.role } })
  }
}
