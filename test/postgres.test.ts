// The PostgreSQL groundwork on a real server: migrations, moving a whole document in and out, and the
// document's rules held by the database itself.
import test from 'ava'
import type pg from 'pg'
import { RECORD_SCHEMA } from '../src/store/consistency.js'
import { StoreError } from '../src/store/errors.js'
import { exportDocument, importDocument } from '../src/store/postgres/copy.js'
import { loadMigrations, migrate } from '../src/store/postgres/migrate.js'
import { TABLES } from '../src/store/postgres/tables.js'
import type { Data } from '../src/store/schema.js'
import { demoWorld, postgresForFile } from './helpers/postgres.js'

const NOW = Date.parse('2026-11-21T02:00:00Z')

const postgres = postgresForFile(test)

async function migratedDatabase (): Promise<pg.Pool> {
  const { pool } = await postgres().freshDatabase()
  await migrate(pool)
  return pool
}


/** A document as the JSON file holds it: absent optional fields are no keys at all. */
function asWritten (data: Data): Data {
  return JSON.parse(JSON.stringify(data)) as Data
}

/** Two accounts' worth of records of every kind, every optional field set somewhere and left out elsewhere. */
function everyKindOfRecord (): Data {
  const at = (day: number, hour = 2): string => new Date(Date.UTC(2026, 10, day, hour)).toISOString()
  return {
    version: 6,
    accounts: [
      { id: 'acc_b', name: '后建的号', adminUserId: 'u_admin', riskProtection: true, riskAlerts: false, reviewIntervalDays: 60 },
      { id: 'acc_a', name: '先建的号', adminUserId: 'u_admin', riskProtection: false, riskAlerts: true, alertModes: { login: 'digest', appSecret: 'off' } },
    ],
    users: [
      { id: 'u_op', name: '运营者', wechatId: 'Operator_One', contactId: 'wxid_op', phone: '13800138000', idNumber: '11010519491231002X', accountProtection: true, bankCard: false, follows: ['acc_b', 'acc_a'] },
      { id: 'u_admin', name: '管理员', wechatId: 'admin_one', accountProtection: false, bankCard: true, follows: [] },
    ],
    bindings: [
      { id: 'b_short', accountId: 'acc_b', userId: 'u_op', role: 'short', boundAt: at(1), expiresAt: at(31), remindersSent: [3, 1] },
      { id: 'b_long', accountId: 'acc_a', userId: 'u_op', role: 'long', boundAt: at(2), endedAt: at(3), endReason: 'removed', endedBy: 'u_admin', remindersSent: [], lastSeenAt: at(2, 5) },
    ],
    invitations: [
      { id: 'i1', code: 'K7Q2', accountId: 'acc_a', inviteeUserId: 'u_op', invitedBy: 'u_admin', role: 'long', createdAt: at(4), expiresAt: at(5), status: 'accepted', answeredAt: at(4, 3) },
      { id: 'i2', code: 'M3ZP', accountId: 'acc_b', inviteeUserId: 'u_op', invitedBy: 'u_admin', role: 'short', createdAt: at(6), expiresAt: at(7), status: 'pending' },
    ],
    renewals: [
      { id: 'r1', code: 'R2D2', bindingId: 'b_short', accountId: 'acc_b', requestedBy: 'u_op', createdAt: at(8), expiresAt: at(9), status: 'approved', decidedAt: at(8, 5), decidedBy: 'u_admin' },
      { id: 'r2', code: 'C3PQ', bindingId: 'b_short', accountId: 'acc_b', requestedBy: 'u_op', createdAt: at(10), expiresAt: at(11), status: 'closed', closedAt: at(10, 4), closedReason: 'unbound' },
    ],
    approvals: [
      { id: 'op1', code: 'WXYZ', accountId: 'acc_b', actorUserId: 'u_op', bindingId: 'b_short', operation: 'mass-send', createdAt: at(12), expiresAt: at(12, 3), status: 'closed', closedAt: at(12, 2), closedReason: 'not-admin' },
      { id: 'op2', code: 'HJKM', accountId: 'acc_a', actorUserId: 'u_admin', operation: 'rename-account', createdAt: at(13), expiresAt: at(13, 3), status: 'refused', decidedAt: at(13, 2), decidedBy: 'u_admin' },
    ],
    logins: [
      { id: 'lg1', code: 'PQRST', accountId: 'acc_b', userId: 'u_op', createdAt: at(12), expiresAt: at(12, 3), status: 'confirmed', answeredAt: at(12, 1), result: 'pending', approvalId: 'op1' },
      { id: 'lg2', code: 'QRSTU', accountId: 'acc_a', userId: 'u_op', createdAt: at(13), expiresAt: at(13, 3), status: 'confirmed', answeredAt: at(13, 1), result: 'denied', deniedReason: 'not-bound' },
      { id: 'lg3', code: 'RSTUV', accountId: 'acc_a', userId: 'u_admin', createdAt: at(14), expiresAt: at(14, 3), status: 'lapsed' },
    ],
    // Recorded out of time order, as the expiry sweep does: the export must keep the recorded order.
    history: [
      { id: 'h2', accountId: 'acc_b', at: at(20), actorUserId: 'u_admin', action: 'binding.created', detail: 'operator_one 短期运营者' },
      { id: 'h1', accountId: 'acc_b', at: at(14), action: 'binding.expired', detail: '' },
      { id: 'h3', accountId: 'acc_a', at: at(15), actorUserId: 'u_op', action: 'operation.login', detail: '登录' },
    ],
    outbox: [
      { id: 'm2', toUserId: 'u_op', text: '邀请', createdAt: at(16), attempts: 3, lastError: 'offline', nextAttemptAt: at(17), accountId: 'acc_b', about: 'i2', topic: 'invitation' },
      { id: 'm1', toUserId: 'u_admin', text: '到期', createdAt: at(16), attempts: 1, sentAt: at(16, 3) },
      { id: 'm3', toUserId: 'u_op', text: '提醒', createdAt: at(18), attempts: 5, failedAt: at(19), withdrawnAt: at(19, 3), about: 'b_short', topic: 'reminder' },
    ],
    digestEntries: [
      { id: 'd2', accountId: 'acc_a', actorUserId: 'u_op', operation: 'mass-send', at: at(21) },
      { id: 'd1', accountId: 'acc_a', actorUserId: 'u_op', operation: 'login', at: at(20) },
    ],
    lookupNotices: [
      { id: 'ln1', askerKey: 'u_admin', ownerUserId: 'u_op', at: at(22) },
      { id: 'ln2', askerKey: 'wxid_stranger', ownerUserId: 'u_op', at: at(22, 5) },
    ],
    reviews: [
      { id: 'rv2', accountId: 'acc_a', startedAt: at(2, 3), startedBy: 'u_admin', status: 'completed', items: [{ bindingId: 'b_long', userId: 'u_op', decision: 'remove', decidedAt: at(3) }], remindersSent: [3], closedAt: at(3) },
      { id: 'rv1', accountId: 'acc_a', startedAt: at(20), status: 'open', items: [{ bindingId: 'b_long', userId: 'u_op' }, { bindingId: 'b_gone', userId: 'u_admin' }], remindersSent: [] },
    ],
    webhooks: [{ id: 'platform', url: 'https://platform.example/hooks?x=1', secret: 'whsec_abcdefghijklmnopqrstuvwxyzABCDEFGH', createdAt: at(1), updatedAt: at(2) }],
    webhookEvents: [
      { id: 'ev2', type: 'binding.ended', at: at(20), body: '{"id":"ev2","type":"binding.ended","data":{"b":1,"a":2}}', createdAt: at(20), attempts: 2, lastError: 'HTTP 500', nextAttemptAt: at(21) },
      { id: 'ev1', type: 'operation.approved', at: at(19), body: '{"id":"ev1"}', createdAt: at(19), attempts: 1, deliveredAt: at(19, 3) },
      { id: 'ev3', type: 'login.confirmed', at: at(21), body: '{"id":"ev3"}', createdAt: at(21), attempts: 15, lastError: 'timed out', failedAt: at(22) },
    ],
  }
}

