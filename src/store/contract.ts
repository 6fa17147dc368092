// The store contract every engine keeps (issue 9): reads a decision depends on, and transactions in
// which those reads and the writes they lead to happen together. The embedded engine (the JSON file)
// keeps it today; PostgreSQL will keep the same one. Services move onto it from the synchronous Store.
import { randomBytes } from 'node:crypto'
import type { Millis } from '../domain/calendar.js'
import { minutes } from '../domain/calendar.js'
import { waitOver } from '../domain/deadlines.js'
import type { LimitDecision, WindowLimit } from '../domain/rate-limit.js'
import type { Account, Approval, Binding, DigestEntry, HistoryEntry, Invitation, Login, LookupNotice, OutboxMessage, Renewal, Review, User, Webhook, WebhookEvent } from './schema.js'
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
  login: (id: string) => Login | undefined
  loginByCode: (code: string) => Login | undefined
  /** The person's logins still marked pending (some may have lapsed by the clock), oldest first. */
  pendingLoginsOf: (userId: string) => Login[]
  historyOf: (accountId: string) => readonly HistoryEntry[]
  invitationsOfUser: (userId: string) => readonly Invitation[]
  invitationsOfAccount: (accountId: string) => readonly Invitation[]
  messagesAbout: (about: string) => readonly OutboxMessage[]
  shortTermExpiringBy: (time: Millis) => Binding[]
  pendingInvitationsDueBy: (time: Millis) => Invitation[]
  pendingRenewalsDueBy: (time: Millis) => Renewal[]
  pendingApprovalsDueBy: (time: Millis) => Approval[]
  pendingLoginsDueBy: (time: Millis) => Login[]
  /** The first account (in the order they were made) whose name is exactly `name` (an index on the name). */
  accountNamed: (name: string) => Account | undefined
  /** How many accounts and bindings there are (the start-up log line). */
  counts: () => Holdings
  message: (id: string) => OutboxMessage | undefined
  /** Still to be delivered and durable (the embedded engine: the write holding it is on disk). */
  deliverable: (id: string) => boolean
  /** Messages sent before `time` (strictly), earliest first: what the sweep drops after a week, by an index on the time. */
  messagesSentBefore: (time: Millis) => OutboxMessage[]
  /** Messages given up on before `time` (strictly), earliest first. */
  messagesFailedBefore: (time: Millis) => OutboxMessage[]
  /** Up to `limit` accounts from the `offset`-th (0-based), in the order they were made: a page of the platform's list. */
  accountsInOrder: (offset: number, limit: number) => Account[]
  /** Up to `limit` users from the `offset`-th (0-based), in the order they were made: the demo console's people. */
  usersInOrder: (offset: number, limit: number) => User[]
  /** What waits on delivery at `now` (the health check): what claimDueMessages would offer, claimed or not. */
  outboxBacklog: (now: Millis) => Backlog
  /** Operations waiting for a daily digest that happened before `time` (strictly), earliest first. */
  digestEntriesBefore: (time: Millis) => DigestEntry[]
  /** When `ownerUserId` was last told of a lookup by `askerKey`, if they were. */
  lookupNotice: (askerKey: string, ownerUserId: string) => LookupNotice | undefined
  review: (id: string) => Review | undefined
  /** The account's access reviews, oldest first. */
  reviewsOfAccount: (accountId: string) => readonly Review[]
  /** Every access review still open, oldest first: what the daily job reminds about or lapses. */
  openReviews: () => Review[]
  /**
   * Accounts with a long-term operator still bound and no open review, in the order they were made: the
   * only ones a review can be due for (the job asks domain/reviews.ts whether one is).
   */
  accountsToReview: () => Account[]
  /** The platform's webhook, if it registered one. */
  webhook: () => Webhook | undefined
  /** The `limit` events queued last for the webhook, newest first (delivered, waiting or given up on). */
  webhookEvents: (limit: number) => WebhookEvent[]
  /** What waits on the webhook at `now`, and what was given up on (the health check). */
  webhookBacklog: (now: Millis) => WebhookBacklog
}

/** Webhook events still to deliver (`due`: of them, due by now), given up on and still kept, and the oldest waiting. */
export interface WebhookBacklog {
  pending: number
  due: number
  failed: number
  oldestQueuedAt?: string
  lastFailedAt?: string
}

/**
 * Messages still to be delivered whose attempt is due by now (never tried, or their back-off is over), to
 * recipients with a chat contact; and when the oldest of them was queued. Absent when there are none.
 */
export interface Backlog {
  due: number
  oldestQueuedAt?: string
}

export interface Holdings {
  accounts: number
  bindings: number
}

/** What retention dropped, per collection. */
export interface PruneCounts { history: number, invitations: number, renewals: number, approvals: number, logins: number, bindings: number }

/**
 * How long a claimed message is kept from every other claimer. A claimer that crashed mid-send gives its
 * messages back this long after (at-least-once across a crash); a recorded attempt ends the claim at once.
 */
export const CLAIM_LEASE: Millis = minutes(5)

/**
 * A claim held until `until` still keeps every other claimer off at `now`: its lease runs. A lease ending
 * more than CLAIM_LEASE after now was taken before the clock was set back, and is over (domain/deadlines.ts):
 * a crashed claimer's messages come back after the lease, not after the jump.
 */
