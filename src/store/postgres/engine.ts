// The store contract (store/contract.ts) on PostgreSQL: the reads as SQL (outside a transaction on the
// pool, inside one on its connection), and transactions as BEGIN … COMMIT on one connection in which the
// writes of the synchronous Transaction are statements. Records come back in the JSON document's shape.
//
// Serialisation: every transaction first takes one transaction-level advisory lock (TRANSACTION_LOCK), so
// the transactions of all processes on a database take turns, exactly as the embedded engine's do in one
// process: what a transaction read still holds when it writes, whatever the isolation level, and no work
// is ever run twice (SERIALIZABLE would need `work` to be safe to retry on 40001, and the contract does not
// ask that of it). Within a process transactions queue before they take a connection, so waiting ones do
// not hold the pool's connections that reads outside a transaction need. Reads outside a transaction run
// at READ COMMITTED on the pool: they see only committed state, and never wait for the lock.
import type { Pool, PoolClient } from 'pg'
import type { Millis } from '../../domain/calendar.js'
import { latestEnd } from '../../domain/deadlines.js'
import { LONGEST_RETRY_DELAY } from '../../domain/rate-limit.js'
import type { LimitDecision, WindowLimit } from '../../domain/rate-limit.js'
import { CLAIM_LEASE, newId } from '../contract.js'
import type { Async, ConversationState, Holdings, Reads, StoreEngine, StoreReader, StoreTransaction, UserHoldings, WebhookBacklog } from '../contract.js'
import { recordProblem } from '../consistency.js'
import type { Collection } from '../consistency.js'
import { InvalidChange } from '../errors.js'
import type { Account, Binding, Data, LookupNotice, OutboxMessage, User, WebhookEvent } from '../schema.js'
import type { Transaction } from '../store.js'
import { importDocument } from './copy.js'
import { migrate } from './migrate.js'
import { CODE_KINDS, fromRow, TABLES, toParam, toRow } from './tables.js'
import type { Table } from './tables.js'

export interface PostgresEngineOptions {
  /** A document (the demo world) to fill the database with when it holds no state yet, or how to get it (asked only then). */
  seed?: Data | (() => Promise<Data>) | undefined
  /** close() leaves the pool open: it is the host's (by default the engine owns the pool and ends it). */
  keepPool?: boolean | undefined
}

/** Held by each transaction from its start to its end: one at a time across every process of the program. */
export const TRANSACTION_LOCK = 0x5ECA552 // migrate.ts uses 0x5ECA551
/** A message still to be delivered (not sent, not given up on, not withdrawn). */
const UNSENT = 'sent_at is null and failed_at is null and withdrawn_at is null'
/** A webhook event still to be delivered (not delivered, not given up on). */
const UNDELIVERED = 'delivered_at is null and failed_at is null'
/** One of those conditions on the table aliased `o`. */
const onAliasO = (condition: string): string => `o.${condition.replaceAll(' and ', ' and o.')}`

type Row = Record<string, unknown>
type AnyRecord = Data[Collection][number]
type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>

const TABLE = Object.fromEntries(TABLES.map((t) => [t.collection, t])) as Record<Collection, Table>
/** The collections whose records carry a short code registered in `codes`, and the kind it is registered as. */
const CODED: Partial<Record<Collection, string>> = CODE_KINDS

/**
 * Brings the database's schema up to date (migrations), fills it from `seed` if it is empty, and returns
 * the engine. The engine owns the pool, and close() ends it, unless `keepPool`.
 */
export async function openPostgresEngine (pool: Pool, options: PostgresEngineOptions = {}): Promise<StoreEngine> {
  await migrate(pool)
  if (options.seed && !await holdsState(pool)) {
    // Two processes starting at once on an empty database: one imports, the other is refused and finds the state.
    const seed = typeof options.seed === 'function' ? await options.seed() : options.seed
    await importDocument(pool, seed).catch(async (err: unknown) => { if (!await holdsState(pool)) throw err })
  }
  return new PostgresEngine(pool, options.keepPool === true).view()
}

async function holdsState (pool: Pool): Promise<boolean> {
  const { rows } = await pool.query<{ held: boolean }>('select exists (select from users) or exists (select from accounts) as held')
  return rows[0]!.held
}

class PostgresEngine {
  private closed = false
  private turns: Promise<void> = Promise.resolve()

  constructor (private readonly pool: Pool, private readonly keepPool = false) {}

  view (): StoreEngine {
    return {
      ...readsOn(this.pool, () => undefined),
      ...conversationOn(this.pool),
      transaction: (work) => this.transaction(work),
      failure: () => undefined, // a database error fails its own transaction only; the next one gets another connection
      close: () => this.close(),
    }
  }

