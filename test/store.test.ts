// The data file: created from the seed, validated at load, left untouched when bad, locked, group-committed.
import test from 'ava'
import { SCHEMA_VERSION } from '../src/store/schema.js'
import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hostname } from 'node:os'
import { Store } from '../src/store/store.js'
import { StoreError } from '../src/store/errors.js'
import { SEED_FILE, startWorld } from './fixture.js'

const NOW = Date.parse('2026-11-21T02:00:00Z')

async function tempFile (): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'assistant-store-')), 'assistant.json')
}

test('the first start creates the data file from the seed, its times moved to now', async (t) => {
  const file = await tempFile()
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  t.teardown(() => store.close())
  const onDisk = JSON.parse(await readFile(file, 'utf8'))
  t.is(onDisk.version, SCHEMA_VERSION)
  t.is(onDisk.accounts.length, 6)
  const closeToExpiry = Date.parse(store.binding('b_zw_news')!.expiresAt!)
  t.true(closeToExpiry > NOW && closeToExpiry < NOW + 3 * 86_400_000, 'one short-term binding is close to expiry')
  t.true(Date.parse(store.binding('b_sl_books')!.expiresAt!) < NOW, 'one is already past it')
  t.is(store.usersWithIdNumber('110105199502280078').length, 2)
  t.is(store.userByWechatId('ZHANGWEI_OPS')?.id, 'u_zhangwei')
  t.is(store.bindingsOfUser('u_zhaomin').length, 5)
})

