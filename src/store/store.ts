// The only importer of lowdb: loads and validates the data file, keeps indexes, and persists changes
// with group commit (every change made while a write is running shares the next write).
import { copyFile } from 'node:fs/promises'
import { Low } from 'lowdb'
import { wechatIdKey } from '../domain/identity.js'
import type { Millis } from '../domain/calendar.js'
import { attemptDue, takeHit } from '../domain/rate-limit.js'
import type { LimitDecision, WindowLimit } from '../domain/rate-limit.js'
import { bindingExpired, historyExpired, invitationExpired, loginExpired, requestExpired } from '../domain/retention.js'
import { ChangeLog } from './change-log.js'
import { CLAIM_LEASE, claimHeld, newId, READS } from './contract.js'
import type { Backlog, DialogRecord, Holdings, LookupAnswer, LookupHolders, PruneCounts, SenderState, StoreEngine, StoreReader, StoreTransaction, UserHoldings, WebhookBacklog } from './contract.js'
import { bindingMismatch, danglingReferences, lookupNoticeKey, recordProblem } from './consistency.js'
import type { Collection, Target } from './consistency.js'
import { DeadlineIndex } from './deadline-index.js'
import { DurableJsonFile } from './durable-json-file.js'
import { FileLock } from './file-lock.js'
import { InvalidChange, StoreError } from './errors.js'
import { emptyData, loadSeed, validDocument } from './document.js'
import { migrate } from './migrations.js'
import { SCHEMA_VERSION } from './schema.js'
import type { Account, Approval, Binding, Data, DigestEntry, HistoryEntry, Invitation, Login, LookupNotice, OutboxMessage, OutboxTopic, Renewal, Review, User, Webhook, WebhookEvent } from './schema.js'

export interface StoreOptions {
  /** The runtime data file; created from the seed when missing. */
  file: string
  /** The demo world to start from when the data file does not exist yet. */
  seedFile?: string | undefined
  now: Millis
  /** Told of what goes wrong on the way out (the lock file could not be removed). */
  warn?: ((message: string) => void) | undefined
}

/** The changes a service may make; each keeps the indexes true. */
export interface Transaction {
  newId: (prefix: string) => string
  addBinding: (binding: Binding) => void
  updateBinding: (id: string, patch: Partial<Binding>) => Binding
  addApproval: (approval: Approval) => void
  updateApproval: (id: string, patch: Partial<Approval>) => Approval
  /** An access review; at most one open per account. */
  addReview: (review: Review) => void
  updateReview: (id: string, patch: Partial<Omit<Review, 'id' | 'accountId'>>) => Review
  addLogin: (login: Login) => void
  updateLogin: (id: string, patch: Partial<Login>) => Login
  /** A new official account (the import, the platform API): its admin must already be a user. */
  addAccount: (account: Account) => void
  /** A new name or admin is re-indexed. */
  updateAccount: (id: string, patch: Partial<Omit<Account, 'id'>>) => Account
  addUser: (user: User) => void
  addRenewal: (renewal: Renewal) => void
  updateRenewal: (id: string, patch: Partial<Renewal>) => Renewal
  addInvitation: (invitation: Invitation) => void
  updateInvitation: (id: string, patch: Partial<Invitation>) => Invitation
  setUserContact: (userId: string, contactId: string) => void
  /** Profile and security settings as the platform reports them; identifiers are re-indexed. */
  updateUser: (userId: string, patch: Partial<Omit<User, 'id' | 'contactId'>>) => User
  addHistory: (entry: Omit<HistoryEntry, 'id'>) => void
  enqueue: (message: { toUserId: string, text: string, createdAt: string, accountId: string | undefined, about?: string, topic?: OutboxTopic }) => OutboxMessage
  /** Takes back the pushes about `about` of these topics that have not gone out. */
  withdraw: (about: string, topics: readonly OutboxTopic[], at: string) => void
  updateMessage: (id: string, patch: Partial<OutboxMessage>) => void
  /** Drops the messages `keep` rejects; returns how many. */
  pruneMessages: (keep: (message: OutboxMessage) => boolean) => number
  /** Drops the records of a collection that `keep` rejects (retention); returns how many. */
  prune: <C extends Collection>(collection: C, keep: (record: Data[C][number]) => boolean) => number
  /** Drops these messages (the sweep's old sent and failed ones); returns how many were there. */
  dropMessages: (ids: readonly string[]) => number
  /**
   * Retention: drops history older than `cutoff`, invitations and decided requests closed before it, and
   * bindings that ended before it once no request that stays names them; returns how many of each.
   */
  pruneOlderThan: (cutoff: Millis) => PruneCounts
  /**
   * Claims up to `limit` messages for delivery: durable, still to send, due by `now` (never tried, or their
   * back-off is over), to a recipient with a chat contact, and not claimed by another claimer whose lease
   * (CLAIM_LEASE) runs; oldest first. No other claimer gets them until an attempt is recorded (updateMessage),
   * they are released, or the lease runs out.
   */
  claimDueMessages: (now: Millis, limit: number) => OutboxMessage[]
  /** Claims one message (due or not: it is tried now) if it is deliverable and no other claimer holds it. */
  claimMessage: (id: string, now: Millis) => OutboxMessage | undefined
  /**
   * Gives back messages claimed at `claimedAt` that were not tried after all: only the claims made then. A
   * claim another process made since (after this one had run out) is that process's, and stays.
   */
  releaseClaims: (ids: readonly string[], claimedAt: Millis) => void
  /** An operation for its account's next daily digest. */
  addDigestEntry: (entry: DigestEntry) => void
  /** Drops these digest entries (the digest that lists them is queued in the same change); returns how many were there. */
  dropDigestEntries: (ids: readonly string[]) => number
  /** Remembers that the owner was told of the asker's lookup at `at` (one record per asker and owner). */
  setLookupNotice: (notice: { askerKey: string, ownerUserId: string, at: string }) => LookupNotice
  /** Forgets notices given before `before` (strictly): they no longer hold anything back; returns how many. */
  forgetLookupNotices: (before: Millis) => number
  /** Registers the platform's webhook, or replaces the one there is (its events stay queued for it). */
  setWebhook: (webhook: Webhook) => void
  /** Drops the webhook and every event queued for it; returns how many events went. */
  removeWebhook: () => number
  addWebhookEvent: (event: WebhookEvent) => void
  /** Records an attempt (ends its claim, as updateMessage does for a message). */
  updateWebhookEvent: (id: string, patch: Partial<WebhookEvent>) => void
  /**
   * Claims up to `limit` webhook events for delivery as claimDueMessages claims messages: durable, still to
   * deliver, due by `now`, claimed by no one whose lease runs; oldest first.
   */
  claimDueWebhookEvents: (now: Millis, limit: number) => WebhookEvent[]
  /** Drops events delivered before `deliveredBefore` and given up on before `failedBefore`; returns how many. */
  pruneWebhookEvents: (deliveredBefore: Millis, failedBefore: Millis) => number
}

