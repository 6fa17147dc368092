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
import { takeHit } from '../../domain/rate-limit.js'
import { CLAIM_LEASE, newId } from '../contract.js'
import type { Async, ConversationState, Holdings, Reads, StoreEngine, StoreReader, StoreTransaction, WebhookBacklog } from '../contract.js'
import { recordProblem } from '../consistency.js'
import type { Collection } from '../consistency.js'
import { InvalidChange } from '../errors.js'
import type { Data, OutboxMessage, User, WebhookEvent } from '../schema.js'
import type { Transaction } from '../store.js'
import { importDocument } from './copy.js'
import { migrate } from './migrate.js'
import { inTransaction } from './transaction.js'
import { fromRow, TABLES, toRow } from './tables.js'
import type { Table } from './tables.js'

export interface PostgresEngineOptions {
  /** A document (the demo world) to fill the database with when it holds no state yet, or how to get it (asked only then). */
  seed?: Data | (() => Promise<Data>) | undefined
  /** close() leaves the pool open: it is the host's (by default the engine owns the pool and ends it). */
  keepPool?: boolean | undefined
}

/** Held by each transaction from its start to its end: one at a time across every process of the program. */
export const TRANSACTION_LOCK = 0x5ECA552 // migrate.ts uses 0x5ECA551
/** With a hash of the asker (the two-key form, apart from the one-key locks above): one lookup-limit decision per asker at a time. */
const LOOKUP_LOCK = 0x5ECA553
/** A message still to be delivered (not sent, not given up on, not withdrawn). */
const UNSENT = 'sent_at is null and failed_at is null and withdrawn_at is null'
/** A webhook event still to be delivered (not delivered, not given up on). */
const UNDELIVERED = 'delivered_at is null and failed_at is null'

type Row = Record<string, unknown>
type AnyRecord = Data[Collection][number]
type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>

const TABLE = Object.fromEntries(TABLES.map((t) => [t.collection, t])) as Record<Collection, Table>
/** The collections whose records carry a short code registered in `codes`, and the kind it is registered as. */
const CODED: Partial<Record<Collection, string>> = { invitations: 'invitation', renewals: 'renewal', approvals: 'approval' }

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
      const state: TxState = { client, failed: undefined, ended: false }
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
}

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