  async transaction<T> (work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('The store is closed')
    const previous = this.turns
    let done!: () => void
    this.turns = new Promise<void>((resolve) => { done = resolve })
    await previous
    try {
      return await this.run(work)
    } finally {
      done()
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.turns
    if (!this.keepPool) await this.pool.end()
  }

  private async run<T> (work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    let broken: Error | undefined
    try {
      await client.query(`begin; select pg_advisory_xact_lock(${TRANSACTION_LOCK})`)
      const state: TxState = { client, failed: undefined, ended: false, known: new Map() }
      try {
        const result = await work(transactionOn(state))
        // `work` caught a statement's error and went on: PostgreSQL has aborted the transaction (a COMMIT would only roll back).
        if (state.failed) throw state.failed
        await client.query('commit').catch((err: unknown) => { throw refusal(err, 'the commit') })
        state.ended = true
        return result
      } catch (err) {
        state.ended = true
        await client.query('rollback').catch((rollbackFailed: unknown) => {
          broken = rollbackFailed instanceof Error ? rollbackFailed : new Error(String(rollbackFailed))
        })
        throw err
      }
    } finally {
      // A connection whose rollback failed is in an unknown state: the pool discards it.
      client.release(broken)
    }
  }
}

interface TxState {
  client: PoolClient
  /** The first statement that failed: the transaction is aborted from then on. */
  failed: Error | undefined
  ended: boolean
  /**
   * Records as this transaction last read or wrote them, by collection and id. Every transaction that
   * writes holds TRANSACTION_LOCK, so no other one changes them meanwhile: update() patches the record
   * known here instead of reading it again (a round trip under the lock). Statements that change rows
   * without returning them (withdraw, the prunes) forget what they may have changed.
   */
  known: Map<string, AnyRecord>
}

const knownKey = (collection: Collection, id: string): string => `${collection} ${id}`

/** `insert into <table> (<columns>) values ($1, …)`: the values are the columns' parameters, in order. */
const insertInto = (table: Table, columns: readonly { column: string }[]): string =>
  `insert into ${table.table} (${columns.map((c) => c.column).join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`

// ---------------------------------------------------------------------------------------------- reads

/** The columns of a collection's table, and for users their follows in order, as one select list. */
function selectList (collection: Collection): string {
  const table = TABLE[collection]
  const columns = table.columns.map((c) => `${table.table}.${c.column}`).join(', ')
  if (collection !== 'users') return columns
  // ::text: an array of the nonempty_text domain would reach the driver as an unparsed string.
  return `${columns}, coalesce((select array_agg(f.account_id::text order by f.seq) from user_follows f where f.user_id = users.id), '{}'::text[]) as follows`
}

function recordOf (collection: Collection, row: Row): AnyRecord {
  const record = fromRow(TABLE[collection], row)
  if (collection === 'users') record.follows = row.follows
  return record as AnyRecord
}

/** Names given to statement texts: a connection parses and plans a named statement once, then only binds and runs it. */
const STATEMENT_NAMES = new Map<string, string>()

/**
 * A statement as a named prepared statement. Every text this engine sends is made from its own constants
 * (values always travel as parameters), so the texts are few and the map stays small.
 */
function prepared (text: string, values: unknown[]): { name: string, text: string, values: unknown[] } {
  let name = STATEMENT_NAMES.get(text)
  if (name === undefined) STATEMENT_NAMES.set(text, name = `a${STATEMENT_NAMES.size}`)
  return { name, text, values }
}

/** Records of a collection matching `where`, by `order` (the document's order, `seq`, unless told). */
async function select<C extends Collection> (db: Queryable, collection: C, where: string, params: unknown[], order = 'seq', lock = ''): Promise<Array<Data[C][number]>> {
  // PostgreSQL refuses a NUL in text, even to compare with; no stored text holds one (the schema refuses
  // control characters), so a value with one, typed by someone (操作记录 \0), matches nothing.
  if (params.some((p) => typeof p === 'string' && p.includes('\u0000'))) return []
  const { rows } = await db.query<Row>(prepared(`select ${selectList(collection)} from ${TABLE[collection].table} where ${where} order by ${order} ${lock}`, params))
  return rows.map((row) => recordOf(collection, row) as Data[C][number])
}

/**
 * Every read of the contract on `db`. `guard` runs around each statement inside a transaction (to refuse
 * reads once it ended, and to note a failed statement); outside one it is absent.
 */
function readsOn (db: Queryable, guard: () => TxState | undefined): StoreReader {
  const query = async <R>(read: () => Promise<R>): Promise<R> => {
    const state = guard()
    if (!state) return read()
    if (state.ended) throw new Error('The transaction has ended')
    if (state.failed) throw state.failed
    try {
      return await read()
    } catch (err) {
      state.failed ??= refusal(err, 'a read')
      throw state.failed
    }
  }
  const many = <C extends Collection>(collection: C, where: string, params: unknown[], order?: string) =>
    query(async () => {
      const records = await select(db, collection, where, params, order)
      const known = guard()?.known
      if (known) for (const record of records) known.set(knownKey(collection, record.id), record)
      return records
    })
  const one = async <C extends Collection>(collection: C, where: string, params: unknown[]) =>
    (await many(collection, where, params))[0]
  const due = (time: Millis): Date => new Date(time)
  const reads: Async<Reads> = {
    account: (id) => one('accounts', 'id = $1', [id]),
    user: (id) => one('users', 'id = $1', [id]),
    userByContact: (contactId) => one('users', 'contact_id = $1', [contactId]),
    // The unique index is on lower(wechat_id); wechatIdKey lower-cases the same (ASCII) letters.
    userByWechatId: (wechatId) => one('users', 'lower(wechat_id) = lower($1)', [wechatId]),
    usersWithPhone: (phone) => many('users', 'phone = $1', [phone]),
    usersWithIdNumber: (idNumber) => many('users', 'id_number = $1', [idNumber]),
    binding: (id) => one('bindings', 'id = $1', [id]),
    bindingsOfUser: (userId) => many('bindings', 'user_id = $1', [userId]),
    bindingsOfAccount: (accountId) => many('bindings', 'account_id = $1', [accountId]),
    accountsAdministeredBy: (userId) => many('accounts', 'admin_user_id = $1', [userId]),
    administers: (userId, accountId) => query(async () => {
      const { rows } = await db.query<{ yes: boolean }>('select exists (select from accounts where id = $1 and admin_user_id = $2) as yes', [accountId, userId])
      return rows[0]!.yes
    }),
    approval: (id) => one('approvals', 'id = $1', [id]),
    approvalsOfAccount: (accountId) => many('approvals', 'account_id = $1', [accountId]),
    renewalsOfAccount: (accountId) => many('renewals', 'account_id = $1', [accountId]),
    pendingApprovalsOf: (accountId) => many('approvals', `account_id = $1 and status = 'pending'`, [accountId]),
    pendingRenewalsOf: (accountId) => many('renewals', `account_id = $1 and status = 'pending'`, [accountId]),
    // A code once registered stays taken, even after its request was pruned (it is never handed out again).
    codeInUse: (code) => query(async () => {
      const { rows } = await db.query<{ yes: boolean }>('select exists (select from codes where code = $1) as yes', [code])
      return rows[0]!.yes
    }),
    renewalByCode: (code) => one('renewals', 'code = $1', [code]),
    approvalByCode: (code) => one('approvals', 'code = $1', [code]),
    login: (id) => one('logins', 'id = $1', [id]),
    loginByCode: (code) => one('logins', 'code = $1', [code]),
    pendingLoginsOf: (userId) => many('logins', `user_id = $1 and status = 'pending'`, [userId]),
    pendingLoginsDueBy: (time) => many('logins', `status = 'pending' and expires_at <= $1`, [due(time)], 'expires_at, seq'),
    // By when each thing happened; entries of one moment in the order they were recorded.
    historyOf: (accountId) => many('history', 'account_id = $1', [accountId], 'at, seq'),
    invitationsOfUser: (userId) => many('invitations', 'invitee_user_id = $1', [userId]),
    invitationsOfAccount: (accountId) => many('invitations', 'account_id = $1', [accountId]),
    messagesAbout: (about) => many('outbox', 'about = $1', [about]),
    shortTermExpiringBy: (time) => many('bindings', `role = 'short' and ended_at is null and expires_at <= $1`, [due(time)], 'expires_at, seq'),
    pendingInvitationsDueBy: (time) => many('invitations', `status = 'pending' and expires_at <= $1`, [due(time)], 'expires_at, seq'),
    pendingRenewalsDueBy: (time) => many('renewals', `status = 'pending' and expires_at <= $1`, [due(time)], 'expires_at, seq'),
    pendingApprovalsDueBy: (time) => many('approvals', `status = 'pending' and expires_at <= $1`, [due(time)], 'expires_at, seq'),
    accountNamed: (name) => one('accounts', 'name = $1', [name]),
    counts: () => query(async () => {
      const { rows } = await db.query<Holdings>('select (select count(*) from accounts)::int as accounts, (select count(*) from bindings)::int as bindings')
      return { accounts: rows[0]!.accounts, bindings: rows[0]!.bindings }
    }),
    message: (id) => one('outbox', 'id = $1', [id]),
    // Committed is durable: every message still to send is deliverable.
    deliverable: (id) => query(async () => {
      const { rows } = await db.query<{ yes: boolean }>(`select exists (select from outbox where id = $1 and ${UNSENT}) as yes`, [id])
      return rows[0]!.yes
    }),
    messagesSentBefore: (time) => many('outbox', 'sent_at < $1', [due(time)], 'sent_at, seq'),
    messagesFailedBefore: (time) => many('outbox', 'failed_at < $1', [due(time)], 'failed_at, seq'),
    accountsInOrder: (offset, limit) => many('accounts', 'true', [offset, limit], 'seq offset $1 limit $2'),
    usersInOrder: (offset, limit) => many('users', 'true', [offset, limit], 'seq offset $1 limit $2'),
    review: (id) => one('reviews', 'id = $1', [id]),
    reviewsOfAccount: (accountId) => many('reviews', 'account_id = $1', [accountId]),
    openReviews: () => many('reviews', `status = 'open'`, [], 'started_at, seq'),
    accountsToReview: () => many('accounts', `exists (select from bindings b where b.account_id = accounts.id and b.role = 'long' and b.ended_at is null)
      and not exists (select from reviews r where r.account_id = accounts.id and r.status = 'open')`, []),
    // What claimDueMessages would offer, claimed or not.
    outboxBacklog: (now) => query(async () => {
      const { rows } = await db.query<{ due: number, oldest: Date | null }>(`select count(*)::int as due, min(o.created_at) as oldest
        from outbox o join users u on u.id = o.to_user_id
        where ${onAliasO(UNSENT)} and ${waitOverSql('o.next_attempt_at', '$1', '$2')} and u.contact_id is not null`, [due(now), backOffLatest(now)])
      const { due: count, oldest } = rows[0]!
      return oldest ? { due: count, oldestQueuedAt: oldest.toISOString() } : { due: count }
    }),
    digestEntriesBefore: (time) => many('digestEntries', 'at < $1', [due(time)], 'at, seq'),
    lookupNotice: (askerKey, ownerUserId) => one('lookupNotices', 'asker_key = $1 and owner_user_id = $2', [askerKey, ownerUserId]),
    webhook: () => one('webhooks', 'true', []),
    webhookEvents: (limit) => many('webhookEvents', 'true', [limit], 'seq desc limit $1'),
    webhookBacklog: (now) => query(async () => {
      const { rows } = await db.query<{ pending: number, due: number, oldest: Date | null, failed: number, last_failed: Date | null }>(`select
          (select count(*)::int from webhook_events where ${UNDELIVERED}) as pending,
          (select count(*)::int from webhook_events where ${UNDELIVERED} and ${waitOverSql('next_attempt_at', '$1', '$2')}) as due,
          (select min(created_at) from webhook_events where ${UNDELIVERED}) as oldest,
          (select count(*)::int from webhook_events where failed_at is not null) as failed,
          (select max(failed_at) from webhook_events where failed_at is not null) as last_failed`, [due(now), backOffLatest(now)])
      const row = rows[0]!
      const backlog: WebhookBacklog = { pending: row.pending, due: row.due, failed: row.failed }
      if (row.oldest) backlog.oldestQueuedAt = row.oldest.toISOString()
      if (row.last_failed) backlog.lastFailedAt = row.last_failed.toISOString()
      return backlog
    }),
  }
  return reads
}

// ------------------------------------------------------------------------------- conversation state

/**
 * Dialog steps and the lookup limit, on the pool and outside the global transaction lock: each write is
 * one statement about one sender, on the unlogged tables of migration 007, so its commit does not wait for
 * a WAL flush (the embedded engine keeps this state in memory only; a server crash empties these tables).
 * The lookup limit is one upsert per decision: ON CONFLICT DO UPDATE locks the asker's row and works on its
 * latest version, so two processes counting the same person's lookups at once still count them all.
 */
function conversationOn (pool: Pool): ConversationState {
  /** The upsert's answer: `hits` (bigint[], which the driver gives as strings) and whether it took one. */
  const decisionOf = (row: Row, limit: WindowLimit): LimitDecision => {
    const hits = (row.hits as string[]).map(Number)
    return row.took === true ? { allowed: true, hits } : { allowed: false, hits, retryAt: hits[0]! + limit.windowMs }
  }
  const hitParams = (askerKey: string, now: Millis, limit: WindowLimit): unknown[] => [askerKey, now, limit.max, now - limit.windowMs]
  return {
    dialog: async (sender) => {
      const { rows } = await pool.query<{ step: string, data: unknown, expires_at: Date }>('select step, data, expires_at from dialogs where sender = $1', [sender])
      const row = rows[0]
      return row ? { step: row.step, data: row.data, expiresAt: row.expires_at.getTime() } : undefined
    },
    setDialog: async (sender, step, expiresAt) => {
      await pool.query({ name: 'set_dialog', text: SET_DIALOG, values: [sender, step.step, JSON.stringify(step.data ?? {}), new Date(expiresAt)] })
    },
    clearDialog: async (sender) => { await pool.query({ name: 'clear_dialog', text: 'delete from dialogs where sender = $1', values: [sender] }) },
    forgetDialogs: async (before) => { await pool.query('delete from dialogs where expires_at < $1', [new Date(before)]) },
    takeLookupHit: async (askerKey, now, limit) => {
      const { rows } = await pool.query<Row>({ name: 'take_lookup_hit', text: TAKE_HIT_UPSERT, values: hitParams(askerKey, now, limit) })
      return decisionOf(rows[0]!, limit)
    },
    takeLookup: async (askerKey, now, limit, holders) => {
      const { rows } = await pool.query<Row>({ name: 'take_lookup', text: TAKE_LOOKUP, values: [...hitParams(askerKey, now, limit), holders.userId, holders.idNumber ?? null] })
      const row = rows[0]!
      const decision = decisionOf(row, limit)
      if (!decision.allowed) return { decision, holdings: [] }
      const holdings = new Map<string, UserHoldings & { administers: Account[], bindings: Array<{ binding: Binding, accountName: string }> }>()
      for (const json of row.users as Row[]) {
        const user = recordFromJson('users', json) as User
        holdings.set(user.id, { user, administers: [], bindings: [] })
      }
      for (const json of row.administers as Row[]) {
        const account = recordFromJson('accounts', json) as Account
        holdings.get(account.adminUserId)?.administers.push(account)
      }
      for (const json of row.bindings as Row[]) {
        const binding = recordFromJson('bindings', json) as Binding
        holdings.get(binding.userId)?.bindings.push({ binding, accountName: json.account_name as string })
      }
      return { decision, holdings: [...holdings.values()] }
    },
    sender: async (contactId) => {
      const { rows } = await pool.query<Row>({ name: 'sender', text: SENDER, values: [contactId] })
      const row = rows[0]!
      return {
        user: row.id === null ? undefined : recordOf('users', row) as User,
        dialog: row.dialog_step === null ? undefined : { step: row.dialog_step as string, data: row.dialog_data, expiresAt: (row.dialog_expires_at as Date).getTime() },
      }
    },
    forgetLookupHits: async (before) => { await pool.query('delete from lookup_limits where $1 >= all(hits)', [before]) },
  }
}

const SET_DIALOG = `insert into dialogs (sender, step, data, expires_at) values ($1, $2, $3::jsonb, $4)
  on conflict (sender) do update set step = excluded.step, data = excluded.data, expires_at = excluded.expires_at`

/**
 * A wait column (a back-off's next_attempt_at, a claim's claimed_until) over by `now` as domain/deadlines.ts
 * waitOver reads it: none, reached, or ending after `latest` (set before the clock went back).
 */
function waitOverSql (column: string, now: string, latest: string): string {
  return `(${column} is null or ${column} <= ${now} or ${column} > ${latest})`
}
/** The latest a back-off (domain/rate-limit.ts attemptDue), or a claim's lease (store/contract.ts claimHeld), set by `now` can end. */
const backOffLatest = (now: Millis): Date => new Date(latestEnd(LONGEST_RETRY_DELAY, now))
const leaseLatest = (now: Millis): Date => new Date(latestEnd(CLAIM_LEASE, now))

/**
 * domain/rate-limit.ts takeHit as one upsert on the asker's row: $1 the asker, $2 now, $3 the limit's max,
 * $4 the start of its window (hits at or before it no longer count, and are dropped; hits after now, from
 * before the clock was set back, count as made now: migration 008).
 */
const TAKE_HIT_UPSERT = `insert into lookup_limits as l (asker_key, hits, took)
    values ($1, case when $3::int > 0 then array[$2::bigint] else '{}'::bigint[] end, $3::int > 0)
  on conflict (asker_key) do update set
    hits = case when cardinality(lookup_hits_within(l.hits, $4::bigint, $2::bigint)) >= $3::int then lookup_hits_within(l.hits, $4::bigint, $2::bigint)
      else lookup_hits_within(l.hits, $4::bigint, $2::bigint) || $2::bigint end,
    took = cardinality(lookup_hits_within(l.hits, $4::bigint, $2::bigint)) < $3::int
  returning hits, took`

/**
 * The hit, then (only if it took one) the holdings as JSON: the users ($5, then everyone with ID number $6,
 * in the order they were made), the accounts they administer, and their bindings with their accounts' names.
 * The reads see the state as the statement began: like any read outside a transaction, committed state.
 */
const TAKE_LOOKUP = `with hit as (${TAKE_HIT_UPSERT}),
  holders as (select ${selectList('users')}, users.seq, users.id <> $5::text as later from users
    where (select took from hit) and (users.id = $5::text or users.id_number = $6::text))
  select hit.hits, hit.took,
    (select coalesce(json_agg(h order by h.later, h.seq), '[]') from holders h) as users,
    (select coalesce(json_agg(a order by a.seq), '[]') from (select ${selectList('accounts')}, accounts.seq from accounts
      where accounts.admin_user_id in (select id from holders)) a) as administers,
    (select coalesce(json_agg(b order by b.seq), '[]') from (select ${selectList('bindings')}, bindings.seq, accounts.name as account_name
      from bindings join accounts on accounts.id = bindings.account_id where bindings.user_id in (select id from holders)) b) as bindings
  from hit`

/** The contact's user (all NULL when none) and the sender's dialog step (NULL when none). */
const SENDER = `select ${selectList('users')}, d.step as dialog_step, d.data as dialog_data, d.expires_at as dialog_expires_at
  from (select $1::text as contact) k left join users on users.contact_id = k.contact left join dialogs d on d.sender = k.contact`

/** A record from a row that came as JSON (times as text). */
function recordFromJson (collection: Collection, json: Row): AnyRecord {
  const row: Row = { ...json }
  for (const { column, kind } of TABLE[collection].columns) {
    if (kind === 'time' && typeof row[column] === 'string') row[column] = new Date(row[column])
  }
  return recordOf(collection, row)
}

// --------------------------------------------------------------------------------------------- writes

function transactionOn (state: TxState): StoreTransaction {
  const { client } = state
  /** One statement of the transaction; a refusal by the database becomes an InvalidChange. */
  const statement = async (sql: string, params: unknown[]): Promise<{ rows: Row[], rowCount: number | null }> => {
    if (state.ended) throw new Error('The transaction has ended')
    if (state.failed) throw state.failed
    try {
      return await client.query<Row>(prepared(sql, params))
    } catch (err) {
      state.failed = refusal(err, 'a change')
      throw state.failed
    }
  }
  const exec = async (sql: string, params: unknown[]): Promise<Row[]> => (await statement(sql, params)).rows
  /**
   * A set-based statement on `collection`'s table (it changes rows without returning them): the records of
   * that collection this transaction knows are forgotten, and it answers how many rows it touched.
   */
  const count = async (collection: Collection, sql: string, params: unknown[]): Promise<number> => {
    for (const key of state.known.keys()) if (key.startsWith(`${collection} `)) state.known.delete(key)
    return (await statement(sql, params)).rowCount ?? 0
  }
  const outboxColumns = `seq, ${TABLE.outbox.columns.map((c) => c.column).join(', ')}`
  /** Messages (or webhook events) claimed by an UPDATE … RETURNING, in the order they were queued. */
  const claimed = (rows: Row[], collection: 'outbox' | 'webhookEvents' = 'outbox'): Array<Record<string, unknown>> =>
    [...rows].sort((a, b) => Number(a.seq) - Number(b.seq)).map((row) => fromRow(TABLE[collection], row))
  /**
   * The claim both deliveries share: up to `limit` rows (alias `o` in `from`) still to deliver, due by now
   * ($1; $4: a back-off ending later was set before the clock went back) and matching `where`, that no
   * claimer holds ($1: its lease ran out; $5: one ending later was taken before the clock went back),
   * oldest first, each then held to $2. FOR UPDATE SKIP LOCKED: a row another claimer is taking right now
   * is passed over, never waited for nor taken twice; the lease keeps it from every later claimer until
   * the attempt is recorded (update() clears it) or the lease runs out (the claimer crashed).
   */
  const claimDue = async (collection: 'outbox' | 'webhookEvents', from: string, where: string, now: Millis, limit: number): Promise<Array<Record<string, unknown>>> => {
    const table = TABLE[collection]
    return claimed(await exec(`update ${table.table} set claimed_until = $2 where id in (
        select o.id from ${from}
        where ${where}
          and ${waitOverSql('o.next_attempt_at', '$1', '$4')}
          and ${waitOverSql('o.claimed_until', '$1', '$5')}
        order by o.seq limit $3
        for update of o skip locked)
      returning seq, ${table.columns.map((c) => c.column).join(', ')}`, [new Date(now), new Date(now + CLAIM_LEASE), limit, backOffLatest(now), leaseLatest(now)]), collection)
  }
  const write = async <R>(change: () => Promise<R>): Promise<R> => {
    if (state.ended) throw new Error('The transaction has ended')
    if (state.failed) throw state.failed
    return change()
  }

  const insert = async <C extends Collection>(collection: C, record: Data[C][number]): Promise<void> => {
    validate(collection, record)
    const kind = CODED[collection]
    if (kind) await exec('insert into codes (code, kind) values ($1, $2)', [(record as { code: string }).code, kind])
    const row = toRow(TABLE[collection], record)
    const columns = TABLE[collection].columns.filter((c) => c.column in row)
    await exec(insertInto(TABLE[collection], columns),
      columns.map((c) => toParam(c, row[c.column])))
    if (collection === 'users') await setFollows((record as User).id, (record as User).follows)
  }

  const setFollows = async (userId: string, follows: readonly string[]): Promise<void> => {
    await exec('delete from user_follows where user_id = $1', [userId])
    await exec(`insert into user_follows (user_id, account_id)
      select $1, a.account_id from unnest($2::text[]) with ordinality as a(account_id, n) order by a.n`, [userId, follows])
  }

  /** The record with the patch applied (a patch value undefined clears the field), validated, then written whole. */
  const update = async <C extends Collection>(collection: C, id: string, patch: object): Promise<Data[C][number]> => {
    const table = TABLE[collection]
    // No row lock needed: TRANSACTION_LOCK keeps every other writer out until this transaction ends.
    const current = state.known.get(knownKey(collection, id)) as Data[C][number] | undefined ??
      (await query(() => select(client, collection, 'id = $1', [id])))[0]
    if (!current) throw new InvalidChange(`Refused a change: no ${collection} record ${id}`)
    const merged: Record<string, unknown> = { ...current }
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) delete merged[field]
      else merged[field] = value
    }
    const record = merged as Data[C][number]
    validate(collection, record)
    const kind = CODED[collection]
    const code = (record as { code?: string }).code
    if (kind && code !== (current as { code?: string }).code) await exec('insert into codes (code, kind) values ($1, $2)', [code, kind])
    const row = toRow(table, record)
    const assignments = table.columns.map((c, i) => `${c.column} = $${i + 2}`).join(', ')
    // A recorded attempt (or any change to a message) ends its delivery claim.
    const unclaim = collection === 'outbox' || collection === 'webhookEvents' ? ', claimed_until = null' : ''
    const rows = await exec(`update ${table.table} set ${assignments}${unclaim} where id = $1 returning ${table.columns.map((c) => c.column).join(', ')}`,
      [id, ...table.columns.map((c) => toParam(c, row[c.column] ?? null))])
    if (!rows[0]) throw new InvalidChange(`Refused a change: no ${collection} record ${id}`)
    const updated = fromRow(table, rows[0]) as Data[C][number]
    if (collection === 'users') {
      const follows = (record as User).follows
      if ('follows' in patch) await setFollows((record as User).id, follows)
      ;(updated as User).follows = follows
    }
    state.known.set(knownKey(collection, id), updated)
    return updated
  }
  const query = async <R>(read: () => Promise<R>): Promise<R> => {
    if (state.failed) throw state.failed
    try {
      return await read()
    } catch (err) {
      state.failed = refusal(err, 'a read')
      throw state.failed
    }
  }

  /** Drops the records `keep` rejects, judged in JavaScript on every record of the collection. */
  const drop = async <C extends Collection>(collection: C, keep: (record: Data[C][number]) => boolean): Promise<number> => {
    const records = await query(() => select(client, collection, 'true', [], 'seq', `for update of ${TABLE[collection].table}`))
    const dropped = records.filter((r) => !keep(r)).map((r) => r.id)
    if (dropped.length === 0) return 0
    await count(collection, `delete from ${TABLE[collection].table} where id = any($1::text[])`, [dropped])
    return dropped.length
  }

  const writes: Async<Omit<Transaction, 'newId'>> = {
    addBinding: (binding) => write(() => insert('bindings', binding)),
    updateBinding: (id, patch) => write(() => update('bindings', id, patch)),
    addApproval: (approval) => write(() => insert('approvals', approval)),
    updateApproval: (id, patch) => write(() => update('approvals', id, patch)),
    addReview: (review) => write(() => insert('reviews', review)),
    updateReview: (id, patch) => write(() => update('reviews', id, patch)),
    addLogin: (login) => write(() => insert('logins', login)),
    updateLogin: (id, patch) => write(() => update('logins', id, patch)),
    addAccount: (account) => write(() => insert('accounts', account)),
    updateAccount: (id, patch) => write(() => update('accounts', id, patch)),
    addUser: (user) => write(() => insert('users', user)),
    addRenewal: (renewal) => write(() => insert('renewals', renewal)),
    updateRenewal: (id, patch) => write(() => update('renewals', id, patch)),
    addInvitation: (invitation) => write(() => insert('invitations', invitation)),
    updateInvitation: (id, patch) => write(() => update('invitations', id, patch)),
    setUserContact: (userId, contactId) => write(async () => { await update('users', userId, { contactId }) }),
    updateUser: (userId, patch) => write(() => update('users', userId, patch)),
    addHistory: (entry) => write(() => insert('history', { id: newId('h'), ...entry })),
    enqueue: (message) => write(async () => {
      const queued: OutboxMessage = { id: newId('m'), attempts: 0, ...message }
      await insert('outbox', queued)
      return queued
    }),
    // One statement, not a read and an update per message: it runs under the lock every process waits on.
    withdraw: (about, topics, at) => write(async () => {
      await count('outbox', `update outbox set withdrawn_at = $3, claimed_until = null where about = $1 and topic = any($2::text[])
        and sent_at is null and failed_at is null and withdrawn_at is null`, [about, topics, at])
    }),
    updateMessage: (id, patch) => write(async () => { await update('outbox', id, patch) }),
    pruneMessages: (keep) => write(() => drop('outbox', keep)),
    prune: (collection, keep) => write(() => drop(collection, keep as (record: AnyRecord) => boolean)),
    dropMessages: (ids) => write(async () => {
      return count('outbox', 'delete from outbox where id = any($1::text[])', [ids])
    }),
    // Set-based, by the indexes of 002: nothing is read into the process. Requests first, so that a binding
    // whose last request goes now goes too (a binding stays while a request that stays names it).
    pruneOlderThan: (cutoff) => write(async () => {
      const before = new Date(cutoff)
      const history = await count('history', 'delete from history where at < $1', [before])
      const invitations = await count('invitations', `delete from invitations
        where (case when status = 'pending' then expires_at else coalesce(answered_at, expires_at) end) < $1`, [before])
      const renewals = await count('renewals', `delete from renewals where status <> 'pending' and coalesce(decided_at, closed_at, expires_at) < $1`, [before])
      const approvals = await count('approvals', `delete from approvals where status <> 'pending' and coalesce(decided_at, closed_at, expires_at) < $1`, [before])
      const logins = await count('logins', 'delete from logins where coalesce(answered_at, expires_at) < $1', [before])
      const bindings = await count('bindings', `delete from bindings b where b.ended_at < $1
        and not exists (select from renewals r where r.binding_id = b.id) and not exists (select from approvals a where a.binding_id = b.id)`, [before])
      return { history, invitations, renewals, approvals, logins, bindings }
    }),
    claimDueMessages: (now, limit) => write(() => claimDue('outbox', 'outbox o join users u on u.id = o.to_user_id',
      `${onAliasO(UNSENT)} and u.contact_id is not null`, now, limit) as Promise<OutboxMessage[]>),
    claimMessage: (id, now) => write(async () => (claimed(await exec(`update outbox set claimed_until = $3 where id = (
        select id from outbox where id = $1 and ${UNSENT} and ${waitOverSql('claimed_until', '$2', '$4')}
        for update skip locked)
      returning ${outboxColumns}`, [id, new Date(now), new Date(now + CLAIM_LEASE), leaseLatest(now)]))[0]) as OutboxMessage | undefined),
    releaseClaims: (ids, claimedAt) => write(async () => {
      await exec('update outbox set claimed_until = null where id = any($1::text[]) and claimed_until = $2', [ids, new Date(claimedAt + CLAIM_LEASE)])
    }),
    addDigestEntry: (entry) => write(() => insert('digestEntries', entry)),
    dropDigestEntries: (ids) => write(() => count('digestEntries', 'delete from digest_entries where id = any($1::text[])', [ids])),
    // One row per asker and owner (its unique constraint); the transaction lock makes read-then-write safe.
    // One statement: the pair's record is made, or its time moved (the id it was made with is kept).
    setLookupNotice: (notice) => write(async () => {
      const table = TABLE.lookupNotices
      const record = { id: newId('ln'), ...notice }
      validate('lookupNotices', record)
      const row = toRow(table, record)
      const names = table.columns.map((c) => c.column).join(', ')
      const rows = await exec(`${insertInto(table, table.columns)}
        on conflict (asker_key, owner_user_id) do update set at = excluded.at returning ${names}`, table.columns.map((c) => toParam(c, row[c.column])))
      return fromRow(table, rows[0]!) as LookupNotice
    }),
    forgetLookupNotices: (before) => write(() => count('lookupNotices', 'delete from lookup_notices where at < $1', [new Date(before)])),
    // No read and no row lock (TRANSACTION_LOCK keeps every other writer out): a webhook of another id goes,
    // and this one is made or replaced whole by one upsert.
    setWebhook: (webhook) => write(async () => {
      validate('webhooks', webhook)
      const table = TABLE.webhooks
      const row = toRow(table, webhook)
      await count('webhooks', 'delete from webhooks where id <> $1', [webhook.id])
      await exec(`${insertInto(table, table.columns)}
        on conflict (id) do update set ${table.columns.map(({ column }) => `${column} = excluded.${column}`).join(', ')}`,
      table.columns.map((c) => toParam(c, row[c.column] ?? null)))
    }),
    removeWebhook: () => write(async () => {
      const events = await count('webhookEvents', 'delete from webhook_events', [])
      await count('webhooks', 'delete from webhooks', [])
      return events
    }),
    addWebhookEvent: (event) => write(() => insert('webhookEvents', event)),
    updateWebhookEvent: (id, patch) => write(async () => { await update('webhookEvents', id, patch) }),
    claimDueWebhookEvents: (now, limit) => write(() => claimDue('webhookEvents', 'webhook_events o', onAliasO(UNDELIVERED), now, limit) as Promise<WebhookEvent[]>),
    pruneWebhookEvents: (deliveredBefore, failedBefore) => write(() =>
      count('webhookEvents', 'delete from webhook_events where delivered_at < $1 or failed_at < $2', [new Date(deliveredBefore), new Date(failedBefore)])),
  }
  const guard = (): TxState => state
  return { ...readsOn(client, guard), ...writes, newId } as StoreTransaction
}