export class Store {
  private closed = false
  /** Set when a write failed for good: every later change is refused with it. */
  private broken: StoreError | undefined
  /** Messages (and webhook events) queued by changes not yet on disk: the outbox sees them only once they are. */
  private readonly queuedMessages: Array<OutboxMessage | WebhookEvent> = []
  /** Messages and events whose write is under way: not deliverable until it is done. */
  private writingMessages: Array<OutboxMessage | WebhookEvent> = []
  private writing: Promise<void> | undefined
  /** Resolves once every change made so far is on disk (rejects when the write holding the last one failed). */
  private lastPersist: Promise<void> = Promise.resolve()
  /** Transactions take turns: each one's reads and writes happen with no other change in between. */
  private turns: Promise<void> = Promise.resolve()
  private waiting: Array<{ resolve: () => void, reject: (err: unknown) => void }> = []

  private readonly accountsById = new Map<string, Account>()
  private readonly usersById = new Map<string, User>()
  private readonly usersByContact = new Map<string, User>()
  private readonly usersByWechatId = new Map<string, User>()
  private readonly usersByPhone = new Map<string, User[]>()
  private readonly usersByIdNumber = new Map<string, User[]>()
  private readonly bindingsById = new Map<string, Binding>()
  private readonly bindingsByUser = new Map<string, Binding[]>()
  private readonly bindingsByAccount = new Map<string, Binding[]>()
  private readonly accountsByAdmin = new Map<string, Account[]>()
  private readonly outboxById = new Map<string, OutboxMessage>()
  private readonly outboxByAbout = new Map<string, OutboxMessage[]>()
  /** Messages on disk and still to be delivered, oldest first. */
  private readonly unsent = new Set<OutboxMessage>()
  /** Webhook events on disk and still to be delivered, oldest first; and every event by id. */
  private readonly undeliveredEvents = new Set<WebhookEvent>()
  private readonly webhookEventsById = new Map<string, WebhookEvent>()
  /**
   * Delivery claims (message id → lease end), in memory only: one process per data file, so a claim
   * never needs to outlive the process, and a claim is no reason for a whole-file write.
   */
  private readonly claims = new Map<string, Millis>()
  /**
   * Dialog steps and lookup hits, in memory and NOT in the JSON file: a step is taken at every turn of a
   * conversation, and a whole-file write per step would be ruinous. One process per data file, so this
   * memory is all of that process's store; a restart forgets them (PostgreSQL keeps them in tables).
   */
  private readonly dialogs = new Map<string, DialogRecord>()
  private readonly lookupHits = new Map<string, Millis[]>()
  private readonly accountsByName = new Map<string, Account[]>()
  /** Sent and given-up messages by when: what the sweep drops after a while, found without a scan. */
  private readonly sentByTime = new DeadlineIndex<OutboxMessage>((m) => m.sentAt === undefined ? undefined : Date.parse(m.sentAt))
  private readonly failedByTime = new DeadlineIndex<OutboxMessage>((m) => m.failedAt === undefined ? undefined : Date.parse(m.failedAt))
  private readonly renewalsById = new Map<string, Renewal>()
  private readonly renewalsByAccount = new Map<string, Renewal[]>()
  /** Every short code in use (invitations, renewals, approvals, logins): codes are unique across them. */
  private readonly byCode = new Map<string, Invitation | Renewal | Approval | Login>()
  private readonly loginsById = new Map<string, Login>()
  private readonly pendingLoginsByExpiry = new DeadlineIndex<Login>(pendingUntil)
  /** Logins still marked pending, per person: what 确认登录 without a code looks at. */
  private readonly pendingLoginsByUser = new Map<string, Set<Login>>()
  private readonly historyByAccount = new Map<string, HistoryEntry[]>()
  private readonly approvalsById = new Map<string, Approval>()
  private readonly approvalsByAccount = new Map<string, Approval[]>()
  private readonly invitationsById = new Map<string, Invitation>()
  private readonly invitationsByInvitee = new Map<string, Invitation[]>()
  private readonly invitationsByAccount = new Map<string, Invitation[]>()
  /** What the jobs look for by time: short-term bindings not ended, and requests still pending. */
  private readonly shortTermByExpiry = new DeadlineIndex<Binding>((b) => b.role === 'short' && b.endedAt === undefined && b.expiresAt ? Date.parse(b.expiresAt) : undefined)
  private readonly pendingInvitationsByExpiry = new DeadlineIndex<Invitation>(pendingUntil)
  private readonly pendingRenewalsByExpiry = new DeadlineIndex<Renewal>(pendingUntil)
  private readonly pendingApprovalsByExpiry = new DeadlineIndex<Approval>(pendingUntil)
  /** Requests still marked pending, per account: what an admin's open list and a binding's end look at. */
  private readonly pendingApprovalsByAccount = new Map<string, Set<Approval>>()
  private readonly pendingRenewalsByAccount = new Map<string, Set<Renewal>>()
  /** Lookup notices by asker and owner (lookupNoticeKey). */
  private readonly lookupNoticesByPair = new Map<string, LookupNotice>()
  private readonly reviewsById = new Map<string, Review>()
  private readonly reviewsByAccount = new Map<string, Review[]>()
  /** Open reviews, oldest first. */
  private readonly openReviewSet = new Set<Review>()

  private constructor (
    private readonly db: Low<Data>,
    private readonly adapter: DurableJsonFile<Data>,
    private readonly lock: FileLock,
    private readonly warn: (message: string) => void,
  ) {
    this.buildIndexes()
  }

  static async open (options: StoreOptions): Promise<Store> {
    const lock = FileLock.acquire(options.file)
    try {
      const file = lock.dataFile // the real file, even when reached through a symlink
      const adapter = new DurableJsonFile<Data>(file)
      const leftovers = await adapter.removeLeftovers()
      if (leftovers.length > 0) options.warn?.(`removed ${leftovers.length} temp file(s) left by an interrupted write: ${leftovers.join(', ')}`)
      const db = new Low<Data>(adapter, emptyData())
      const loaded = await adapter.load()
      if (!loaded.exists) {
        db.data = options.seedFile ? await loadSeed(options.seedFile, options.now) : emptyData()
        await db.write()
      } else {
        const raw = loaded.value
        const migrated = migrate(raw, SCHEMA_VERSION)
        db.data = validDocument(options.file, migrated ?? raw, options.now)
        // Keep the file as it was before its first write in the new version.
        if (migrated) await copyFile(file, `${file}.v${(raw as { version: number }).version}.bak`)
      }
      const store = new Store(db, adapter, lock, options.warn ?? (() => undefined))
      void store.prepareWrites()
      return store
    } catch (err) {
      const failed = lock.release()
      if (failed) options.warn?.(failed.message)
      throw err
    }
  }

