// The only importer of lowdb: loads and validates the data file, keeps indexes, and persists changes
// with group commit (every change made while a write is running shares the next write).
import { copyFile, readFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { Low } from 'lowdb'
import type { z } from 'zod'
import { wechatIdKey } from '../domain/identity.js'
import type { Millis } from '../domain/calendar.js'
import { DurableJsonFile } from './durable-json-file.js'
import { FileLock } from './file-lock.js'
import { StoreError } from './errors.js'
import { materialiseSeed } from './seed.js'
import { migrate } from './migrations.js'
import { DataSchema, SCHEMA_VERSION, SeedSchema } from './schema.js'
import type { Account, Approval, Binding, Data, HistoryEntry, Invitation, OutboxMessage, OutboxTopic, Renewal, User } from './schema.js'

export interface StoreOptions {
  /** The runtime data file; created from the seed when missing. */
  file: string
  /** The demo world to start from when the data file does not exist yet. */
  seedFile?: string | undefined
  now: Millis
}

/** The changes a service may make; each keeps the indexes true. */
export interface Transaction {
  newId: (prefix: string) => string
  addBinding: (binding: Binding) => void
  updateBinding: (id: string, patch: Partial<Binding>) => Binding
  addApproval: (approval: Approval) => void
  updateApproval: (id: string, patch: Partial<Approval>) => Approval
  updateAccount: (id: string, patch: Partial<Omit<Account, 'id' | 'adminUserId'>>) => Account
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
}

export class Store {
  private closed = false
  /** Set when a write failed for good: every later change is refused with it. */
  private broken: StoreError | undefined
  /** Messages queued by changes not yet on disk: the outbox sees them only once they are. */
  private readonly queuedMessages: OutboxMessage[] = []
  private writing: Promise<void> | undefined
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
  /** Messages on disk and still to be delivered, oldest first. */
  private readonly unsent = new Set<OutboxMessage>()
  private readonly renewalsById = new Map<string, Renewal>()
  /** Every short code in use (invitations, renewals, approvals): codes are unique across them. */
  private readonly byCode = new Map<string, Invitation | Renewal | Approval>()
  private readonly historyByAccount = new Map<string, HistoryEntry[]>()
  private readonly approvalsById = new Map<string, Approval>()
  private readonly invitationsById = new Map<string, Invitation>()
  private readonly invitationsByInvitee = new Map<string, Invitation[]>()
  private readonly invitationsByAccount = new Map<string, Invitation[]>()

  private constructor (
    private readonly db: Low<Data>,
    private readonly adapter: DurableJsonFile<Data>,
    private readonly lock: FileLock,
  ) {
    this.buildIndexes()
  }

  static async open (options: StoreOptions): Promise<Store> {
    const lock = FileLock.acquire(options.file)
    try {
      const adapter = new DurableJsonFile<Data>(options.file)
      const db = new Low<Data>(adapter, emptyData())
      const raw = await adapter.read()
      if (raw === null) {
        db.data = options.seedFile ? await loadSeed(options.seedFile, options.now) : emptyData()
        await db.write()
      } else {
        const migrated = migrate(raw, SCHEMA_VERSION)
        db.data = validate(options.file, migrated ?? raw)
        // Keep the file as it was before its first write in the new version.
        if (migrated) await copyFile(options.file, `${options.file}.v${(raw as { version: number }).version}.bak`)
      }
      return new Store(db, adapter, lock)
    } catch (err) {
      lock.release()
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
  /** The pushes about one record (an invitation, a binding), oldest first. */
  messagesAbout (about: string): OutboxMessage[] { return this.db.data.outbox.filter((m) => m.about === about) }
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
  codeInUse (code: string): boolean { return this.byCode.has(code) }
  renewalByCode (code: string): Renewal | undefined { const r = this.byCode.get(code); return r && 'bindingId' in r ? r : undefined }
  approvalByCode (code: string): Approval | undefined { const a = this.byCode.get(code); return a && 'operation' in a ? a : undefined }
  /** The account's history, oldest first. */
  historyOf (accountId: string): readonly HistoryEntry[] { return this.historyByAccount.get(accountId) ?? [] }
  invitationsOfUser (userId: string): readonly Invitation[] { return this.invitationsByInvitee.get(userId) ?? [] }
  invitationsOfAccount (accountId: string): readonly Invitation[] { return this.invitationsByAccount.get(accountId) ?? [] }

  /**
   * Applies `apply` to the data now and resolves once it is on disk. `apply` checks before it changes
   * anything: a throw after a change would leave memory ahead of the file.
   */
  async change<T> (apply: (tx: Transaction) => T): Promise<T> {
    if (this.closed) throw new Error('The store is closed')
    if (this.broken) throw this.broken
    const result = apply(this.transaction())
    await this.persist()
    return result
  }

  /** Waits for pending writes, then lets another process have the file. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    while (this.writing) await this.writing.catch(() => undefined)
    this.lock.release()
  }

  private persist (): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }))
    this.writing ??= this.writeLoop()
    return done
  }

  private async writeLoop (): Promise<void> {
    // Let changes made in the same turn of the event loop join this write.
    await new Promise((resolve) => setImmediate(resolve))
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0)
      // Taken together with the batch: the write below serialises exactly these changes.
      const messages = this.queuedMessages.splice(0)
      try {
        await this.writeWithRetry()
        for (const message of messages) if (isUnsent(message)) this.unsent.add(message)
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
  private async writeWithRetry (): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.write()
      } catch (err) {
        if (attempt >= WRITE_ATTEMPTS) throw err
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
      }
    }
  }

  private transaction (): Transaction {
    const data = this.db.data
    return {
      newId: (prefix) => `${prefix}_${randomBytes(6).toString('hex')}`,
      addBinding: (binding) => {
        data.bindings.push(binding)
        this.indexBinding(binding)
      },
      updateBinding: (id, patch) => Object.assign(found(this.bindingsById, id, 'binding'), patch),
      addApproval: (approval) => {
        data.approvals.push(approval)
        this.approvalsById.set(approval.id, approval)
        this.byCode.set(approval.code, approval)
      },
      updateApproval: (id, patch) => Object.assign(found(this.approvalsById, id, 'approval'), patch),
      updateAccount: (id, patch) => Object.assign(found(this.accountsById, id, 'account'), patch),
      addUser: (user) => {
        data.users.push(user)
        this.usersById.set(user.id, user)
        this.indexUser(user)
      },
      addRenewal: (renewal) => {
        data.renewals.push(renewal)
        this.renewalsById.set(renewal.id, renewal)
        this.byCode.set(renewal.code, renewal)
      },
      updateRenewal: (id, patch) => Object.assign(found(this.renewalsById, id, 'renewal'), patch),
      addInvitation: (invitation) => {
        data.invitations.push(invitation)
        this.indexInvitation(invitation)
      },
      updateInvitation: (id, patch) => Object.assign(found(this.invitationsById, id, 'invitation'), patch),
      setUserContact: (userId, contactId) => {
        const user = found(this.usersById, userId, 'user')
        if (user.contactId) this.usersByContact.delete(user.contactId)
        user.contactId = contactId
        this.usersByContact.set(contactId, user)
      },
      updateUser: (userId, patch) => {
        const user = found(this.usersById, userId, 'user')
        this.unindexUser(user)
        Object.assign(user, patch)
        this.indexUser(user)
        return user
      },
      addHistory: (entry) => {
        const recorded = { id: `h_${randomBytes(6).toString('hex')}`, ...entry }
        data.history.push(recorded)
        pushTo(this.historyByAccount, recorded.accountId, recorded)
      },
      enqueue: (message) => {
        const queued: OutboxMessage = { id: `m_${randomBytes(6).toString('hex')}`, attempts: 0, ...message }
        data.outbox.push(queued)
        this.outboxById.set(queued.id, queued)
        this.queuedMessages.push(queued)
        return queued
      },
      updateMessage: (id, patch) => {
        const message = Object.assign(found(this.outboxById, id, 'outbox message'), patch)
        if (!isUnsent(message)) this.unsent.delete(message)
      },
      withdraw: (about, topics, at) => {
        for (const message of data.outbox) {
          if (message.about === about && message.topic && topics.includes(message.topic) && isUnsent(message)) {
            message.withdrawnAt = at
            this.unsent.delete(message)
          }
        }
      },
      pruneMessages: (keep) => {
        const dropped = data.outbox.filter((m) => !keep(m))
        if (dropped.length === 0) return 0
        data.outbox = data.outbox.filter(keep)
        for (const message of dropped) {
          this.outboxById.delete(message.id)
          this.unsent.delete(message)
        }
        return dropped.length
      },
    }
  }

  private buildIndexes (): void {
    const data = this.db.data
    for (const account of data.accounts) {
      this.accountsById.set(account.id, account)
      pushTo(this.accountsByAdmin, account.adminUserId, account)
    }
    for (const user of data.users) {
      this.usersById.set(user.id, user)
      if (user.contactId) this.usersByContact.set(user.contactId, user)
      this.indexUser(user)
    }
    for (const binding of data.bindings) this.indexBinding(binding)
    for (const invitation of data.invitations) this.indexInvitation(invitation)
    for (const renewal of data.renewals) {
      this.renewalsById.set(renewal.id, renewal)
      this.byCode.set(renewal.code, renewal)
    }
    for (const approval of data.approvals) {
      this.approvalsById.set(approval.id, approval)
      this.byCode.set(approval.code, approval)
    }
    for (const entry of data.history) pushTo(this.historyByAccount, entry.accountId, entry)
    for (const message of data.outbox) {
      this.outboxById.set(message.id, message)
      if (isUnsent(message)) this.unsent.add(message)
    }
    this.checkUnique()
  }

  /** What must be unique is: an index smaller than its list means two records share a key. */
  private checkUnique (): void {
    const data = this.db.data
    const keys: Array<[string, number, Array<string | undefined>]> = [
      ['account id', this.accountsById.size, data.accounts.map((a) => a.id)],
      ['user id', this.usersById.size, data.users.map((u) => u.id)],
      ['WeChat ID', this.usersByWechatId.size, data.users.map((u) => wechatIdKey(u.wechatId))],
      ['chat contact', this.usersByContact.size, data.users.map((u) => u.contactId)],
      ['mobile number', this.usersByPhone.size, data.users.map((u) => u.phone)],
      ['binding id', this.bindingsById.size, data.bindings.map((b) => b.id)],
      ['code', this.byCode.size, [...data.invitations, ...data.renewals, ...data.approvals].map((r) => r.code)],
    ]
    const problems = keys
      .filter(([, indexed, values]) => indexed !== values.filter((v) => v !== undefined).length)
      .map(([what, , values]) => `${what} ${firstRepeat(values)} appears twice`)
    if (problems.length > 0) {
      throw new StoreError(`The data file ${this.adapter.file} is inconsistent: ${problems.slice(0, 3).join('; ')}. It was left untouched.`)
    }
  }

  private indexUser (user: User): void {
    this.usersByWechatId.set(wechatIdKey(user.wechatId), user)
    if (user.phone) pushTo(this.usersByPhone, user.phone, user)
    if (user.idNumber) pushTo(this.usersByIdNumber, user.idNumber, user)
  }

  private unindexUser (user: User): void {
    this.usersByWechatId.delete(wechatIdKey(user.wechatId))
    if (user.phone) removeFrom(this.usersByPhone, user.phone, user)
    if (user.idNumber) removeFrom(this.usersByIdNumber, user.idNumber, user)
  }

  private indexInvitation (invitation: Invitation): void {
    this.invitationsById.set(invitation.id, invitation)
    this.byCode.set(invitation.code, invitation)
    pushTo(this.invitationsByInvitee, invitation.inviteeUserId, invitation)
    pushTo(this.invitationsByAccount, invitation.accountId, invitation)
  }

  private indexBinding (binding: Binding): void {
    this.bindingsById.set(binding.id, binding)
    pushTo(this.bindingsByUser, binding.userId, binding)
    pushTo(this.bindingsByAccount, binding.accountId, binding)
  }
}

const WRITE_ATTEMPTS = 3

/** Still to be delivered: not sent, not given up on, not withdrawn. */
function isUnsent (message: OutboxMessage): boolean {
  return message.sentAt === undefined && message.failedAt === undefined && message.withdrawnAt === undefined
}

/** A record a service is about to change: its absence is a bug, not a user error. */
function found<V> (map: Map<string, V>, id: string, what: string): V {
  const value = map.get(id)
  if (value === undefined) throw new Error(`No ${what} ${id}`)
  return value
}

function pushTo<K, V> (map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

function firstRepeat (values: Array<string | undefined>): string | undefined {
  const seen = new Set<string>()
  for (const value of values) {
    if (value === undefined) continue
    if (seen.has(value)) return value
    seen.add(value)
  }
  return undefined
}

function removeFrom<K, V> (map: Map<K, V[]>, key: K, value: V): void {
  const rest = (map.get(key) ?? []).filter((v) => v !== value)
  if (rest.length > 0) map.set(key, rest)
  else map.delete(key)
}

function emptyData (): Data {
  return { version: SCHEMA_VERSION, accounts: [], users: [], bindings: [], invitations: [], renewals: [], approvals: [], history: [], outbox: [] }
}

async function loadSeed (seedFile: string, now: Millis): Promise<Data> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(seedFile, 'utf8'))
  } catch (err) {
    throw new StoreError(`Cannot read the seed file ${seedFile}: ${(err as Error).message}`)
  }
  const parsed = SeedSchema.safeParse(raw)
  if (!parsed.success) throw new StoreError(`The seed file ${seedFile} is not valid: ${describeIssues(parsed.error)}`)
  const data = materialiseSeed(parsed.data, now)
  checkReferences(seedFile, data)
  return data
}

function validate (file: string, raw: unknown): Data {
  const version = (raw as { version?: unknown } | null)?.version
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new StoreError(
      `The data file ${file} has schema version ${version}, newer than this assistant understands (${SCHEMA_VERSION}). ` +
      'It was left untouched: run a newer version of the assistant.',
    )
  }
  const parsed = DataSchema.safeParse(raw)
  if (!parsed.success) {
    throw new StoreError(`The data file ${file} does not match the schema (${describeIssues(parsed.error)}). It was left untouched.`)
  }
  checkReferences(file, parsed.data)
  return parsed.data
}