const badFiles: Array<[string, string, RegExp]> = [
  ['truncated', '{"version":1,"accounts":[{"id":"acc_tea"', /not valid JSON/],
  ['not JSON at all', 'hello', /not valid JSON/],
  ['from a newer version', JSON.stringify({ version: SCHEMA_VERSION + 1, accounts: [], users: [], bindings: [], invitations: [], renewals: [], approvals: [], logins: [], history: [], outbox: [], digestEntries: [], lookupNotices: [], reviews: [], webhooks: [], webhookEvents: [] }), new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this assistant understands \\(${SCHEMA_VERSION}\\)`)],
  ['with a wrong field', JSON.stringify({ version: 1, accounts: [], users: [], bindings: [{ id: 'b', accountId: 'a', userId: 'u', role: 'forever', boundAt: '2026-01-01T00:00:00Z' }], history: [], outbox: [] }), /does not match the schema \(bindings\.0\.role/],
  ['pointing at nothing', JSON.stringify({ version: 1, accounts: [], users: [], bindings: [{ id: 'b', accountId: 'a', userId: 'u', role: 'long', boundAt: '2026-01-01T00:00:00Z' }], history: [], outbox: [] }), /inconsistent: binding b names an unknown account a/],
  ['empty object', '{}', /does not match the schema/],
  ['with one WeChat ID twice', JSON.stringify({ version: 4, accounts: [], users: [
    { id: 'u1', name: 'A', wechatId: 'Same_Person', accountProtection: true, bankCard: true, follows: [] },
    { id: 'u2', name: 'B', wechatId: 'same_person', accountProtection: true, bankCard: true, follows: [] },
  ], bindings: [], invitations: [], renewals: [], approvals: [], history: [], outbox: [] }), /inconsistent: WeChat ID same_person appears twice/],
  ['with a malformed phone number', JSON.stringify({ version: 1, accounts: [], users: [{ id: 'u', name: 'U', wechatId: 'someone_1', phone: '138-0013-8000', accountProtection: true, bankCard: true, follows: [] }], bindings: [], history: [], outbox: [] }), /users\.0\.phone: not a valid mobile number/],
]
for (const [name, content, message] of badFiles) {
  test(`a data file ${name} stops start-up with a message naming it, and is left untouched`, async (t) => {
    const file = await tempFile()
    await writeFile(file, content)
    const err = await t.throwsAsync(startWorld({ storage: { dataFile: file } }), { instanceOf: StoreError, message })
    t.true(err!.message.includes(file), err!.message)
    t.is(await readFile(file, 'utf8'), content)
    t.deepEqual(await readdir(join(file, '..')), ['assistant.json'], 'no lock or temp file is left behind')
  })
}

/** A small document holding one record of every kind, each pointing where it should. */
function wholeDocument () {
  const at = '2026-11-20T02:00:00.000Z'
  return {
    version: 6,
    accounts: [{ id: 'acc', name: '号', adminUserId: 'u_admin', riskProtection: true, riskAlerts: true }],
    users: [
      { id: 'u_admin', name: '管理员', wechatId: 'admin_one', accountProtection: true, bankCard: true, follows: ['acc'] },
      { id: 'u_op', name: '运营者', wechatId: 'operator_one', accountProtection: true, bankCard: true, follows: ['acc'] },
    ],
    bindings: [{ id: 'b1', accountId: 'acc', userId: 'u_op', role: 'short', boundAt: at, expiresAt: '2026-12-20T02:00:00.000Z' }],
    invitations: [{ id: 'i1', code: 'AAAA', accountId: 'acc', inviteeUserId: 'u_op', invitedBy: 'u_admin', role: 'long', createdAt: at, expiresAt: at, status: 'declined' }],
    renewals: [{ id: 'r1', code: 'BBBB', bindingId: 'b1', accountId: 'acc', requestedBy: 'u_op', createdAt: at, expiresAt: at, status: 'refused' }],
    approvals: [{ id: 'op1', code: 'CCCC', accountId: 'acc', actorUserId: 'u_op', bindingId: 'b1', operation: 'login', createdAt: at, expiresAt: at, status: 'lapsed' }],
    history: [{ id: 'h1', accountId: 'acc', at, actorUserId: 'u_admin', action: 'x', detail: '' }],
    outbox: [{ id: 'm1', toUserId: 'u_op', text: 'hi', createdAt: at, attempts: 0, accountId: 'acc' }],
    digestEntries: [{ id: 'd1', accountId: 'acc', actorUserId: 'u_op', operation: 'login', at }],
    lookupNotices: [{ id: 'ln1', askerKey: 'u_admin', ownerUserId: 'u_op', at }],
    logins: [{ id: 'lg1', code: 'DDDDD', accountId: 'acc', userId: 'u_op', createdAt: at, expiresAt: at, status: 'lapsed' }],
    reviews: [{ id: 'rv1', accountId: 'acc', startedAt: at, status: 'completed', items: [{ bindingId: 'b1', userId: 'u_op', decision: 'keep', decidedAt: at }], remindersSent: [], closedAt: at }],
    webhooks: [{ id: 'platform', url: 'https://platform.example/hook', secret: 'whsec_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN', createdAt: at, updatedAt: at }],
    webhookEvents: [{ id: 'ev1', type: 'operation.approved', at, body: '{"id":"ev1"}', createdAt: at, attempts: 0 }],
  }
}
type Whole = ReturnType<typeof wholeDocument>

const inconsistent: Array<[string, (d: Whole) => void, RegExp]> = [
  ['a second invitation with the same id', (d) => d.invitations.push({ ...d.invitations[0]!, code: 'DDDD' }), /invitation id i1 appears twice/],
  ['a second renewal request with the same id', (d) => d.renewals.push({ ...d.renewals[0]!, code: 'DDDD' }), /renewal request id r1 appears twice/],
  ['a second approval request with the same id', (d) => d.approvals.push({ ...d.approvals[0]!, code: 'DDDD' }), /approval request id op1 appears twice/],
  ['a second outbox message with the same id', (d) => d.outbox.push({ ...d.outbox[0]! }), /outbox message id m1 appears twice/],
  ['a second history entry with the same id', (d) => d.history.push({ ...d.history[0]! }), /history entry id h1 appears twice/],
  ['an invitation from an unknown admin', (d) => { d.invitations[0]!.invitedBy = 'u_ghost' }, /invitation i1 names an unknown invitedBy u_ghost/],
  ['a renewal of an unknown binding', (d) => { d.renewals[0]!.bindingId = 'b_ghost' }, /renewal request r1 names an unknown binding b_ghost/],
  ['a renewal on an unknown account', (d) => { d.renewals[0]!.accountId = 'acc_ghost' }, /renewal request r1 names an unknown account acc_ghost/],
  ['a renewal by an unknown requester', (d) => { d.renewals[0]!.requestedBy = 'u_ghost' }, /renewal request r1 names an unknown requestedBy u_ghost/],
  ['an approval on an unknown account', (d) => { d.approvals[0]!.accountId = 'acc_ghost' }, /approval request op1 names an unknown account acc_ghost/],
  ['an approval by an unknown actor', (d) => { d.approvals[0]!.actorUserId = 'u_ghost' }, /approval request op1 names an unknown actor u_ghost/],
  ['history of an unknown account', (d) => { d.history[0]!.accountId = 'acc_ghost' }, /history entry h1 names an unknown account acc_ghost/],
  ['a message to an unknown recipient', (d) => { d.outbox[0]!.toUserId = 'u_ghost' }, /outbox message m1 names an unknown recipient u_ghost/],
  ['a message about an unknown account', (d) => { d.outbox[0]!.accountId = 'acc_ghost' }, /outbox message m1 names an unknown account acc_ghost/],
  ['a user following an unknown account', (d) => { d.users[1]!.follows.push('acc_ghost') }, /user u_op names an unknown follows acc_ghost/],
  ['a renewal of another person\'s binding', (d) => { d.renewals[0]!.requestedBy = 'u_admin' }, /renewal request r1 names binding b1, which is another account's or person's/],
  ['an approval under another person\'s binding', (d) => { d.approvals[0]!.actorUserId = 'u_admin' }, /approval request op1 names binding b1, which is another account's or person's/],
  ['a date far beyond any real one', (d) => { d.bindings[0]!.expiresAt = '+275760-09-13T00:00:00.000Z' }, /bindings\.0\.expiresAt: not an ISO date-time/],
  ['a date that is not ISO', (d) => { d.history[0]!.at = 'Tue Dec 01 2026' }, /history\.0\.at: not an ISO date-time/],
  ['an impossible date', (d) => { d.history[0]!.at = '2026-02-30T00:00:00.000Z' }, /history\.0\.at: not a real date and time/],
  ['29 February of a year that is not a leap year', (d) => { d.history[0]!.at = '2100-02-29T00:00:00.000Z' }, /history\.0\.at: not a real date and time/],
  ['the 24th hour', (d) => { d.history[0]!.at = '2026-11-20T24:00:00.000Z' }, /history\.0\.at: not a real date and time/],
  ['a 60th minute', (d) => { d.history[0]!.at = '2026-11-20T10:60:00.000Z' }, /history\.0\.at: not a real date and time/],
  ['month 13', (d) => { d.history[0]!.at = '2026-13-01T10:00:00.000Z' }, /history\.0\.at: not a real date and time/],
  ['a short-term binding without an expiry', (d) => { delete (d.bindings[0] as { expiresAt?: string }).expiresAt }, /bindings\.0\.expiresAt: a short-term binding has an expiry/],
  ['an end reason without an end', (d) => Object.assign(d.bindings[0]!, { endReason: 'removed' }), /bindings\.0\.endReason: endedAt and endReason go together/],
  ['a closed request without a reason', (d) => { d.approvals[0]!.status = 'closed' }, /approvals\.0\.closedReason: a closed request has closedAt and closedReason/],
  ['a code in lower case', (d) => { d.invitations[0]!.code = 'aaaa' }, /invitations\.0\.code: not a code/],
  ['two active roles of one person on one account', (d) => d.bindings.push({ ...d.bindings[0]!, id: 'b2', role: 'long', expiresAt: undefined as never }), /user u_op holds two active roles on account acc/],
  ['the admin bound as operator of their own account', (d) => d.bindings.push({ id: 'b3', accountId: 'acc', userId: 'u_admin', role: 'long', boundAt: '2026-11-20T02:00:00.000Z' } as never), /binding b3 makes the admin of account acc its operator/],
  ['six long-term operators on one account', (d) => {
    for (let i = 0; i < 6; i++) {
      d.users.push({ id: `u${i}`, name: `U${i}`, wechatId: `operator_x${i}`, accountProtection: true, bankCard: true, follows: [] })
      d.bindings.push({ id: `bl${i}`, accountId: 'acc', userId: `u${i}`, role: 'long', boundAt: '2026-11-20T02:00:00.000Z' } as never)
    }
  }, /account acc has 6 active long-term operators \(at most 5\)/],
  ['a name with a NUL in it', (d) => { d.users[1]!.name = 'a\u0000b' }, /users\.1\.name: holds a control character/],
  ['a year no database keeps', (d) => { d.history[0]!.at = '0000-01-01T00:00:00.000Z' }, /history\.0\.at: not an ISO date-time/],
  ['a user following one account twice', (d) => { d.users[1]!.follows.push('acc') }, /users\.1\.follows: follows an account twice/],
  ['a binding ended by an unknown user', (d) => Object.assign(d.bindings[0]!, { endedAt: '2026-11-20T03:00:00.000Z', endReason: 'removed', endedBy: 'u_ghost' }), /binding b1 names an unknown endedBy u_ghost/],
]
test('the whole-document example itself loads', async (t) => {
  const file = await tempFile()
  await writeFile(file, JSON.stringify(wholeDocument()))
  const store = await Store.open({ file, now: NOW })
  t.is(store.data.approvals.length, 1)
  await store.close()
})
for (const [name, damage, message] of inconsistent) {
  test(`a data file with ${name} stops start-up, naming the problem, and is left untouched`, async (t) => {
    const file = await tempFile()
    const document = wholeDocument()
    damage(document)
    const content = JSON.stringify(document)
    await writeFile(file, content)
    const err = await t.throwsAsync(Store.open({ file, now: NOW }), { instanceOf: StoreError, message })
    t.regex(err!.message, /It was left untouched: repair it, or move it aside/)
    t.is(await readFile(file, 'utf8'), content)
  })
}

test('a data file that starts with a byte-order mark loads', async (t) => {
  const file = await tempFile()
  await writeFile(file, `\uFEFF${JSON.stringify(wholeDocument())}`)
  const store = await Store.open({ file, now: NOW })
  t.is(store.data.accounts.length, 1)
  await store.close()
})

test('an old file that already holds a newer collection keeps it through the upgrade, validated, never emptied', async (t) => {
  const file = await tempFile()
  const document = { ...wholeDocument(), version: 2 } as Record<string, unknown>
  delete document.approvals
  await writeFile(file, JSON.stringify(document))
  const store = await Store.open({ file, now: NOW })
  t.is(store.data.renewals.length, 1, 'the renewals it held are kept')
  await store.close()
})

test('a data file holding null is not taken for a missing one: start-up stops and the file is not overwritten with the demo world', async (t) => {
  const file = await tempFile()
  await writeFile(file, 'null')
  await t.throwsAsync(Store.open({ file, seedFile: SEED_FILE, now: NOW }), { instanceOf: StoreError, message: /does not match the schema \(\(top level\)/ })
  t.is(await readFile(file, 'utf8'), 'null')
})

test('the corrupt-file message points to no backups that nothing makes', async (t) => {
  const file = await tempFile()
  await writeFile(file, '{"version":')
  const err = await t.throwsAsync(Store.open({ file, now: NOW }), { instanceOf: StoreError })
  t.false(/backup/i.test(err!.message), err!.message)
})

test('leftover temp files of earlier writes are removed at start-up, and nothing else is', async (t) => {
  const file = await tempFile()
  const dir = join(file, '..')
  await writeFile(join(dir, '.assistant.json.0123456789ab.tmp'), '{"partial":')
  await writeFile(join(dir, '.other.json.0123456789ab.tmp'), 'not ours')
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  t.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.tmp')), ['.other.json.0123456789ab.tmp'])
  await store.close()
})

test('a data file of version 1 is upgraded to the current version at start-up, its original kept beside it', async (t) => {
  const file = await tempFile()
  const v1 = { version: 1, accounts: [], users: [{ id: 'u', name: 'U', wechatId: 'someone_1', accountProtection: true, bankCard: true, follows: [] }], bindings: [], history: [], outbox: [] }
  await writeFile(file, JSON.stringify(v1))
  const store = await Store.open({ file, now: NOW })
  t.deepEqual(store.data.invitations, [])
  await store.change((tx) => tx.updateUser('u', { bankCard: false }))
  await store.close()
  t.is(JSON.parse(await readFile(file, 'utf8')).version, SCHEMA_VERSION)
  t.deepEqual(JSON.parse(await readFile(`${file}.v1.bak`, 'utf8')), v1)
})

test('a second assistant on the same data file is refused while the first runs', async (t) => {
  const first = await startWorld()
  const err = await t.throwsAsync(startWorld({ storage: first.storage }), { instanceOf: StoreError })
  t.regex(err!.message, /is in use by another running assistant \(process \d+/)
  t.true((await first.ask('u_zhangwei', '绑定查询 13800138000')).includes('共 2 个'), 'the first one carries on')
  await first.stop()
  const third = await startWorld({ storage: first.storage })
  t.true((await third.ask('u_zhangwei', '绑定查询 13800138000')).includes('共 2 个'))
  await third.stop()
})

test('a lock left by an earlier process that had this same pid (a container restart) is taken over', async (t) => {
  const file = await tempFile()
  await writeFile(`${file}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00Z' }))
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  await t.throwsAsync(Store.open({ file, now: NOW }), { message: /in use by another running assistant/ }, 'while this process holds it, it is refused')
  await store.close()
})