/** Records of a collection matching `where`, by `order` (the document's order, `seq`, unless told). */
async function select<C extends Collection> (db: Queryable, collection: C, where: string, params: unknown[], order = 'seq', lock = ''): Promise<Array<Data[C][number]>> {
  const { rows } = await db.query<Row>(`select ${selectList(collection)} from ${TABLE[collection].table} where ${where} order by ${order} ${lock}`, params)
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
    query(() => select(db, collection, where, params, order))
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
    // What claimDueMessages would offer, claimed or not.
    outboxBacklog: (now) => query(async () => {
      const { rows } = await db.query<{ due: number, oldest: Date | null }>(`select count(*)::int as due, min(o.created_at) as oldest
        from outbox o join users u on u.id = o.to_user_id
        where o.${UNSENT.replaceAll(' and ', ' and o.')} and (o.next_attempt_at is null or o.next_attempt_at <= $1) and u.contact_id is not null`, [due(now)])
      const { due: count, oldest } = rows[0]!
      return oldest ? { due: count, oldestQueuedAt: oldest.toISOString() } : { due: count }
    }),
    webhook: () => one('webhooks', 'true', []),
    webhookEvents: (limit) => many('webhookEvents', 'true', [limit], 'seq desc limit $1'),
    webhookBacklog: (now) => query(async () => {
      const { rows } = await db.query<{ pending: number, due: number, oldest: Date | null, failed: number, last_failed: Date | null }>(`select
          (select count(*)::int from webhook_events where ${UNDELIVERED}) as pending,
          (select count(*)::int from webhook_events where ${UNDELIVERED} and (next_attempt_at is null or next_attempt_at <= $1)) as due,
          (select min(created_at) from webhook_events where ${UNDELIVERED}) as oldest,
          (select count(*)::int from webhook_events where failed_at is not null) as failed,
          (select max(failed_at) from webhook_events where failed_at is not null) as last_failed`, [due(now)])
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
 * Dialog steps and lookup hits, on the pool and outside the global transaction lock: each statement is
 * about one sender; the lookup limit takes a lock per asker so that two processes counting the same
 * person's lookups at once still count them all. Their writes do not wait for the WAL flush (a durable
 * commit would cost every lookup two flushes): the embedded engine keeps this state in memory only, and
 * here a server crash may lose at most its last fraction of a second; every process sees each write at once.
 */
function conversationOn (pool: Pool): ConversationState {
  const unflushed = { awaitFlush: false }
  return {
    dialog: async (sender) => {
      const { rows } = await pool.query<{ step: string, data: unknown, expires_at: Date }>('select step, data, expires_at from dialogs where sender = $1', [sender])
      const row = rows[0]
      return row ? { step: row.step, data: row.data, expiresAt: row.expires_at.getTime() } : undefined
    },
    setDialog: (sender, step, expiresAt) => inTransaction(pool, async (client) => {
      await client.query(`insert into dialogs (sender, step, data, expires_at) values ($1, $2, $3::jsonb, $4)
        on conflict (sender) do update set step = excluded.step, data = excluded.data, expires_at = excluded.expires_at`,
      [sender, step.step, JSON.stringify(step.data ?? {}), new Date(expiresAt)])
    }, unflushed),
    clearDialog: (sender) => inTransaction(pool, async (client) => {
      await client.query('delete from dialogs where sender = $1', [sender])
    }, unflushed),
    forgetDialogs: async (before) => { await pool.query('delete from dialogs where expires_at < $1', [new Date(before)]) },
    takeLookupHit: (askerKey, now, limit) => inTransaction(pool, async (client) => {
      await client.query('select pg_advisory_xact_lock($1::int, hashtext($2))', [LOOKUP_LOCK, askerKey])
      // What takeHit would drop anyway (outside the window) goes from the table: it stays as small as the windows.
      await client.query('delete from lookup_hits where asker_key = $1 and at <= $2', [askerKey, new Date(now - limit.windowMs)])
      const { rows } = await client.query<{ at: Date }>('select at from lookup_hits where asker_key = $1 order by at, id', [askerKey])
      const decision = takeHit(limit, rows.map((r) => r.at.getTime()), now)
      if (decision.allowed) await client.query('insert into lookup_hits (asker_key, at) values ($1, $2)', [askerKey, new Date(now)])
      return decision
    }, unflushed),
    forgetLookupHits: async (before) => { await pool.query('delete from lookup_hits where at <= $1', [new Date(before)]) },
  }
}


// --------------------------------------------------------------------------------------------- writes

function transactionOn (state: TxState): StoreTransaction {
  const { client } = state
  /** One statement of the transaction; a refusal by the database becomes an InvalidChange. */
  const statement = async (sql: string, params: unknown[]): Promise<{ rows: Row[], rowCount: number | null }> => {
    if (state.ended) throw new Error('The transaction has ended')
    if (state.failed) throw state.failed
    try {
      return await client.query<Row>(sql, params)
    } catch (err) {
      state.failed = refusal(err, 'a change')
      throw state.failed
    }
  }
  const exec = async (sql: string, params: unknown[]): Promise<Row[]> => (await statement(sql, params)).rows
  /** How many rows a statement touched. */
  const count = async (sql: string, params: unknown[]): Promise<number> => (await statement(sql, params)).rowCount ?? 0
  const outboxColumns = `seq, ${TABLE.outbox.columns.map((c) => c.column).join(', ')}`
  /** Messages (or webhook events) claimed by an UPDATE … RETURNING, in the order they were queued. */
  const claimed = (rows: Row[], collection: 'outbox' | 'webhookEvents' = 'outbox'): Array<Record<string, unknown>> =>
    [...rows].sort((a, b) => Number(a.seq) - Number(b.seq)).map((row) => fromRow(TABLE[collection], row))
  /**
   * The claim both deliveries share: up to `limit` rows (alias `o` in `from`) still to deliver, due by now
   * ($1) and matching `where`, that no claimer holds ($1: its lease ran out), oldest first, each then held
   * to $2. FOR UPDATE SKIP LOCKED: a row another claimer is taking right now is passed over, never waited
   * for nor taken twice; the lease keeps it from every later claimer until the attempt is recorded
   * (update() clears it) or the lease runs out (the claimer crashed).
   */
  const claimDue = async (collection: 'outbox' | 'webhookEvents', from: string, where: string, now: Millis, limit: number): Promise<Array<Record<string, unknown>>> => {
    const table = TABLE[collection]
    return claimed(await exec(`update ${table.table} set claimed_until = $2 where id in (
        select o.id from ${from}
        where ${where}
          and (o.next_attempt_at is null or o.next_attempt_at <= $1)
          and (o.claimed_until is null or o.claimed_until <= $1)
        order by o.seq limit $3
        for update of o skip locked)
      returning seq, ${table.columns.map((c) => c.column).join(', ')}`, [new Date(now), new Date(now + CLAIM_LEASE), limit]), collection)
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
    const columns = Object.keys(row)
    await exec(`insert into ${TABLE[collection].table} (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      Object.values(row))
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
    const current = (await query(() => select(client, collection, 'id = $1', [id], 'seq', `for update of ${table.table}`)))[0]
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
      [id, ...table.columns.map((c) => row[c.column] ?? null)])
    const updated = fromRow(table, rows[0]!)
    if (collection === 'users') {
      const follows = (record as User).follows
      if ('follows' in patch) await setFollows((record as User).id, follows)
      updated.follows = follows
    }
    return updated as Data[C][number]
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
    await exec(`delete from ${TABLE[collection].table} where id = any($1::text[])`, [dropped])
    return dropped.length
  }

  const writes: Async<Omit<Transaction, 'newId'>> = {
    addBinding: (binding) => write(() => insert('bindings', binding)),
    updateBinding: (id, patch) => write(() => update('bindings', id, patch)),
    addApproval: (approval) => write(() => insert('approvals', approval)),
    updateApproval: (id, patch) => write(() => update('approvals', id, patch)),
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
      await count(`update outbox set withdrawn_at = $3, claimed_until = null where about = $1 and topic = any($2::text[])
        and sent_at is null and failed_at is null and withdrawn_at is null`, [about, topics, at])
    }),
    updateMessage: (id, patch) => write(async () => { await update('outbox', id, patch) }),
    pruneMessages: (keep) => write(() => drop('outbox', keep)),
    prune: (collection, keep) => write(() => drop(collection, keep as (record: AnyRecord) => boolean)),
    dropMessages: (ids) => write(() => count('delete from outbox where id = any($1::text[])', [ids])),
    // Set-based, by the indexes of 002: nothing is read into the process. Requests first, so that a binding
    // whose last request goes now goes too (a binding stays while a request that stays names it).
    pruneOlderThan: (cutoff) => write(async () => {
      const before = new Date(cutoff)
      const history = await count('delete from history where at < $1', [before])
      const invitations = await count(`delete from invitations
        where (case when status = 'pending' then expires_at else coalesce(answered_at, expires_at) end) < $1`, [before])
      const renewals = await count(`delete from renewals where status <> 'pending' and coalesce(decided_at, closed_at, expires_at) < $1`, [before])
      const approvals = await count(`delete from approvals where status <> 'pending' and coalesce(decided_at, closed_at, expires_at) < $1`, [before])
      const bindings = await count(`delete from bindings b where b.ended_at < $1
        and not exists (select from renewals r where r.binding_id = b.id) and not exists (select from approvals a where a.binding_id = b.id)`, [before])
      return { history, invitations, renewals, approvals, bindings }
    }),
    claimDueMessages: (now, limit) => write(() => claimDue('outbox', 'outbox o join users u on u.id = o.to_user_id',
      `o.${UNSENT.replaceAll(' and ', ' and o.')} and u.contact_id is not null`, now, limit) as Promise<OutboxMessage[]>),
    claimMessage: (id, now) => write(async () => (claimed(await exec(`update outbox set claimed_until = $3 where id = (
        select id from outbox where id = $1 and ${UNSENT} and (claimed_until is null or claimed_until <= $2)
        for update skip locked)
      returning ${outboxColumns}`, [id, new Date(now), new Date(now + CLAIM_LEASE)]))[0]) as OutboxMessage | undefined),
    releaseClaims: (ids) => write(async () => { await exec('update outbox set claimed_until = null where id = any($1::text[])', [ids]) }),
    setWebhook: (webhook) => write(async () => {
      const current = await query(() => select(client, 'webhooks', 'true', [], 'seq', 'for update of webhooks'))
      if (current[0]?.id === webhook.id) {
        await update('webhooks', webhook.id, { ...Object.fromEntries(Object.keys(current[0]).map((k) => [k, undefined])), ...webhook })
      } else {
        await exec('delete from webhooks', [])
        await insert('webhooks', webhook)
      }
    }),
    removeWebhook: () => write(async () => {
      const events = await count('delete from webhook_events', [])
      await exec('delete from webhooks', [])
      return events
    }),
    addWebhookEvent: (event) => write(() => insert('webhookEvents', event)),
    updateWebhookEvent: (id, patch) => write(async () => { await update('webhookEvents', id, patch) }),
    claimDueWebhookEvents: (now, limit) => write(() => claimDue('webhookEvents', 'webhook_events o', `o.${UNDELIVERED.replaceAll(' and ', ' and o.')}`, now, limit) as Promise<WebhookEvent[]>),
    pruneWebhookEvents: (deliveredBefore, failedBefore) => write(() =>
      count('delete from webhook_events where delivered_at < $1 or failed_at < $2', [new Date(deliveredBefore), new Date(failedBefore)])),
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