/** The record schemas the JSON file is loaded with; a record that fails never reaches the database. */
function validate (collection: Collection, record: AnyRecord): void {
  const wrong = recordProblem(collection, record, '(record)')
  if (wrong) throw new InvalidChange(`Refused a change that would make the database invalid: ${wrong}`)
}

/**
 * What the database refused, as an InvalidChange naming the constraint (or column, or SQLSTATE) but never
 * the values: PostgreSQL's own message and detail may quote them, and they may be phone or ID numbers.
 * Errors of other kinds (a lost connection) pass through unchanged.
 */
function refusal (err: unknown, what: string): Error {
  const e = err as { code?: unknown, constraint?: unknown, table?: unknown, column?: unknown }
  if (typeof e?.code === 'string' && (e.code.startsWith('23') || e.code.startsWith('22'))) {
    const where = typeof e.table === 'string' ? ` on ${e.table}` : ''
    const rule = typeof e.constraint === 'string' ? `constraint ${e.constraint}` : typeof e.column === 'string' ? `column ${e.column}` : 'a value'
    return new InvalidChange(`Refused a change: PostgreSQL refused ${what}${where} (${rule}, SQLSTATE ${e.code})`, { cause: stripped(err) })
  }
  return err instanceof Error ? err : new Error(String(err))
}

/** The driver's error without the parts that quote values, to keep as the cause. */
function stripped (err: unknown): Error {
  const e = err as { code?: string, constraint?: string, table?: string, column?: string }
  return Object.assign(new Error(`SQLSTATE ${e.code ?? '?'}`), { code: e.code, constraint: e.constraint, table: e.table, column: e.column })
}