test('a lock from another machine is respected, with what to do if that machine is gone', async (t) => {
  const file = await tempFile()
  await writeFile(`${file}.lock`, JSON.stringify({ pid: 1, host: 'old-container', since: '2026-01-01T00:00:00Z' }))
  const err = await t.throwsAsync(Store.open({ file, seedFile: SEED_FILE, now: NOW }), { instanceOf: StoreError })
  t.true(err!.message.includes('(process 1 on old-container, since 2026-01-01T00:00:00Z)'), err!.message)
  t.true(err!.message.includes(`delete ${file}.lock and start again`), err!.message)
})

test('a lock left by a process that is gone is taken over', async (t) => {
  const file = await tempFile()
  await writeFile(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: '2026-01-01T00:00:00Z' }))
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  await store.close()
  t.deepEqual(await readdir(join(file, '..')), ['assistant.json'])
})

test('a queued push is visible to the outbox only once the change that queued it is on disk', async (t) => {
  const file = await tempFile()
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  t.teardown(() => store.close())
  let queued = ''
  const writing = store.change((tx) => { queued = tx.enqueue({ toUserId: 'u_wangfang', text: '通知', createdAt: '2026-11-21T02:00:00.000Z', accountId: 'acc_tea' }).id })
  t.deepEqual(store.unsentMessages(), [], 'not before the write')
  await writing
  t.deepEqual(store.unsentMessages().map((m) => m.id), [queued])
  t.true(JSON.parse(await readFile(file, 'utf8')).outbox.some((m: { id: string }) => m.id === queued))
})