test('every field of every record has a column, so an export loses nothing the schema knows', (t) => {
  for (const table of TABLES) {
    const schema = RECORD_SCHEMA[table.collection] as unknown as { shape: Record<string, unknown> }
    const stored = table.columns.map((c) => c.field)
    // users.follows is the user_follows table.
    const expected = Object.keys(schema.shape).filter((field) => !(table.collection === 'users' && field === 'follows'))
    t.deepEqual(stored, expected, table.collection)
  }
  t.deepEqual(TABLES.map((table) => table.collection).sort(), Object.keys(RECORD_SCHEMA).sort())
})

test('migrations create the tables on an empty database, and a second run does nothing', async (t) => {
  const { pool } = await postgres().freshDatabase()
  const shipped = await loadMigrations()
  t.deepEqual(await migrate(pool), shipped.map((m) => m.version))
  const { rows } = await pool.query<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`)
  t.deepEqual(rows.map((r) => r.name), ['accounts', 'approvals', 'bindings', 'codes', 'dialogs', 'digest_entries', 'history', 'invitations', 'logins', 'lookup_limits', 'lookup_notices',
    'outbox', 'renewals', 'reviews', 'schema_migrations', 'user_follows', 'users', 'webhook_events', 'webhooks'])
  t.deepEqual(await migrate(pool), [])
  const recorded = await pool.query<{ version: number }>('select version from schema_migrations order by version')
  t.deepEqual(recorded.rows.map((r) => r.version), shipped.map((m) => m.version))
})

test('two processes migrating one database at once both succeed, and each migration is applied once', async (t) => {
  const { name, pool } = await postgres().freshDatabase()
  const other = postgres().connect(name)
  const [mine, theirs] = await Promise.all([migrate(pool), migrate(other)])
  t.deepEqual([...mine, ...theirs].sort(), (await loadMigrations()).map((m) => m.version))
  const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from schema_migrations')
  t.is(rows[0]!.n, (await loadMigrations()).length)
})

test('migration 007 carries the lookup hits over into lookup_limits, in the order taken, and makes the conversation tables unlogged', async (t) => {
  const { pool } = await postgres().freshDatabase()
  const shipped = await loadMigrations()
  const at = (ms: number): Date => new Date(Date.parse('2026-11-21T02:00:00Z') + ms)
  await migrate(pool, shipped.filter((m) => m.version < 7))
  await pool.query('insert into lookup_hits (asker_key, at) values ($1, $2), ($1, $3), ($4, $5), ($1, $6)', ['wxid_a', at(5), at(1), 'wxid_b', at(7), at(5)])
  await migrate(pool, shipped)
  const { rows } = await pool.query<{ asker_key: string, hits: string[], took: boolean }>('select asker_key, hits, took from lookup_limits order by asker_key')
  t.deepEqual(rows, [
    { asker_key: 'wxid_a', hits: [at(1), at(5), at(5)].map((d) => String(d.getTime())), took: true },
    { asker_key: 'wxid_b', hits: [String(at(7).getTime())], took: true },
  ])
  const { rows: kinds } = await pool.query<{ name: string, persistence: string }>(
    `select relname as name, relpersistence as persistence from pg_class where relname in ('dialogs', 'lookup_limits', 'users') order by 1`)
  t.deepEqual(kinds, [{ name: 'dialogs', persistence: 'u' }, { name: 'lookup_limits', persistence: 'u' }, { name: 'users', persistence: 'p' }])
  t.is((await pool.query(`select to_regclass('lookup_hits') as gone`)).rows[0].gone, null)
})

test('a migration that fails leaves nothing of itself behind, and the ones before it stay applied', async (t) => {
  const pool = await migratedDatabase()
  const shipped = (await loadMigrations()).length
  const broken = { version: shipped + 1, name: 'broken', sql: 'create table half_done (id text); select no_such_column from users' }
  const file = `${String(shipped + 1).padStart(3, '0')}_broken\\.sql`
  await t.throwsAsync(migrate(pool, [...await loadMigrations(), broken]), { instanceOf: StoreError, message: new RegExp(`migration ${file} failed, nothing of it was applied: column "no_such_column" does not exist`) })
  const { rows } = await pool.query<{ version: number, half: string | null }>(`select max(version) as version, to_regclass('half_done')::text as half from schema_migrations`)
  t.deepEqual(rows[0], { version: shipped, half: null })
})

test('a database migrated by a newer program is refused', async (t) => {
  const pool = await migratedDatabase()
  await pool.query(`insert into schema_migrations (version, name) values (99, 'from_the_future')`)
  await t.throwsAsync(migrate(pool), { message: /schema version 99, newer than this assistant understands/ })
})

test('a database another program keeps its own schema_migrations in is refused with what to do, and nothing is created', async (t) => {
  // Rails (version text) and golang-migrate (version bigint, dirty): the usual tables of that name.
  for (const table of ["create table schema_migrations (version varchar primary key); insert into schema_migrations values ('20240101120000')",
    'create table schema_migrations (version bigint primary key, dirty boolean not null); insert into schema_migrations values (3, false)']) {
    const { pool } = await postgres().freshDatabase()
    await pool.query(table)
    await t.throwsAsync(migrate(pool), { instanceOf: StoreError, message: /schema_migrations table of another program.*its own database/ })
    const { rows } = await pool.query(`select count(*)::int as n from information_schema.tables where table_name in ('users', 'accounts')`)
    t.is(rows[0].n, 0, 'no table of the assistant was made')
  }
})

test('the demo world survives import and export unchanged, every row counted', async (t) => {
  const pool = await migratedDatabase()
  const world = demoWorld(NOW)
  const counts = await importDocument(pool, world)
  t.deepEqual(counts, {
    accounts: world.accounts.length,
    users: world.users.length,
    bindings: world.bindings.length,
    invitations: world.invitations.length,
    renewals: world.renewals.length,
    approvals: world.approvals.length,
    logins: world.logins.length,
    history: world.history.length,
    outbox: world.outbox.length,
    digestEntries: world.digestEntries.length,
    lookupNotices: world.lookupNotices.length,
    reviews: world.reviews.length,
    follows: world.users.reduce((n, u) => n + u.follows.length, 0),
    codes: world.invitations.length + world.renewals.length + world.approvals.length + world.logins.length,
    webhooks: 0,
    webhookEvents: 0,
  })
  t.deepEqual(await exportDocument(pool), asWritten(world))
})

test('a record of every kind, with and without each optional field, survives import and export in its order', async (t) => {
  const pool = await migratedDatabase()
  const document = everyKindOfRecord()
  await importDocument(pool, document)
  const exported = await exportDocument(pool)
  t.deepEqual(exported, asWritten(document))
  t.deepEqual(exported.history.map((h) => h.id), ['h2', 'h1', 'h3'])
})

test('import into a database that already holds state is refused, and changes nothing', async (t) => {
  const pool = await migratedDatabase()
  await importDocument(pool, demoWorld(NOW))
  await t.throwsAsync(importDocument(pool, everyKindOfRecord()), { instanceOf: StoreError, message: /already holds state \(rows in users, accounts, user_follows, bindings, codes, invitations, history, reviews\)/ })
  t.deepEqual(await exportDocument(pool), asWritten(demoWorld(NOW)))

  const withDialog = await migratedDatabase()
  await withDialog.query(`insert into dialogs (sender, step, expires_at) values ('wxid_1', 'lookup.method', now())`)
  await t.throwsAsync(importDocument(withDialog, everyKindOfRecord()), { instanceOf: StoreError, message: /rows in dialogs\)/ })
})

test('a document that would not load from a data file is refused before it reaches the database', async (t) => {
  const pool = await migratedDatabase()
  const document = everyKindOfRecord()
  document.approvals[1]!.code = 'K7Q2'
  await t.throwsAsync(importDocument(pool, document), { instanceOf: StoreError, message: /inconsistent: code K7Q2 appears twice/ })
  const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from users')
  t.is(rows[0]!.n, 0)
})

// Each statement breaks one rule of the document; PostgreSQL itself must refuse it, naming the constraint.
const refusals: Array<[string, string, { code: string, constraint: string }]> = [
  ['a second user with the same WeChat ID in another case',
    `insert into users (id, name, wechat_id, account_protection, bank_card) values ('u_copy', '冒名', 'ZhangWei_OPS', true, true)`,
    { code: '23505', constraint: 'users_wechat_id_key' }],
  ['a second user with the same mobile number',
    `insert into users (id, name, wechat_id, phone, account_protection, bank_card) values ('u_copy', '冒名', 'someone_else', '13800138000', true, true)`,
    { code: '23505', constraint: 'users_phone_key' }],
  ['a second user on the same chat contact',
    `insert into users (id, name, wechat_id, contact_id, account_protection, bank_card) values ('u_copy', '冒名', 'someone_else', 'u_zhangwei', true, true)`,
    { code: '23505', constraint: 'users_contact_id_key' }],
  ['a binding with role forever',
    `insert into bindings (id, account_id, user_id, role, bound_at) values ('b_new', 'acc_tea', 'u_hexiaodong', 'forever', now())`,
    { code: '23514', constraint: 'bindings_role_check' }],
  ['a binding pointing at a missing account',
    `insert into bindings (id, account_id, user_id, role, bound_at) values ('b_new', 'acc_ghost', 'u_hexiaodong', 'long', now())`,
    { code: '23503', constraint: 'bindings_account_id_fkey' }],
  ['a short-term binding without an expiry',
    `insert into bindings (id, account_id, user_id, role, bound_at) values ('b_new', 'acc_tea', 'u_hexiaodong', 'short', now())`,
    { code: '23514', constraint: 'bindings_expiry_matches_role' }],
  ['a long-term binding with an expiry',
    `insert into bindings (id, account_id, user_id, role, bound_at, expires_at) values ('b_new', 'acc_tea', 'u_hexiaodong', 'long', now(), now())`,
    { code: '23514', constraint: 'bindings_expiry_matches_role' }],
  ['an approval reusing an invitation\'s code',
    `insert into approvals (id, code, account_id, actor_user_id, operation, created_at, expires_at, status) values ('op_new', 'HX7Q', 'acc_photo', 'u_liuyang', 'login', now(), now(), 'pending')`,
    { code: '23503', constraint: 'approvals_code_code_kind_fkey' }],
  ['registering an invitation\'s code for an approval',
    `insert into codes (code, kind) values ('HX7Q', 'approval')`,
    { code: '23505', constraint: 'codes_pkey' }],
  ['a renewal of another person\'s binding',
    `insert into codes (code, kind) values ('NEWC', 'renewal');
     insert into renewals (id, code, binding_id, account_id, requested_by, created_at, expires_at, status) values ('r_new', 'NEWC', 'b_zw_news', 'acc_news', 'u_zhaomin', now(), now(), 'pending')`,
    { code: '23503', constraint: 'renewals_binding_id_account_id_requested_by_fkey' }],
]
for (const [what, statement, expected] of refusals) {
  test(`the database refuses ${what}`, async (t) => {
    const pool = await migratedDatabase()
    await importDocument(pool, demoWorld(NOW))
    const err = await t.throwsAsync<Error & { constraint?: string }>(pool.query(statement), { code: expected.code })
    t.is(err?.constraint, expected.constraint)
  })
}
