// The part of the stored state an import is checked against: the people, mobile numbers and accounts
// its rows name, with their bindings and invitations. Read once inside the import's transaction
// (services/import.ts), then the plan is a pure function of it. Pure.
import { wechatIdKey } from '../domain/identity.js'
import type { Account, Binding, Invitation, User } from '../store/schema.js'
import type { Statement } from './model.js'

export interface StoredPerson {
  user: User
  bindings: readonly Binding[]
  invitations: readonly Invitation[]
}

export interface StoredAccount {
  account: Account
  adminWechatId: string
  bindings: readonly Binding[]
  invitations: readonly Invitation[]
}

export interface Stored {
  /** By wechatIdKey: WeChat IDs are not case-sensitive. */
  people: ReadonlyMap<string, StoredPerson>
  /** Every stored user holding each mobile number the file names. */
  phones: ReadonlyMap<string, readonly User[]>
  accounts: ReadonlyMap<string, StoredAccount>
  /** The stored account holding each account name the file gives, by that name. */
  accountNames: ReadonlyMap<string, string>
}

/** A data file that does not exist yet. */
export const NOTHING_STORED: Stored = { people: new Map(), phones: new Map(), accounts: new Map(), accountNames: new Map() }

export interface StoredKeys {
  wechatIds: string[]
  phones: string[]
  accountIds: string[]
  accountNames: string[]
}

/** What the plan needs to know about: every WeChat ID, mobile number, account and account name the statements name, once each. */
export function keysOf (statements: readonly Statement[]): StoredKeys {
  const wechatIds = new Map<string, string>()
  const phones = new Set<string>()
  const accountIds = new Set<string>()
  const accountNames = new Set<string>()
  for (const statement of statements) {
    if ('wechatId' in statement) wechatIds.set(wechatIdKey(statement.wechatId), statement.wechatId)
    if ('accountId' in statement) accountIds.add(statement.accountId)
    if (statement.kind === 'person' && statement.details.phone !== undefined) phones.add(statement.details.phone)
    if (statement.kind === 'account' && statement.details.name !== undefined) accountNames.add(statement.details.name)
  }
  return { wechatIds: [...wechatIds.values()], phones: [...phones], accountIds: [...accountIds], accountNames: [...accountNames] }
}