  /** The whole document: read it, never change it outside `change`. */
  get data (): Readonly<Data> {
    return this.db.data
  }

  /** Why the store refuses changes (a write failed for good), or undefined while it is healthy. */
  get failure (): StoreError | undefined {
    return this.broken
  }

  get fileWrites (): number {
    return this.adapter.writes
  }

  account (id: string): Account | undefined { return this.accountsById.get(id) }
  user (id: string): User | undefined { return this.usersById.get(id) }
  binding (id: string): Binding | undefined { return this.bindingsById.get(id) }
  message (id: string): OutboxMessage | undefined { return this.outboxById.get(id) }
  unsentMessages (): OutboxMessage[] { return [...this.unsent] }
  /** The pushes about one record (an invitation, a binding, a request), oldest first. */
  messagesAbout (about: string): readonly OutboxMessage[] { return this.outboxByAbout.get(about) ?? [] }
  /** On disk and still to be delivered. */
  isDeliverable (message: OutboxMessage): boolean { return this.unsent.has(message) }
  userByContact (contactId: string): User | undefined { return this.usersByContact.get(contactId) }
  userByWechatId (wechatId: string): User | undefined { return this.usersByWechatId.get(wechatIdKey(wechatId)) }
  usersWithPhone (phone: string): readonly User[] { return this.usersByPhone.get(phone) ?? [] }
  usersWithIdNumber (idNumber: string): readonly User[] { return this.usersByIdNumber.get(idNumber) ?? [] }
  bindingsOfUser (userId: string): readonly Binding[] { return this.bindingsByUser.get(userId) ?? [] }
  bindingsOfAccount (accountId: string): readonly Binding[] { return this.bindingsByAccount.get(accountId) ?? [] }
  accountsAdministeredBy (userId: string): readonly Account[] { return this.accountsByAdmin.get(userId) ?? [] }
  administers (userId: string, accountId: string): boolean { return this.accountsById.get(accountId)?.adminUserId === userId }
  approval (id: string): Approval | undefined { return this.approvalsById.get(id) }
  approvalsOfAccount (accountId: string): readonly Approval[] { return this.approvalsByAccount.get(accountId) ?? [] }
  renewalsOfAccount (accountId: string): readonly Renewal[] { return this.renewalsByAccount.get(accountId) ?? [] }
  /** The account's requests still marked pending (some may have lapsed by the clock), oldest first. */
  pendingApprovalsOf (accountId: string): Approval[] { return [...this.pendingApprovalsByAccount.get(accountId) ?? []] }
  pendingRenewalsOf (accountId: string): Renewal[] { return [...this.pendingRenewalsByAccount.get(accountId) ?? []] }
  codeInUse (code: string): boolean { return this.byCode.has(code) }
  renewalByCode (code: string): Renewal | undefined { const r = this.byCode.get(code); return r && 'bindingId' in r && 'requestedBy' in r ? r : undefined }
  approvalByCode (code: string): Approval | undefined { const a = this.byCode.get(code); return a && 'operation' in a ? a : undefined }
  login (id: string): Login | undefined { return this.loginsById.get(id) }
  loginByCode (code: string): Login | undefined { const l = this.byCode.get(code); return l && 'userId' in l ? l : undefined }
  pendingLoginsOf (userId: string): Login[] { return [...this.pendingLoginsByUser.get(userId) ?? []] }
  pendingLoginsDueBy (time: Millis): Login[] { return this.pendingLoginsByExpiry.dueBy(time) }
  /** The account's history by when each thing happened, oldest first (an expiry swept late sits where it happened). */
  historyOf (accountId: string): readonly HistoryEntry[] { return this.historyByAccount.get(accountId) ?? [] }
  invitationsOfUser (userId: string): readonly Invitation[] { return this.invitationsByInvitee.get(userId) ?? [] }
  invitationsOfAccount (accountId: string): readonly Invitation[] { return this.invitationsByAccount.get(accountId) ?? [] }
  /** Short-term bindings not yet ended whose expiry is at or before `time` (active ones too, when `time` is ahead), earliest first. */
  shortTermExpiringBy (time: Millis): Binding[] { return this.shortTermByExpiry.dueBy(time) }
  /** Requests still marked pending whose deadline is at or before `time`, earliest first. */
  pendingInvitationsDueBy (time: Millis): Invitation[] { return this.pendingInvitationsByExpiry.dueBy(time) }
  pendingRenewalsDueBy (time: Millis): Renewal[] { return this.pendingRenewalsByExpiry.dueBy(time) }
  pendingApprovalsDueBy (time: Millis): Approval[] { return this.pendingApprovalsByExpiry.dueBy(time) }
  accountNamed (name: string): Account | undefined { return this.accountsByName.get(name)?.[0] }
  counts (): Holdings { return { accounts: this.db.data.accounts.length, bindings: this.db.data.bindings.length } }
  deliverable (id: string): boolean { const m = this.outboxById.get(id); return m !== undefined && this.unsent.has(m) }
  messagesSentBefore (time: Millis): OutboxMessage[] { return this.sentByTime.dueBy(time - 1) }
  messagesFailedBefore (time: Millis): OutboxMessage[] { return this.failedByTime.dueBy(time - 1) }
  accountsInOrder (offset: number, limit: number): Account[] { return this.db.data.accounts.slice(offset, offset + limit) }
  usersInOrder (offset: number, limit: number): User[] { return this.db.data.users.slice(offset, offset + limit) }
  /** The digest waits for a day's worth at most: a scan of them, earliest first. */
  digestEntriesBefore (time: Millis): DigestEntry[] {
    return this.db.data.digestEntries.filter((e) => Date.parse(e.at) < time).sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
  }

  lookupNotice (askerKey: string, ownerUserId: string): LookupNotice | undefined {
    return this.lookupNoticesByPair.get(lookupNoticeKey({ askerKey, ownerUserId }))
  }