export function claimHeld (until: Millis | undefined, now: Millis): boolean {
  return until !== undefined && !waitOver(until, CLAIM_LEASE, now)
}

/**
 * What a claimer claimed at `claimedAt` is still safely its own at `now`: its claim holds as every claimer
 * reads it (claimHeld: not if the clock was set back since by more than the slack, when it reads as taken
 * before the jump, free for anyone to take), with at least half its lease left for one more attempt.
 */
export function claimStillOurs (claimedAt: Millis, now: Millis): boolean {
  return now - claimedAt <= CLAIM_LEASE / 2 && claimHeld(claimedAt + CLAIM_LEASE, now)
}

/** A sender's pending conversation step, as the store keeps it (the bot gives `step` and `data` their types). */
export interface DialogRecord {
  step: string
  data: unknown
  expiresAt: Millis
}

/** What one WeChat account holds, as 绑定查询 shows it. */
export interface UserHoldings {
  user: User
  /** The accounts it is the admin of, in the order they were made. */
  administers: readonly Account[]
  /** Its bindings (ended ones too), each with its account's name, in the order they were made. */
  bindings: ReadonlyArray<{ binding: Binding, accountName: string }>
}

/** Whose holdings a 绑定查询 shows: a user, and with `idNumber` every user verified with that ID number too. */
export interface LookupHolders {
  userId: string
  idNumber?: string | undefined
}

/** The lookup limit's decision and, only when it allowed the lookup, the holdings (the user's first, then in the order they were made). */
export interface LookupAnswer {
  decision: LimitDecision
  holdings: UserHoldings[]
}

/** A chat contact's user (userByContact) and the sender's dialog step (dialog), read together. */
export interface SenderState {
  user: User | undefined
  dialog: DialogRecord | undefined
}

/**
 * Conversation state kept per sender: dialog steps and the lookup rate limit. Outside transactions on
 * purpose: each touches one sender only, so PostgreSQL answers them without the global transaction lock
 * (a per-asker lock for the rate limit), and the embedded engine keeps them in memory, not in the file.
 */
export interface ConversationState {
  dialog: (sender: string) => Promise<DialogRecord | undefined>
  setDialog: (sender: string, step: { step: string, data: unknown }, expiresAt: Millis) => Promise<void>
  clearDialog: (sender: string) => Promise<void>
  /** Drops the steps that lapsed before `before`; later ones are kept to answer "that step expired". */
  forgetDialogs: (before: Millis) => Promise<void>
  /** Records one lookup at `now` if the limit allows it: the same decision as domain/rate-limit.ts's takeHit on the asker's hits. */
  takeLookupHit: (askerKey: string, now: Millis, limit: WindowLimit) => Promise<LimitDecision>
  /**
   * 绑定查询 in one call (one statement on PostgreSQL): the same decision and record as takeLookupHit, then,
   * only if it allowed the lookup, what `holders` hold, read after the decision.
   */
  takeLookup: (askerKey: string, now: Millis, limit: WindowLimit, holders: LookupHolders) => Promise<LookupAnswer>
  /** Who writes from chat contact `contactId`, and their dialog step (a dialog's sender is its contact): one statement on PostgreSQL. */
  sender: (contactId: string) => Promise<SenderState>
  /** Forgets hits at or before `before` (older than every window that asks); an asker with none left is forgotten. */
  forgetLookupHits: (before: Millis) => Promise<void>
}

/** A new record id: the prefix says what it is (b_, i_, h_, m_ …), the rest is random. */
export function newId (prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`
}

/** Every read by name, so that an engine can be checked to offer them all. */
export const READS: ReadonlyArray<keyof Reads> = [
  'account', 'user', 'userByContact', 'userByWechatId', 'usersWithPhone', 'usersWithIdNumber', 'binding', 'bindingsOfUser',
  'bindingsOfAccount', 'accountsAdministeredBy', 'administers', 'approval', 'approvalsOfAccount', 'renewalsOfAccount',
  'pendingApprovalsOf', 'pendingRenewalsOf',
  'codeInUse', 'renewalByCode', 'approvalByCode', 'historyOf', 'invitationsOfUser', 'invitationsOfAccount', 'messagesAbout',
  'shortTermExpiringBy', 'pendingInvitationsDueBy', 'pendingRenewalsDueBy', 'pendingApprovalsDueBy',
  'login', 'loginByCode', 'pendingLoginsOf', 'pendingLoginsDueBy',
  'accountNamed', 'counts', 'message', 'deliverable', 'messagesSentBefore', 'messagesFailedBefore', 'accountsInOrder', 'usersInOrder', 'outboxBacklog',
  'digestEntriesBefore', 'lookupNotice',
  'review', 'reviewsOfAccount', 'openReviews', 'accountsToReview',
  'webhook', 'webhookEvents', 'webhookBacklog',
]

/** The same functions, answering through a promise (a database answers later). */
export type Async<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never }

export type StoreReader = Async<Reads>

/** Inside a transaction: reads see its own writes; the writes are those of the synchronous Transaction. */
export type StoreTransaction = StoreReader & Async<Omit<Transaction, 'newId'>> & Pick<Transaction, 'newId'>

export interface StoreEngine extends StoreReader, ConversationState {
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