function describeIssues (error: z.ZodError): string {
  return error.issues.slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`)
    .join('; ')
}

/** Records that point at nothing would break lookups later: refuse them at load. */
function checkReferences (file: string, data: Data): void {
  const accounts = new Set(data.accounts.map((a) => a.id))
  const users = new Set(data.users.map((u) => u.id))
  const problems: string[] = []
  for (const account of data.accounts) {
    if (!users.has(account.adminUserId)) problems.push(`account ${account.id} has an unknown admin ${account.adminUserId}`)
  }
  for (const binding of data.bindings) {
    if (!accounts.has(binding.accountId)) problems.push(`binding ${binding.id} names an unknown account ${binding.accountId}`)
    if (!users.has(binding.userId)) problems.push(`binding ${binding.id} names an unknown user ${binding.userId}`)
  }
  for (const invitation of data.invitations) {
    if (!accounts.has(invitation.accountId)) problems.push(`invitation ${invitation.id} names an unknown account ${invitation.accountId}`)
    if (!users.has(invitation.inviteeUserId)) problems.push(`invitation ${invitation.id} names an unknown invitee ${invitation.inviteeUserId}`)
  }
  if (problems.length > 0) {
    throw new StoreError(`The data file ${file} is inconsistent: ${problems.slice(0, 3).join('; ')}. It was left untouched.`)
  }
}