  review (id: string): Review | undefined { return this.reviewsById.get(id) }
  reviewsOfAccount (accountId: string): readonly Review[] { return this.reviewsByAccount.get(accountId) ?? [] }
  openReviews (): Review[] { return [...this.openReviewSet].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)) }
  accountsToReview (): Account[] {
    const open = new Set([...this.openReviewSet].map((r) => r.accountId))
    return this.db.data.accounts.filter((a) => !open.has(a.id) &&
      (this.bindingsByAccount.get(a.id) ?? []).some((b) => b.role === 'long' && b.endedAt === undefined))
  }
  outboxBacklog (now: Millis): Backlog {
    let due = 0
    let oldestQueuedAt: string | undefined
    for (const m of this.unsent) {
      if (!attemptDue(m, now) || !this.usersById.get(m.toUserId)?.contactId) continue
      due++
      if (oldestQueuedAt === undefined || Date.parse(m.createdAt) < Date.parse(oldestQueuedAt)) oldestQueuedAt = m.createdAt
    }
    return oldestQueuedAt === undefined ? { due } : { due, oldestQueuedAt }
  }

  webhook (): Webhook | undefined { return this.db.data.webhooks[0] }
  webhookEvents (limit: number): WebhookEvent[] { return this.db.data.webhookEvents.slice(-limit).reverse() }
  webhookBacklog (now: Millis): WebhookBacklog {
    let due = 0
    let failed = 0
    let lastFailedAt: string | undefined
    for (const e of this.undeliveredEvents) if (attemptDue(e, now)) due++
    for (const e of this.db.data.webhookEvents) {
      if (e.failedAt === undefined) continue
      failed++
      if (lastFailedAt === undefined || Date.parse(e.failedAt) > Date.parse(lastFailedAt)) lastFailedAt = e.failedAt
    }
    const oldestQueuedAt = this.undeliveredEvents.values().next().value?.createdAt
    return { pending: this.undeliveredEvents.size, due, failed, ...(oldestQueuedAt ? { oldestQueuedAt } : {}), ...(lastFailedAt ? { lastFailedAt } : {}) }
  }

  /** A queued message or webhook event is on disk: from now on it can be delivered. */
  private nowDurable (queued: OutboxMessage | WebhookEvent): void {
    if ('toUserId' in queued) {
      if (isUnsent(queued)) this.unsent.add(queued)
    } else if (isUndelivered(queued) && this.webhookEventsById.get(queued.id) === queued) { // not dropped with its webhook meanwhile
      this.undeliveredEvents.add(queued)
    }
  }

  /** The contract's conversation state (store/contract.ts, ConversationState), kept in this process's memory. */
  dialog (sender: string): DialogRecord | undefined { return this.dialogs.get(sender) }
  setDialog (sender: string, step: { step: string, data: unknown }, expiresAt: Millis): void {
    this.dialogs.set(sender, { step: step.step, data: step.data, expiresAt }) // not `{ ...step, expiresAt }`: a slow path in V8
  }

  clearDialog (sender: string): void { this.dialogs.delete(sender) }
  forgetDialogs (before: Millis): void {
    for (const [sender, dialog] of this.dialogs) if (dialog.expiresAt < before) this.dialogs.delete(sender)
  }

  takeLookupHit (askerKey: string, now: Millis, limit: WindowLimit): LimitDecision {
    const decision = takeHit(limit, this.lookupHits.get(askerKey) ?? [], now)
    this.lookupHits.set(askerKey, decision.hits)
    return decision
  }

  /** The contract's takeLookup: the decision of takeLookupHit, then (if it allowed the lookup) the holdings. */
  takeLookup (askerKey: string, now: Millis, limit: WindowLimit, holders: LookupHolders): LookupAnswer {
    const decision = this.takeLookupHit(askerKey, now, limit)
    if (!decision.allowed) return { decision, holdings: [] }
    // Every lookup passes here: no Map and no closure unless the ID number brings in other WeChat accounts.
    const holdings: UserHoldings[] = []
    const first = this.usersById.get(holders.userId)
    if (first) holdings.push(this.holdingsOf(first))
    if (holders.idNumber !== undefined) {
      for (const user of this.usersWithIdNumber(holders.idNumber)) if (user !== first && !holdings.some((h) => h.user === user)) holdings.push(this.holdingsOf(user))
    }
    return { decision, holdings }
  }

  private holdingsOf (user: User): UserHoldings {
    const bindings: Array<{ binding: Binding, accountName: string }> = []
    for (const binding of this.bindingsOfUser(user.id)) bindings.push({ binding, accountName: this.accountsById.get(binding.accountId)!.name })
    return { user, administers: this.accountsAdministeredBy(user.id), bindings }
  }

  /** The contract's sender: the contact's user and the sender's dialog step. */
  sender (contactId: string): SenderState {
    return { user: this.usersByContact.get(contactId), dialog: this.dialogs.get(contactId) }
  }

  forgetLookupHits (before: Millis): void {
    for (const [key, hits] of this.lookupHits) if (hits.every((at) => at <= before)) this.lookupHits.delete(key)
  }

  /** How many askers the lookup limit remembers (for tests). */
  get lookupAskers (): number { return this.lookupHits.size }

  /**
   * Applies `apply` to the data now and resolves once it is on disk. Every record it added or changed is
   * checked against the schema the file is loaded with and for references and uniqueness; a change that
   * fails, or an `apply` that throws, is undone in memory and nothing of it is written.
   */
  async change<T> (apply: (tx: Transaction) => T): Promise<T> {
    if (this.closed) throw new Error('The store is closed')
    if (this.broken) throw this.broken
    const log = this.changeLog()
    const queuedBefore = this.queuedMessages.length
    let result: T
    try {
      result = apply(this.writesFor(log))
      this.check(log)
      if (log.reindex) this.rebuildIndexes() // records went: every index is made again from what is left
    } catch (err) {
      this.undo(log, queuedBefore)
      throw err
    }
    await this.persist()
    return result
  }

  /**
   * The contract's transaction (store/contract.ts): `work` may await its reads; transactions run one at
   * a time, so what it read still holds when it writes. Validated and undone like `change`; resolves
   * once the write holding it is on disk (transactions that finish meanwhile share that write).
   */
  async transaction<T> (work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('The store is closed')
    if (this.broken) throw this.broken
    const done = await this.takeTurn()
    const log = this.changeLog()
    const queuedBefore = this.queuedMessages.length
    let result: T
    try {
      if (this.closed) throw new Error('The store is closed')
      if (this.broken) throw this.broken
      result = await work(this.asyncTransaction(this.writesFor(log)))
      this.check(log)
      if (log.reindex) this.rebuildIndexes()
    } catch (err) {
      this.undo(log, queuedBefore)
      done()
      throw err
    }
    done()
    // A transaction that changed nothing needs no write of its own, but what it read may be a change
    // still being written: it answers only once everything before it is on disk.
    if (log.empty) await this.lastPersist
    else await this.persist()
    return result
  }

  /** A change's log, which tells the file encoder of every record changed in place. */
  private changeLog (): ChangeLog {
    return new ChangeLog((record) => this.adapter.changedInPlace(record))
  }

  /** Puts memory back as it was before a refused change; a change that had touched nothing needs no re-indexing. */
  private undo (log: ChangeLog, queuedBefore: number): void {
    if (log.empty) return
    log.undo(this.db.data)
    this.queuedMessages.length = queuedBefore
    this.rebuildIndexes()
  }

  /** The contract's reads, answered from memory through a promise. */
  private asyncReads (): StoreReader {
    return Object.fromEntries(READS.map((name) => [name, (...args: unknown[]) => Promise.resolve((this[name] as (...a: unknown[]) => unknown)(...args))])) as StoreReader
  }

  /** The engine view of this store: the contract's reads and transactions. */
  engine (): StoreEngine {
    const reads = this.asyncReads()
    // Done at the call, before anything is awaited: lookups racing each other all count. Written out one
    // by one (no rest parameters): every message passes through `sender` and most through a dialog write.
    return {
      ...reads,
      dialog: async (sender) => this.dialog(sender),
      setDialog: async (sender, step, expiresAt) => this.setDialog(sender, step, expiresAt),
      clearDialog: async (sender) => this.clearDialog(sender),
      forgetDialogs: async (before) => this.forgetDialogs(before),
      takeLookupHit: async (askerKey, now, limit) => this.takeLookupHit(askerKey, now, limit),
      takeLookup: async (askerKey, now, limit, holders) => this.takeLookup(askerKey, now, limit, holders),
      sender: async (contactId) => this.sender(contactId),
      forgetLookupHits: async (before) => this.forgetLookupHits(before),
      transaction: (work) => this.transaction(work),
      failure: () => this.broken,
      close: () => this.close(),
    }
  }

  /** Waits for pending writes, then lets another process have the file. Never throws. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    // A transaction under way finishes (and is written); one still waiting for its turn is refused.
    await this.turns
    while (this.writing) await this.writing.catch(() => undefined)
    const failed = this.lock.release()
    if (failed) this.warn(failed.message)
  }

  private check (log: ChangeLog): void {
    const exists = (target: Target, id: string): boolean =>
      target === 'accounts' ? this.accountsById.has(id) : target === 'users' ? this.usersById.has(id) : this.bindingsById.has(id)
    const problems: string[] = []
    for (const { collection, record } of log.touched()) {
      const wrong = recordProblem(collection, record)
      if (wrong) problems.push(wrong)
      problems.push(...danglingReferences(collection, record, exists))
      const mismatch = bindingMismatch(collection, record, (id) => this.bindingsById.get(id))
      if (mismatch) problems.push(mismatch)
    }
    if (problems.length > 0) throw new InvalidChange(`Refused a change that would make the data file invalid: ${problems.slice(0, 3).join('; ')}`)
  }

  private persist (): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }))
    this.lastPersist = done
    this.writing ??= this.writeLoop()
    return done
  }

  private async writeLoop (): Promise<void> {
    // Let changes made in the same turn of the event loop join this write.
    await new Promise((resolve) => setImmediate(resolve))
    while (this.waiting.length > 0) {
      // A write takes its turn like a transaction: the document is serialised between transactions,
      // never with half of one in it (a transaction may await between its writes).
      const release = await this.takeTurn()
      const batch = this.waiting.splice(0)
      // Taken together with the batch: the write below serialises exactly these changes.
      const messages = this.queuedMessages.splice(0)
      this.writingMessages = messages
      try {
        await this.writeWithRetry(release)
        this.writingMessages = []
        for (const queued of messages) this.nowDurable(queued)
        for (const waiter of batch) waiter.resolve()
      } catch (err) {
        // Memory is now ahead of the file: acknowledge nothing more and push nothing it holds.
        this.broken = new StoreError(`Writing the data file failed (${(err as Error).message}); the assistant accepts no more changes until it is restarted.`)
        for (const waiter of [...batch, ...this.waiting.splice(0)]) waiter.reject(this.broken)
      }
    }
    this.writing = undefined
  }

  /** A passing hiccup (a full disk being cleared) gets a few more tries before the store gives up. */
  private async writeWithRetry (release: () => void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // db.write() serialises the document before its first await: the turn is needed only for that.
      const writing = this.db.write()
      release()
      try {
        return await writing
      } catch (err) {
        if (attempt >= WRITE_ATTEMPTS) throw err
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
        release = await this.takeTurn()
      }
    }
  }

  /**
   * Encodes the document for the file a slice at a time, each slice taking its turn like a write (so
   * never with half a transaction in it): otherwise the first write after start-up encodes all of it in
   * one block (about half a second at 100,000 users), stalling every conversation meanwhile.
   */
  private async prepareWrites (): Promise<void> {
    for (let ready = false; !ready;) {
      await new Promise((resolve) => setImmediate(resolve))
      const release = await this.takeTurn()
      try {
        ready = this.closed || this.adapter.prepare(this.db.data, performance.now() + PREPARE_SLICE_MS)
      } catch {
        ready = true // a document that cannot be encoded fails its write, where it is reported
      } finally {
        release()
      }
    }
  }

  /** Waits for every transaction (and write) queued before, and returns the call that lets the next go. */
  private async takeTurn (): Promise<() => void> {
    const previous = this.turns
    let done!: () => void
    this.turns = new Promise<void>((resolve) => { done = resolve })
    await previous
    return done
  }

  private asyncTransaction (writes: Transaction): StoreTransaction {
    const tx: Record<string, unknown> = { ...this.asyncReads(), newId: writes.newId }
    for (const [name, write] of Object.entries(writes)) {
      if (name !== 'newId') tx[name] = (...args: unknown[]) => Promise.resolve((write as (...a: unknown[]) => unknown)(...args))
    }
    return tx as StoreTransaction
  }

  private writesFor (log: ChangeLog): Transaction {
    const data = this.db.data
    const add = <C extends Collection>(collection: C, record: Data[C][number], ids: Map<string, unknown> | undefined): void => {
      if (ids?.has(record.id)) throw new InvalidChange(`Refused a change: ${collection} id ${record.id} is taken`)
      log.adding(collection, record)
      ;(data[collection] as Array<Data[C][number]>).push(record)
    }
    const addCoded = (record: Invitation | Renewal | Approval | Login): void => {
      if (this.byCode.has(record.code)) throw new InvalidChange(`Refused a change: code ${record.code} is taken`)
    }
    const update = <C extends Collection, R extends Data[C][number]>(collection: C, map: Map<string, R>, id: string, patch: Partial<R>): R => {
      const record = found(map, id, collection)
      log.updating(collection, record)
      return Object.assign(record, patch)
    }
    /** Drops the records `keep` refuses and returns them; the caller takes them out of its own indexes. */
    const drop = <C extends Collection>(collection: C, keep: (record: Data[C][number]) => boolean): Array<Data[C][number]> => {
      const list = data[collection] as Array<Data[C][number]>
      const kept = list.filter(keep)
      if (kept.length === list.length) return []
      log.replacing(collection, list)
      ;(data as Record<Collection, unknown[]>)[collection] = kept
      return list.filter((record) => !keep(record))
    }
    /** Drops records and has every index made again after the change (for collections many indexes point into). */
    const prune = <C extends Collection>(collection: C, keep: (record: Data[C][number]) => boolean): number => {
      const dropped = drop(collection, keep).length
      if (dropped > 0) log.reindex = true
      return dropped
    }
    const dropEvents = (keep: (event: WebhookEvent) => boolean): number => {
      const dropped = drop('webhookEvents', keep)
      for (const event of dropped) {
        this.webhookEventsById.delete(event.id)
        this.undeliveredEvents.delete(event)
        this.claims.delete(event.id)
      }
      return dropped.length
    }
    const pruneMessages = (keep: (message: OutboxMessage) => boolean): number => {
      const dropped = drop('outbox', keep)
      for (const message of dropped) {
        this.outboxById.delete(message.id)
        if (message.about) removeFrom(this.outboxByAbout, message.about, message)
        this.unsent.delete(message)
        this.claims.delete(message.id)
        this.sentByTime.remove(message)
        this.failedByTime.remove(message)
      }
      return dropped.length
    }
    return {
      newId,
      addBinding: (binding) => {
        add('bindings', binding, this.bindingsById)
        this.indexBinding(binding)
      },
      updateBinding: (id, patch) => placed(this.shortTermByExpiry, update('bindings', this.bindingsById, id, patch)),
      addApproval: (approval) => {
        addCoded(approval)
        add('approvals', approval, this.approvalsById)
        this.indexApproval(approval)
      },
      updateApproval: (id, patch) => {
        const approval = placed(this.pendingApprovalsByExpiry, update('approvals', this.approvalsById, id, patch))
        keepPending(this.pendingApprovalsByAccount, approval)
        return approval
      },
      addReview: (review) => {
        if (review.status === 'open' && this.reviewsOfAccount(review.accountId).some((r) => r.status === 'open')) {
          throw new InvalidChange(`Refused a change: account ${review.accountId} already has an open access review`)
        }
        add('reviews', review, this.reviewsById)
        this.indexReview(review)
      },
      updateReview: (id, patch) => {
        const review = update('reviews', this.reviewsById, id, patch)
        if (review.status === 'open') this.openReviewSet.add(review)
        else this.openReviewSet.delete(review)
        return review
      },
      addLogin: (login) => {
        addCoded(login)
        add('logins', login, this.loginsById)
        this.indexLogin(login)
      },
      updateLogin: (id, patch) => {
        const login = placed(this.pendingLoginsByExpiry, update('logins', this.loginsById, id, patch))
        keepPending(this.pendingLoginsByUser, login, login.userId)
        return login
      },
      addAccount: (account) => {
        add('accounts', account, this.accountsById)
        this.indexAccount(account)
      },
      updateAccount: (id, patch) => {
        const { name, adminUserId } = found(this.accountsById, id, 'accounts')
        const account = update('accounts', this.accountsById, id, patch)
        // Renames and new admins are rare: the new key's list is made again in the order the accounts were made.
        if (account.name !== name) {
          removeFrom(this.accountsByName, name, account)
          this.accountsByName.set(account.name, data.accounts.filter((a) => a.name === account.name))
        }
        if (account.adminUserId !== adminUserId) {
          removeFrom(this.accountsByAdmin, adminUserId, account)
          this.accountsByAdmin.set(account.adminUserId, data.accounts.filter((a) => a.adminUserId === account.adminUserId))
        }
        return account
      },
      addUser: (user) => {
        add('users', user, this.usersById)
        this.usersById.set(user.id, user)
        this.indexUser(user)
      },
      addRenewal: (renewal) => {
        addCoded(renewal)
        add('renewals', renewal, this.renewalsById)
        this.indexRenewal(renewal)
      },
      updateRenewal: (id, patch) => {
        const renewal = placed(this.pendingRenewalsByExpiry, update('renewals', this.renewalsById, id, patch))
        keepPending(this.pendingRenewalsByAccount, renewal)
        return renewal
      },
      addInvitation: (invitation) => {
        addCoded(invitation)
        add('invitations', invitation, this.invitationsById)
        this.indexInvitation(invitation)
      },
      updateInvitation: (id, patch) => placed(this.pendingInvitationsByExpiry, update('invitations', this.invitationsById, id, patch)),
      setUserContact: (userId, contactId) => {
        const user = found(this.usersById, userId, 'users')
        const holder = this.usersByContact.get(contactId)
        if (holder && holder !== user) throw new InvalidChange(`Refused a change: chat contact ${contactId} is another user's`)
        log.updating('users', user)
        if (user.contactId) this.usersByContact.delete(user.contactId)
        user.contactId = contactId
        this.usersByContact.set(contactId, user)
      },
      updateUser: (userId, patch) => {
        const user = found(this.usersById, userId, 'users')
        log.updating('users', user)
        this.unindexUser(user)
        Object.assign(user, patch)
        this.indexUser(user)
        return user
      },
      addHistory: (entry) => {
        const recorded = { id: newId('h'), ...entry }
        add('history', recorded, undefined)
        insertByTime(this.historyByAccount, recorded)
      },
      enqueue: (message) => {
        const queued: OutboxMessage = { id: newId('m'), attempts: 0, ...message }
        add('outbox', queued, this.outboxById)
        this.indexMessage(queued)
        this.queuedMessages.push(queued)
        return queued
      },
      updateMessage: (id, patch) => {
        const message = update('outbox', this.outboxById, id, patch)
        this.claims.delete(id) // an attempt recorded ends its claim
        this.sentByTime.place(message)
        this.failedByTime.place(message)
        if (!isUnsent(message)) this.unsent.delete(message)
      },
      withdraw: (about, topics, at) => {
        for (const message of this.messagesAbout(about)) {
          if (message.topic && topics.includes(message.topic) && isUnsent(message)) {
            log.updating('outbox', message)
            message.withdrawnAt = at
            this.unsent.delete(message)
          }
        }
      },
      prune,
      pruneOlderThan: (cutoff) => {
        // In memory every record is at hand: one pass over each collection (the file is written once anyway).
        const requests = [...data.renewals, ...data.approvals]
        const dropRequests = new Set<Renewal | Approval>(requests.filter((r) => r.status !== 'pending' && requestExpired(r, cutoff)))
        const logins = prune('logins', (l) => !loginExpired(l, cutoff))
        // A binding goes only once nothing that stays names it.
        const named = new Set(requests.filter((r) => !dropRequests.has(r)).map((r) => r.bindingId))
        return {
          history: prune('history', (h) => !historyExpired(h, cutoff)),
          invitations: prune('invitations', (i) => !invitationExpired(i, cutoff)),
          renewals: prune('renewals', (r) => !dropRequests.has(r)),
          approvals: prune('approvals', (a) => !dropRequests.has(a)),
          logins,
          bindings: prune('bindings', (b) => !(bindingExpired(b, cutoff) && !named.has(b.id))),
        }
      },
      dropMessages: (ids) => {
        const going = new Set(ids)
        return pruneMessages((m) => !going.has(m.id))
      },
      // Messages to people who never chatted with the assistant wait until they do.
      claimDueMessages: (now, limit) => this.claimDue(this.unsent, now, limit, (message) => this.usersById.get(message.toUserId)?.contactId !== undefined),
      claimMessage: (id, now) => {
        const message = this.outboxById.get(id)
        if (!message || !this.unsent.has(message) || claimHeld(this.claims.get(id), now)) return undefined
        this.claims.set(id, now + CLAIM_LEASE)
        return message
      },
      releaseClaims: (ids, claimedAt) => { for (const id of ids) if (this.claims.get(id) === claimedAt + CLAIM_LEASE) this.claims.delete(id) },
      pruneMessages,
      addDigestEntry: (entry) => add('digestEntries', entry, undefined),
      dropDigestEntries: (ids) => {
        const going = new Set(ids)
        return drop('digestEntries', (e) => !going.has(e.id)).length
      },
      setLookupNotice: (notice) => {
        const current = this.lookupNoticesByPair.get(lookupNoticeKey(notice))
        if (current) {
          log.updating('lookupNotices', current)
          current.at = notice.at
          return current
        }
        const added: LookupNotice = { id: newId('ln'), ...notice }
        add('lookupNotices', added, undefined)
        this.lookupNoticesByPair.set(lookupNoticeKey(added), added)
        return added
      },
      forgetLookupNotices: (before) => {
        const dropped = drop('lookupNotices', (n) => Date.parse(n.at) >= before)
        for (const notice of dropped) this.lookupNoticesByPair.delete(lookupNoticeKey(notice))
        return dropped.length
      },
      setWebhook: (webhook) => {
        const current = data.webhooks[0]
        if (current && current.id === webhook.id) {
          log.updating('webhooks', current)
          for (const key of Object.keys(current)) delete (current as Record<string, unknown>)[key]
          Object.assign(current, webhook)
        } else {
          if (current) drop('webhooks', () => false)
          add('webhooks', webhook, undefined)
        }
      },
      removeWebhook: () => {
        drop('webhooks', () => false)
        return dropEvents(() => false)
      },
      addWebhookEvent: (event) => {
        add('webhookEvents', event, this.webhookEventsById)
        this.webhookEventsById.set(event.id, event)
        this.queuedMessages.push(event)
      },
      updateWebhookEvent: (id, patch) => {
        const event = update('webhookEvents', this.webhookEventsById, id, patch)
        this.claims.delete(id) // an attempt recorded ends its claim
        if (!isUndelivered(event)) this.undeliveredEvents.delete(event)
      },
      claimDueWebhookEvents: (now, limit) => this.claimDue(this.undeliveredEvents, now, limit, () => true),
      pruneWebhookEvents: (deliveredBefore, failedBefore) => dropEvents((e) =>
        !(e.deliveredAt !== undefined && Date.parse(e.deliveredAt) < deliveredBefore) && !(e.failedAt !== undefined && Date.parse(e.failedAt) < failedBefore)),
    }
  }

  /**
   * The claim both deliveries share (messages to chat contacts, events to the webhook): up to `limit` of
   * `candidates` (durable and still to deliver, oldest first) that are due by `now` (never tried, or
   * their back-off is over), pass `ready`, and are not held by a claim whose lease runs; each is then
   * held for CLAIM_LEASE.
   */
  private claimDue<R extends { id: string, nextAttemptAt?: string | undefined }> (candidates: Iterable<R>, now: Millis, limit: number, ready: (record: R) => boolean): R[] {
    const claimed: R[] = []
    for (const record of candidates) {
      if (claimed.length >= limit) break
      if (claimHeld(this.claims.get(record.id), now)) continue
      if (!attemptDue(record, now)) continue
      if (!ready(record)) continue
      claimed.push(record)
    }
    for (const record of claimed) this.claims.set(record.id, now + CLAIM_LEASE)
    return claimed
  }

  /** After an undone change: every index is made again from the document. */
  private rebuildIndexes (): void {
    for (const index of [
      this.accountsById, this.usersById, this.usersByContact, this.usersByWechatId, this.usersByPhone, this.usersByIdNumber,
      this.bindingsById, this.bindingsByUser, this.bindingsByAccount, this.accountsByAdmin, this.outboxById, this.outboxByAbout,
      this.unsent, this.renewalsById, this.renewalsByAccount, this.byCode, this.historyByAccount, this.approvalsById,
      this.approvalsByAccount, this.invitationsById, this.invitationsByInvitee, this.invitationsByAccount,
      this.shortTermByExpiry, this.pendingInvitationsByExpiry, this.pendingRenewalsByExpiry, this.pendingApprovalsByExpiry,
      this.pendingApprovalsByAccount, this.pendingRenewalsByAccount, this.accountsByName, this.sentByTime, this.failedByTime,
      this.lookupNoticesByPair,
      this.reviewsById, this.reviewsByAccount, this.openReviewSet,
      this.loginsById, this.pendingLoginsByExpiry, this.pendingLoginsByUser,
      this.undeliveredEvents, this.webhookEventsById,
    ]) index.clear()
    this.buildIndexes()
  }

  private buildIndexes (): void {
    const data = this.db.data
    for (const account of data.accounts) this.indexAccount(account)
    for (const user of data.users) {
      this.usersById.set(user.id, user)
      if (user.contactId) this.usersByContact.set(user.contactId, user)
      this.indexUser(user)
    }
    // The deadline indexes are filled at once below: one sort each instead of an insertion per record.
    for (const binding of data.bindings) this.indexBinding(binding, false)
    for (const invitation of data.invitations) this.indexInvitation(invitation, false)
    for (const renewal of data.renewals) this.indexRenewal(renewal, false)
    for (const approval of data.approvals) this.indexApproval(approval, false)
    for (const login of data.logins) this.indexLogin(login, false)
    this.shortTermByExpiry.fill(data.bindings)
    this.pendingInvitationsByExpiry.fill(data.invitations)
    this.pendingRenewalsByExpiry.fill(data.renewals)
    this.pendingApprovalsByExpiry.fill(data.approvals)
    this.pendingLoginsByExpiry.fill(data.logins)
    for (const entry of data.history) insertByTime(this.historyByAccount, entry)
    for (const notice of data.lookupNotices) this.lookupNoticesByPair.set(lookupNoticeKey(notice), notice)
    for (const review of data.reviews) this.indexReview(review)
    this.sentByTime.fill(data.outbox)
    this.failedByTime.fill(data.outbox)
    // Messages queued by changes not yet written, or being written, are not deliverable yet.
    const notYetWritten = new Set([...this.queuedMessages, ...this.writingMessages])
    for (const message of data.outbox) {
      this.indexMessage(message)
      if (isUnsent(message) && !notYetWritten.has(message)) this.unsent.add(message)
    }
    for (const event of data.webhookEvents) {
      this.webhookEventsById.set(event.id, event)
      if (isUndelivered(event) && !notYetWritten.has(event)) this.undeliveredEvents.add(event)
    }
  }

  private indexUser (user: User): void {
    const key = wechatIdKey(user.wechatId)
    const holder = this.usersByWechatId.get(key)
    if (holder && holder !== user) throw new InvalidChange(`Refused a change: WeChat ID ${user.wechatId} is another user's`)
    if (user.phone && this.usersWithPhone(user.phone).some((other) => other !== user)) throw new InvalidChange('Refused a change: the mobile number is another user\'s')
    this.usersByWechatId.set(key, user)
    if (user.phone) pushTo(this.usersByPhone, user.phone, user)
    if (user.idNumber) pushTo(this.usersByIdNumber, user.idNumber, user)
  }

  private unindexUser (user: User): void {
    this.usersByWechatId.delete(wechatIdKey(user.wechatId))
    if (user.phone) removeFrom(this.usersByPhone, user.phone, user)
    if (user.idNumber) removeFrom(this.usersByIdNumber, user.idNumber, user)
  }

  private indexInvitation (invitation: Invitation, placeByDeadline = true): void {
    this.invitationsById.set(invitation.id, invitation)
    if (placeByDeadline) this.pendingInvitationsByExpiry.place(invitation)
    this.byCode.set(invitation.code, invitation)
    pushTo(this.invitationsByInvitee, invitation.inviteeUserId, invitation)
    pushTo(this.invitationsByAccount, invitation.accountId, invitation)
  }

  private indexRenewal (renewal: Renewal, placeByDeadline = true): void {
    this.renewalsById.set(renewal.id, renewal)
    if (placeByDeadline) this.pendingRenewalsByExpiry.place(renewal)
    keepPending(this.pendingRenewalsByAccount, renewal)
    this.byCode.set(renewal.code, renewal)
    pushTo(this.renewalsByAccount, renewal.accountId, renewal)
  }

  private indexApproval (approval: Approval, placeByDeadline = true): void {
    this.approvalsById.set(approval.id, approval)
    if (placeByDeadline) this.pendingApprovalsByExpiry.place(approval)
    keepPending(this.pendingApprovalsByAccount, approval)
    this.byCode.set(approval.code, approval)
    pushTo(this.approvalsByAccount, approval.accountId, approval)
  }

  private indexReview (review: Review): void {
    this.reviewsById.set(review.id, review)
    pushTo(this.reviewsByAccount, review.accountId, review)
    if (review.status === 'open') this.openReviewSet.add(review)
  }

  private indexAccount (account: Account): void {
    this.accountsById.set(account.id, account)
    pushTo(this.accountsByAdmin, account.adminUserId, account)
    pushTo(this.accountsByName, account.name, account)
  }

  private indexLogin (login: Login, placeByDeadline = true): void {
    this.loginsById.set(login.id, login)
    if (placeByDeadline) this.pendingLoginsByExpiry.place(login)
    keepPending(this.pendingLoginsByUser, login, login.userId)
    this.byCode.set(login.code, login)
  }

  private indexBinding (binding: Binding, placeByDeadline = true): void {
    this.bindingsById.set(binding.id, binding)
    if (placeByDeadline) this.shortTermByExpiry.place(binding)
    pushTo(this.bindingsByUser, binding.userId, binding)
    pushTo(this.bindingsByAccount, binding.accountId, binding)
  }

  private indexMessage (message: OutboxMessage): void {
    this.outboxById.set(message.id, message)
    if (message.about) pushTo(this.outboxByAbout, message.about, message)
  }
}