test('the data file is the document byte for byte after changes spread over many parts of it: added, changed in place, undone, dropped', async (t) => {
  const file = await tempFile()
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  t.teardown(() => store.close())
  const matches = async (): Promise<boolean> => await readFile(file, 'utf8') === JSON.stringify(store.data)
  const at = (minute: number): string => new Date(NOW + minute * 60_000).toISOString()
  // Far more records than one encoded chunk holds, so that most of the file is reused between writes.
  await store.change((tx) => {
    for (let k = 0; k < 700; k++) {
      tx.addUser({ id: `u_gen${k}`, name: `用户${k}`, wechatId: `gen_user_${k}`, accountProtection: true, bankCard: false, follows: ['acc_tea'] })
      tx.addHistory({ accountId: 'acc_tea', at: at(k), action: 'test.fill', detail: `第${k}条` })
    }
  })
  t.true(await matches(), 'after the additions')
  for (const k of [0, 127, 128, 129, 400, 699]) {
    await store.change((tx) => tx.updateUser(`u_gen${k}`, { bankCard: true, name: `改名${k}` }))
    t.true(await matches(), `after changing user ${k} in place`)
  }
  await store.engine().transaction(async (tx) => { await tx.setUserContact('u_gen300', 'contact-300') })
  t.true(await matches(), 'after linking a contact')
  await t.throwsAsync(store.change((tx) => {
    tx.updateUser('u_gen500', { bankCard: true })
    tx.updateUser('u_gen501', { wechatId: 'gen_user_500' }) // taken: the whole change is undone
  }))
  await store.change((tx) => tx.updateUser('u_gen10', { accountProtection: false }))
  t.true(await matches(), 'after an undone change and the next write')
  await store.change((tx) => tx.prune('history', (h) => h.action !== 'test.fill' || Number(h.detail.slice(1, -1)) % 3 !== 0))
  t.true(await matches(), 'after dropping every third entry')
})

