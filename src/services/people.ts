// The platform's side of the invitation rules: who a user is, their security settings, what they follow.
import { withoutUndefined } from '../domain/defined.js'
import type { NewUser } from '../fields.js'
import { isActive } from '../domain/roles.js'
import type { Account, Binding, User } from '../store/schema.js'
import type { ServiceContext } from './context.js'

export type { NewUser }

export type PeopleResult =
  | { ok: true, user: User }
  | { ok: false, problem: 'unknown-user' | 'unknown-account' | 'wechat-id-taken' | 'phone-taken' }

/** A user with the roles they hold now: the accounts they administer and their active operator bindings. */
export interface Standing {
  user: User
  administers: readonly Account[]
  operatorOf: Array<{ binding: Binding, account: Account }>
}

export class PeopleService {
  constructor (private readonly ctx: ServiceContext) {}

  async standing (wechatId: string): Promise<Standing | undefined> {
    const { engine } = this.ctx
    const user = await engine.userByWechatId(wechatId)
    if (!user) return undefined
    const now = this.ctx.now()
    const operatorOf: Standing['operatorOf'] = []
    for (const binding of await engine.bindingsOfUser(user.id)) {
      if (isActive(binding, now)) operatorOf.push({ binding, account: (await engine.account(binding.accountId))! })
    }
    return { user, administers: await engine.accountsAdministeredBy(user.id), operatorOf }
  }

  async register (input: NewUser): Promise<PeopleResult> {
    return this.ctx.engine.transaction(async (tx): Promise<PeopleResult> => {
      if (await tx.userByWechatId(input.wechatId)) return { ok: false, problem: 'wechat-id-taken' }
      if (input.phone && (await tx.usersWithPhone(input.phone)).length > 0) return { ok: false, problem: 'phone-taken' }
      const user: User = { id: tx.newId('u'), follows: [], ...withoutUndefined(input) }
      await tx.addUser(user)
      return { ok: true, user }
    })
  }

  /** Changes profile or security fields; a new WeChat ID must be free. */
  async update (wechatId: string, patch: Partial<Omit<NewUser, 'name'>> & { name?: string }): Promise<PeopleResult> {
    return this.ctx.engine.transaction(async (tx): Promise<PeopleResult> => {
      const user = await tx.userByWechatId(wechatId)
      if (!user) return { ok: false, problem: 'unknown-user' }
      const holder = patch.wechatId === undefined ? undefined : await tx.userByWechatId(patch.wechatId)
      if (holder && holder.id !== user.id) return { ok: false, problem: 'wechat-id-taken' }
      // Like WeChat itself: one mobile number, one WeChat account.
      if (patch.phone !== undefined && (await tx.usersWithPhone(patch.phone)).some((other) => other.id !== user.id)) return { ok: false, problem: 'phone-taken' }
      return { ok: true, user: await tx.updateUser(user.id, withoutUndefined(patch)) }
    })
  }

  async setFollowing (accountId: string, wechatId: string, follows: boolean): Promise<PeopleResult> {
    return this.ctx.engine.transaction(async (tx): Promise<PeopleResult> => {
      if (!await tx.account(accountId)) return { ok: false, problem: 'unknown-account' }
      const user = await tx.userByWechatId(wechatId)
      if (!user) return { ok: false, problem: 'unknown-user' }
      const others = user.follows.filter((id) => id !== accountId)
      return { ok: true, user: await tx.updateUser(user.id, { follows: follows ? [...others, accountId] : others }) }
    })
  }
}