const WRITE_ATTEMPTS = 3
/** How long one slice of preparing the first write may hold the event loop. */
const PREPARE_SLICE_MS = 1

function pendingUntil (request: { status: string, expiresAt: string }): number | undefined {
  return request.status === 'pending' ? Date.parse(request.expiresAt) : undefined
}

/** A request is in its account's (or `key`'s) pending set exactly while it is marked pending. */
function keepPending<R extends { accountId: string, status: string }> (map: Map<string, Set<R>>, request: R, key = request.accountId): void {
  let set = map.get(key)
  if (request.status === 'pending') {
    if (!set) map.set(key, set = new Set())
    set.add(request)
  } else if (set) {
    set.delete(request)
    if (set.size === 0) map.delete(key)
  }
}

/** A changed record takes its new place in a deadline index. */
function placed<R extends object> (index: DeadlineIndex<R>, record: R): R {
  index.place(record)
  return record
}

/** Still to be delivered: not sent, not given up on, not withdrawn. */
function isUnsent (message: OutboxMessage): boolean {
  return message.sentAt === undefined && message.failedAt === undefined && message.withdrawnAt === undefined
}

/** A webhook event still to be delivered: not delivered, not given up on. */
function isUndelivered (event: WebhookEvent): boolean {
  return event.deliveredAt === undefined && event.failedAt === undefined
}

/** A record a service is about to change: its absence is a bug, not a user error. */
function found<V> (map: Map<string, V>, id: string, what: string): V {
  const value = map.get(id)
  if (value === undefined) throw new InvalidChange(`Refused a change: no ${what} record ${id}`)
  return value
}

function pushTo<K, V> (map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/** Keeps each account's history ordered by time; entries of one moment keep the order they came in. */
function insertByTime (map: Map<string, HistoryEntry[]>, entry: HistoryEntry): void {
  const list = map.get(entry.accountId)
  if (!list) return void map.set(entry.accountId, [entry])
  const at = Date.parse(entry.at)
  let i = list.length
  while (i > 0 && Date.parse(list[i - 1]!.at) > at) i-- // almost always at the end already
  list.splice(i, 0, entry)
}

function removeFrom<K, V> (map: Map<K, V[]>, key: K, value: V): void {
  const rest = (map.get(key) ?? []).filter((v) => v !== value)
  if (rest.length > 0) map.set(key, rest)
  else map.delete(key)
}