test('a burst of changes is written with far fewer file writes, each acknowledged only once the file holds it', async (t) => {
  const file = await tempFile()
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  const before = store.fileWrites
  const onDisk = (detail: string): boolean =>
    JSON.parse(readFileSync(file, 'utf8')).history.some((h: { detail: string }) => h.detail === detail)
  const change = (detail: string): Promise<boolean> =>
    store.change((tx) => tx.addHistory({ accountId: 'acc_tea', at: '2026-11-21T02:00:00.000Z', action: 'test.burst', detail }))
      .then(() => onDisk(detail))
  // the first change starts a write; the rest arrive while it is under way, a few at a time
  const acks: Array<Promise<boolean>> = [change('0')]
  for (let wave = 0; wave < 3; wave++) {
    await new Promise((resolve) => setImmediate(resolve))
    for (let i = 1; i <= 100; i++) acks.push(change(`${wave}-${i}`))
  }
  const held = await Promise.all(acks)
  t.true(held.every(Boolean), 'every acknowledgement came after a write that holds its change')
  const writes = store.fileWrites - before
  t.true(writes <= 5, `${writes} writes for ${acks.length} changes`)
  await store.close()

  const reopened = await Store.open({ file, now: NOW })
  t.is(reopened.data.history.filter((h) => h.action === 'test.burst').length, acks.length)
  await reopened.close()
  t.deepEqual((await readdir(join(file, '..'))).sort(), ['assistant.json'], 'no temp files are left')
})
