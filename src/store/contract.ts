// The store contract every engine keeps (issue 9): reads a decision depends on, and transactions in
// which those reads and the writes they lead to happen together. The embedded engine (the JSON file)
// keeps it today; PostgreSQL will keep the same one. Services move onto it from the synchronous Store.
import type { Millis } from '../domain/calendar.js'
import type { Account, Approval, Binding, HistoryEntry, Invitation, OutboxMessage, Renewal, User } from './schema.js'
import type { Transaction } from './store.js'

/** The reads, in the synchronous form the embedded store answers them in. */
export interface Reads {
  account: (id: string) => Account | undefined
  user: (id: string) => User | undefined
  userByContact: (contactId: string) => User | undefined
  userByWechatId: (wechatId: string) => User | undefined
  usersWithPhone: (phone: string) => readonly User[]
  usersWithIdNumber: (idNumber: string) => readonly User[]
  binding: (id: string) => Binding | undefined
  bindingsOfUser: (userId: string) => readonly Binding[]
  bindingsOfAccount: (accountId: string) => readonly Binding[]
  accountsAdministeredBy: (userId: string) => readonly Account[]
  administers: (userId: string, accountId: string) => boolean
  approval: (id: string) => Approval | undefined
  approvalsOfAccount: (accountId: string) => readonly Approval[]
  renewalsOfAccount: (accountId: string) => readonly Renewal[]
  pendingApprovalsOf: (accountId: string) => Approval[]
  pendingRenewalsOf: (accountId: string) => Renewal[]
  codeInUse: (code: string) => boolean
  renewalByCode: (code: string) => Renewal | undefined
  approvalByCode: (code: string) => Approval | undefined
  historyOf: (accountId: string) => readonly HistoryEntry[]
  invitationsOfUser: (userId: string) => readonly Invitation[]
  invitationsOfAccount: (accountId: string) => readonly Invitation[]
  messagesAbout: (about: string) => readonly OutboxMessage[]
  shortTermExpiringBy: (time: Millis) => Binding[]
  pendingInvitationsDueBy: (time: Millis) => Invitation[]
  pendingRenewalsDueBy: (time: Millis) => Renewal[]
  pendingApprovalsDueBy: (time: Millis) => Approval[]
}

/** Every read by name, so that an engine can be checked to offer them all. */
export const READS: ReadonlyArray<keyof Reads> = [
  'account', 'user', 'userByContact', 'userByWechatId', 'usersWithPhone', 'usersWithIdNumber', 'binding', 'bindingsOfUser',
  'bindingsOfAccount', 'accountsAdministeredBy', 'administers', 'approval', 'approvalsOfAccount', 'renewalsOfAccount',
  'pendingApprovalsOf', 'pendingRenewalsOf',
  'codeInUse', 'renewalByCode', 'approvalByCode', 'historyOf', 'invitationsOfUser', 'invitationsOfAccount', 'messagesAbout',
  'shortTermExpiringBy', 'pendingInvitationsDueBy', 'pendingRenewalsDueBy', 'pendingApprovalsDueBy',
]

/** The same functions, answering through a promise (a database answers later). */
export type Async<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never }

export type StoreReader = Async<Reads>

/** Inside a transaction: reads see its own writes; the writes are those of the synchronous Transaction. */
export type StoreTransaction = StoreReader & Async<Omit<Transaction, 'newId'>> & Pick<Transaction, 'newId'>

export interface StoreEngine extends StoreReader {
  /**
   * Runs `work` with every read a decision depends on and every write in one transaction: nothing
   * else changes the state meanwhile, a throw (or an invalid change) undoes all of it, and the promise
   * resolves once it is durable.
   */
  transaction: <T>(work: (tx: StoreTransaction) => Promise<T>) => Promise<T>
  /** Why the engine refuses changes now (its storage failed), if it does. */
  failure: () => Error | undefined
  close: () => Promise<void>
}
