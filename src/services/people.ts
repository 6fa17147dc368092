// The platform's side of the invitation rules: who a user is, their security settings, what they follow.
import type { User } from '../store/schema.js'
import type { ServiceContext } from './context.js'

export interface NewUser {
  name: string
  wechatId: string
  phone?: string | undefined
  idNumber?: string | undefined
  accountProtection: boolean
  bankCard: boolean
}

export type PeopleResult =
  | { ok: true, user: User }
  | { ok: false, problem: 'unknown-user' | 'unknown-account' | 'wechat-id-taken' | 'phone-taken' }

export class PeopleService {
  constructor (private readonly ctx: ServiceContext) {}

  async register (input: NewUser): Promise<PeopleResult> {
    const { store } = this.ctx
    if (store.userByWechatId(input.wechatId)) return { ok: false, problem: 'wechat-id-taken' }
    if (input.phone && store.usersWithPhone(input.phone).length > 0) return { ok: false, problem: 'phone-taken' }
    const user: User = { id: '', follows: [], ...withoutUndefined(input) }
    await store.change((tx) => {
      user.id = tx.newId('u')
      tx.addUser(user)
    })
    return { ok: true, user }
  }

  /** Changes profile or security fields; a new WeChat ID must be free. */
  async update (wechatId: string, patch: Partial<Omit<NewUser, 'name'>> & { name?: string }): Promise<PeopleResult> {
    const { store } = this.ctx
    const user = store.userByWechatId(wechatId)
    if (!user) return { ok: false, problem: 'unknown-user' }
    if (patch.wechatId !== undefined && store.userByWechatId(patch.wechatId) && store.userByWechatId(patch.wechatId) !== user) {
      return { ok: false, problem: 'wechat-id-taken' }
    }
    // Like WeChat itself: one mobile number, one WeChat account.
    if (patch.phone !== undefined && store.usersWithPhone(patch.phone).some((other) => other !== user)) return { ok: false, problem: 'phone-taken' }
    await store.change((tx) => tx.updateUser(user.id, withoutUndefined(patch)))
    return { ok: true, user }
  }

  async setFollowing (accountId: string, wechatId: string, follows: boolean): Promise<PeopleResult> {
    const { store } = this.ctx
    if (!store.account(accountId)) return { ok: false, problem: 'unknown-account' }
    const user = store.userByWechatId(wechatId)
    if (!user) return { ok: false, problem: 'unknown-user' }
    const others = user.follows.filter((id) => id !== accountId)
    await store.change((tx) => tx.updateUser(user.id, { follows: follows ? [...others, accountId] : others }))
    return { ok: true, user }
  }
}

function withoutUndefined<T extends object> (value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> }
}
