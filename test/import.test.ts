// The import command: every row checked with the product's rules (table-driven, by line), the example
// files into an empty data file and into PostgreSQL, and what an import never does: write part of a
// file, write on a dry run, write beside a running assistant, crash on hostile input.
import { execFileSync, spawn } from 'node:child_process'
import { access, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import type { ExecutionContext } from 'ava'
import { runCli } from '../src/cli/commands.js'
import { readCsv } from '../src/import/csv.js'
import type { CsvReading } from '../src/import/csv.js'
import type { Reading } from '../src/import/model.js'
import { planImport } from '../src/import/plan.js'
import type { Plan } from '../src/import/plan.js'
import { readImport } from '../src/import/read.js'
import { describeProblem } from '../src/import/render.js'
import { keysOf } from '../src/import/stored.js'
import { readStored } from '../src/services/import.js'
import type { StoreEngine } from '../src/store/contract.js'
import { exportDocument } from '../src/store/postgres/copy.js'
import type { Data } from '../src/store/schema.js'
import { Store } from '../src/store/store.js'
import { startDatabaseWorld, startWorld, TestClock } from './fixture.js'
import { postgresForFile, SEED_FILE } from './helpers/postgres.js'

/** The fixture's clock: 2026-11-21 10:00 in Beijing. */
const NOW = Date.parse('2026-11-21T02:00:00Z')
const EXAMPLE_CSV = new URL('../data/examples/import.csv', import.meta.url).pathname
const EXAMPLE_JSON = new URL('../data/examples/import.json', import.meta.url).pathname
const postgres = postgresForFile(test)

// ------------------------------------------------------------------------------- the rules, by line

/** The demo world (data/seed.json at NOW): the stored state the table's rows meet. */
let demo: StoreEngine
test.before(async () => {
  const store = await Store.open({ file: join(await mkdtemp(join(tmpdir(), 'import-demo-')), 'assistant.json'), seedFile: SEED_FILE, now: NOW })
  demo = store.engine()
})
test.after.always(async () => { await demo?.close() })

async function planOf (fileName: string, text: string): Promise<Plan> {
  const reading: Reading = readImport(fileName, Buffer.from(text))
  return planImport(reading, await readStored(demo, keysOf(reading.statements)), NOW)
}

/** Each rejection as `line kind` (a refused binding with the precondition it fails). */
function rejected (plan: Plan): string[] {
  return plan.rejections.flatMap((r) => r.problems.map((p) => `${r.source.line} ${p.kind === 'binding-refused' ? `${p.kind}:${p.refusal.kind}` : p.kind}`))
}

const HEADER = 'account_id,account_name,role,name,wechat_id,phone,id_number,account_protection,bank_card,bound_at,expires_at,risk_protection,risk_alerts'
/** A CSV row under HEADER from the values that matter. */
function row (v: { account?: string, accountName?: string, role?: string, name?: string, wechatId?: string, phone?: string, idNumber?: string, protection?: string, bankCard?: string, boundAt?: string, expiresAt?: string, riskProtection?: string, riskAlerts?: string }): string {
  return [v.account, v.accountName, v.role, v.name, v.wechatId, v.phone, v.idNumber, v.protection, v.bankCard, v.boundAt, v.expiresAt, v.riskProtection, v.riskAlerts]
    .map((cell) => cell ?? '').join(',')
}
/** A new person, complete: name, WeChat ID and both security settings on. */
const newcomer = (wechatId: string, extra: Parameters<typeof row>[0] = {}): string => row({ name: '新人', wechatId, protection: 'yes', bankCard: 'yes', ...extra })
/** A new account with its admin (a new person) on one row. */
const newAccount = (account: string, admin: string): string => newcomer(admin, { account, accountName: '新号', role: 'admin' })

const CSV_CASES: Array<[string, string[], string[]]> = [
  ['a new operator on a stored account, a follower and a person on no account are fine', [
    newcomer('xu_newop1', { account: 'acc_news', role: 'long' }),
    newcomer('xu_reader', { account: 'acc_news', role: 'follower' }),
    newcomer('xu_nobody'),
  ], []],
  ['a WeChat ID in the wrong format', [newcomer('__proto__'), newcomer('ab'), newcomer('9lives_x')], ['2 invalid-value', '3 invalid-value', '4 invalid-value']],
  ['a mobile number or ID number in the wrong format', [newcomer('xu_phone1', { phone: '1380013800' }), newcomer('xu_idnum1', { idNumber: '510107199208150068' })], ['2 invalid-value', '3 invalid-value']],
  ['no WeChat ID', [row({ name: '无名', protection: 'yes', bankCard: 'yes' })], ['2 missing-value']],
  ['an account id every answer would mask (it holds a mobile number)', [newAccount('shop13800138001', 'xu_shopadm')], ['2 invalid-value']],
  ['a role that is not one', [newcomer('xu_boss01', { account: 'acc_news', role: 'boss' })], ['2 invalid-value']],
  ['a role without an account, an account without a role', [newcomer('xu_norole', { role: 'long' }), newcomer('xu_noacct', { account: 'acc_news' })], ['2 role-without-account', '3 account-without-role']],
  ['a short-term binding without its expiry', [newcomer('xu_short1', { account: 'acc_news', role: 'short' })], ['2 missing-value']],
  ['an expiry on a long-term row, switches on a follower row, a binding time on a person row', [
    newcomer('xu_long01', { account: 'acc_news', role: 'long', expiresAt: '2026-12-01 10:00' }),
    newcomer('xu_follow', { account: 'acc_news', role: 'follower', riskAlerts: 'yes' }),
    newcomer('xu_alone1', { boundAt: '2026-11-01 10:00' }),
  ], ['2 not-for-role', '3 not-for-role', '4 not-for-role']],
  ['yes/no that is neither, a date without a time, an impossible date', [
    newcomer('xu_maybe1', { protection: 'maybe' }),
    newcomer('xu_short2', { account: 'acc_news', role: 'short', expiresAt: '2026-12-01' }),
    newcomer('xu_short3', { account: 'acc_news', role: 'short', expiresAt: '2026-02-30 10:00' }),
  ], ['2 invalid-value', '3 invalid-value', '4 invalid-value']],
  ['more values than columns (an unquoted comma)', [`${newcomer('xu_comma1')},extra`], ['2 cell-count']],
  ['one person described two ways', [newcomer('xu_twice1'), newcomer('xu_twice1', { name: '另一个名字' })], ['3 differs-in-file']],
  ['a stored person described otherwise', [row({ wechatId: 'zhangwei_ops', name: '张卫' }), row({ wechatId: 'wutian_2025', protection: 'yes' })], ['2 differs-from-stored', '3 differs-from-stored']],
  ['a new person without name or security settings', [row({ wechatId: 'xu_halfway', name: '半个人' })], ['2 new-person-incomplete']],
  ['a new account without its admin', [newcomer('xu_member', { account: 'acc_brandnew', accountName: '新号', role: 'follower' })], ['2 new-account-incomplete']],
  ['a mobile number that is a stored user\'s, or another row\'s', [
    newcomer('xu_phone2', { phone: '13800138000' }),
    newcomer('xu_phone3', { phone: '13512345678' }),
    newcomer('xu_phone4', { phone: '+86 135 1234 5678' }),
  ], ['2 phone-taken', '4 phone-taken']],
  ['another admin for a stored account, or a second admin in the file', [
    row({ account: 'acc_tea', role: 'admin', wechatId: 'liqiang_news' }),
    newAccount('acc_twoadmins', 'xu_admin_a'),
    newcomer('xu_admin_b', { account: 'acc_twoadmins', role: 'admin' }),
  ], ['2 admin-differs', '4 admin-differs']],
  ['a stored account under another name or with a switch the other way', [
    row({ account: 'acc_tea', accountName: '晨光茶社', role: 'follower', wechatId: 'zhangwei_ops' }),
    row({ account: 'acc_tea', role: 'admin', wechatId: 'wangfang_tea', riskProtection: 'off' }),
  ], ['2 differs-from-stored', '3 differs-from-stored']],
  ['a new account with a stored account\'s name, or another new one\'s', [
    newcomer('xu_admin_c', { account: 'acc_teatwin', accountName: '晨光茶馆', role: 'admin' }),
    newcomer('xu_admin_d', { account: 'acc_samename1', accountName: '同名号', role: 'admin' }),
    newcomer('xu_admin_e', { account: 'acc_samename2', accountName: '同名号', role: 'admin' }),
  ], ['2 account-name-taken', '4 account-name-taken']],
  ['one person bound twice to one account', [newcomer('xu_double', { account: 'acc_news', role: 'long' }), newcomer('xu_double', { account: 'acc_news', role: 'short', expiresAt: '2026-12-01 10:00' })], ['3 listed-twice']],
  ['a stored operator with another role, and one exactly as stored (unchanged, fine)', [
    row({ account: 'acc_tea', role: 'short', wechatId: 'zhangwei_ops', expiresAt: '2026-12-01 10:00' }),
    row({ account: 'acc_photo', role: 'long', wechatId: 'zhaomin_work' }),
  ], ['2 bound-differently']],
  ['the admin as its own account\'s operator', [row({ account: 'acc_tea', role: 'long', wechatId: 'wangfang_tea' })], ['2 binding-refused:is-admin']],
  ['a person with a pending invitation to the account', [row({ account: 'acc_photo', role: 'short', wechatId: 'hexiaodong', expiresAt: '2026-12-01 10:00' })], ['2 binding-refused:already-invited']],
  ['an operator without 帐号保护 or a bank card', [row({ account: 'acc_news', role: 'long', wechatId: 'wutian_2025' }), newcomer('xu_nocard', { account: 'acc_news', role: 'long', bankCard: '否' })],
    ['2 binding-refused:no-account-protection', '2 binding-refused:no-bank-card', '3 binding-refused:no-bank-card']],
  ['a sixth long-term operator of an account, counting the file\'s own rows', [
    newAccount('acc_sixlong', 'xu_sixadmin'),
    ...['xu_long_a', 'xu_long_b', 'xu_long_c', 'xu_long_d', 'xu_long_e', 'xu_long_f'].map((id) => newcomer(id, { account: 'acc_sixlong', role: 'long' })),
  ], ['8 binding-refused:slots-full']],
  ['a sixth operator role of a person, counting the stored ones', [row({ account: 'acc_news', role: 'long', wechatId: 'zhaomin_work' })], ['2 binding-refused:user-limit']],
  ['times that cannot be: bound in the future, expired, beyond a month, ending before it began', [
    newcomer('xu_future', { account: 'acc_news', role: 'long', boundAt: '2026-11-22 10:00' }),
    newcomer('xu_ended1', { account: 'acc_news', role: 'short', expiresAt: '2026-11-21 09:59' }),
    newcomer('xu_toofar', { account: 'acc_news', role: 'short', expiresAt: '2026-12-21 10:01' }),
    newcomer('xu_before', { account: 'acc_news', role: 'short', boundAt: '2026-11-20 10:00', expiresAt: '2026-11-20 10:00' }),
  ], ['2 bound-in-future', '3 expiry-passed', '4 expiry-too-far', '5 expiry-passed', '5 expiry-before-bound']],
  ['a short-term expiry of exactly one month is fine', [newcomer('xu_month1', { account: 'acc_news', role: 'short', expiresAt: '2026-12-21 10:00' })], []],
]

for (const [title, rows, expected] of CSV_CASES) {
  test(`CSV: ${title}`, async (t) => {
    const plan = await planOf('people.csv', [HEADER, ...rows].join('\n'))
    t.deepEqual(rejected(plan), expected, JSON.stringify(plan.rejections))
    for (const { problems } of plan.rejections) for (const problem of problems) t.notRegex(describeProblem(problem), /undefined|NaN|\[object/)
  })
}

const CSV_FILE_CASES: Array<[string, string, string[]]> = [
  ['an unknown column', 'wechat_id,nickname\nxu_someone,阿强', ['1 csv-column']],
  ['a column twice (in English and Chinese)', 'wechat_id,微信号\nxu_someone,xu_someone', ['1 csv-column']],
  ['no WeChat ID column', 'name,phone\n张三,13512345678', ['1 csv-column']],
  ['a header and nothing under it', `${HEADER}\n,,,,,,,,,,,,\n`, ['1 no-rows']],
  ['a quote never closed', `${HEADER}\n${newcomer('xu_quote1')}\n"${newcomer('xu_quote2')}`, ['3 csv-unclosed-quote']],
  ['text after a closing quote', `${HEADER}\n"新人"x,xu_quote3`, ['2 text-after-quote']],
]
for (const [title, text, expected] of CSV_FILE_CASES) {
  test(`CSV file: ${title}`, async (t) => {
    t.deepEqual(rejected(await planOf('people.csv', text)), expected)
  })
}

/** The CSV reader (csv-parse underneath) on its own: each record with the line it starts on, at most `max` characters. */
const CSV_READER_CASES: Array<[string, string, number, CsvReading]> = [
  ['a quote inside an unquoted value is part of it', 'a,O"Brien,b"\nc', 100, { ok: true, records: [{ line: 1, cells: ['a', 'O"Brien', 'b"'] }, { line: 2, cells: ['c'] }] }],
  ['a quoted value may start with an escaped quote', '"""Li"" Ming",x\n""""', 100, { ok: true, records: [{ line: 1, cells: ['"Li" Ming', 'x'] }, { line: 2, cells: ['"'] }] }],
  ['text after a closing quote, in any cell: that row refused, the next still read', 'a,"b"c,d\nO"Brien,"e" \n"f\ng"h\ni', 100,
    { ok: true, records: [{ line: 1, textAfterQuote: true }, { line: 2, textAfterQuote: true }, { line: 3, textAfterQuote: true }, { line: 5, cells: ['i'] }] }],
  ['an empty line, a line of only commas, a comma at the end, no record for the last line break', 'a\n\n,,\nb,\n', 100,
    { ok: true, records: [{ line: 1, cells: ['a'] }, { line: 2, cells: [''] }, { line: 3, cells: ['', '', ''] }, { line: 4, cells: ['b', ''] }] }],
  ['CRLF, LF and CR mixed in one file each end a record', 'a\r\nb\nc\rd', 100,
    { ok: true, records: [{ line: 1, cells: ['a'] }, { line: 2, cells: ['b'] }, { line: 3, cells: ['c'] }, { line: 4, cells: ['d'] }] }],
  ['a CRLF inside quotes is one line', '"a\r\nb\r\nc",d\r\ne\r\n', 100, { ok: true, records: [{ line: 1, cells: ['a\r\nb\r\nc', 'd'] }, { line: 4, cells: ['e'] }] }],
  ['a quote never closed is named by the line its record starts on', 'a\n"b\n\nc,d', 100, { ok: false, line: 2 }],
  ['a row\'s length is in characters (UTF-16, as a string counts them), its line break included, the BOM not',
    '\uFEFF中中中中中中中中中\n中中中中中中中中中中\n😀😀😀😀😀\n😀😀😀😀😀', 10,
    { ok: true, records: [{ line: 1, cells: ['中中中中中中中中中'] }, { line: 2, tooLong: 11 }, { line: 3, tooLong: 11 }, { line: 4, cells: ['😀😀😀😀😀'] }] }],
  ['a row past csv-parse\'s own limit (1 MiB) is refused by its line, unread, and the rows after it still read', `a\r\n${'x'.repeat(1_100_000)},y\r\nb`, 10_000,
    { ok: true, records: [{ line: 1, cells: ['a'] }, { line: 2, tooLong: 1_100_004 }, { line: 3, cells: ['b'] }] }],
]
for (const [title, text, max, expected] of CSV_READER_CASES) {
  test(`CSV reader: ${title}`, (t) => {
    t.deepEqual(readCsv(text, max), expected)
  })
}

const JSON_CASES: Array<[string, string, string[]]> = [
  ['not JSON, with the line of the mistake', '{\n  "people": [\n    { "name": "新人" "wechatId": "xu_json01" }\n  ]\n}', ['3 json-syntax']],
  ['not the document', '[1, 2]', ['1 invalid-value']],
  ['a list the format does not have, and no records', '{ "operators": [] }', ['1 unknown-field']],
  ['an empty document', '{}', ['1 no-rows']],
  ['records with a field missing, a field too many, a value of the wrong type', [
    '{ "people": [',
    '  { "wechatId": "xu_json02", "accountProtection": true, "bankCard": true },',
    '  { "name": "新人", "wechatId": "xu_json03", "accountProtection": true, "bankCard": true, "nickname": "x" },',
    '  { "name": "新人", "wechatId": "xu_json04", "accountProtection": "yes", "bankCard": true }',
    '] }',
  ].join('\n'), ['2 missing-value', '3 unknown-field', '4 invalid-value']],
  ['a person listed twice, an account listed twice', [
    '{ "accounts": [',
    '    { "id": "acc_jsonnew", "name": "新号", "admin": "xu_json05" },',
    '    { "id": "acc_jsonnew", "name": "新号", "admin": "xu_json05" }',
    '  ], "people": [',
    '    { "name": "新人", "wechatId": "xu_json05", "accountProtection": true, "bankCard": true },',
    '    { "name": "新人", "wechatId": "XU_json05", "accountProtection": true, "bankCard": true }',
    '] }',
  ].join('\n'), ['3 listed-twice', '6 listed-twice']],
  ['a binding on an account or of a person that is nowhere', [
    '{ "bindings": [',
    '  { "account": "acc_nowhere", "wechatId": "zhangwei_ops", "role": "long" },',
    '  { "account": "acc_news", "wechatId": "xu_nowhere", "role": "long" }',
    '] }',
  ].join('\n'), ['2 unknown-account', '3 unknown-person']],
  ['a short-term binding without its expiry, a long-term one with one', [
    '{ "bindings": [',
    '  { "account": "acc_news", "wechatId": "sunli_design", "role": "short" },',
    '  { "account": "acc_news", "wechatId": "sunli_design", "role": "long", "expiresAt": "2026-12-01 10:00" }',
    '] }',
  ].join('\n'), ['2 missing-value', '3 not-for-role']],
  ['a follow of an account that is nowhere', '{ "people": [{ "name": "新人", "wechatId": "xu_json06", "accountProtection": true, "bankCard": true, "follows": ["acc_nowhere"] }] }', ['1 unknown-account']],
]
for (const [title, text, expected] of JSON_CASES) {
  test(`JSON: ${title}`, async (t) => {
    const plan = await planOf('people.json', text)
    t.deepEqual(rejected(plan), expected, JSON.stringify(plan.rejections))
    for (const { problems } of plan.rejections) for (const problem of problems) t.notRegex(describeProblem(problem), /undefined|NaN|\[object/)
  })
}

test('JSON refusals name the record as well as its line', async (t) => {
  const plan = await planOf('people.json', '{\n"people": [\n{},\n\n  {"name": "x"}\n]}')
  t.deepEqual(plan.rejections.map((r) => [r.source.line, r.source.record]), [[3, 'people[0]'], [5, 'people[1]']])
})

/** A person record as JSON text, with `extra` pasted in before the closing brace. */
const personJson = (wechatId: string, extra = ''): string => `{ "name": "新人", "wechatId": "${wechatId}", "accountProtection": true, "bankCard": true${extra} }`

// JSON.parse keeps the last of two equal keys while a person reviewing the file reads the first: each
// case is the rejections as `line:column (record) "key", first at line:column`, or none.
const DUPLICATE_KEY_CASES: Array<[string, string, string[]]> = [
  ['a key twice in a record: the second number would be imported, the first is what a reviewer sees', [
    '{ "people": [',
    '  { "name": "新人", "wechatId": "xu_dupe01", "phone": "13800138000",',
    '    "accountProtection": true, "bankCard": true,',
    '    "phone": "13900139000" }',
    '] }',
  ].join('\n'), ['4:5 (people[0]) "phone", first at 2:44']],
  ['a list twice at the top level', [
    '{ "people": [],',
    '  "accounts": [],',
    '  "people": [' + personJson('xu_dupe02') + '] }',
  ].join('\n'), ['3:3 "people", first at 1:3']],
  ['a key twice deeper inside a record, and in a second record', [
    '{ "people": [',
    '  { "name": "新人", "follows": ["acc_news"], "follows": [] },',
    '  { "name": "新人", "extra": { "a": 1, "b": { "c": 1, "c": 2 } } }',
    '] }',
  ].join('\n'), ['2:44 (people[0]) "follows", first at 2:19', '3:53 (people[1]) "c", first at 3:45']],
  ['the same key in two different objects is fine', [
    '{ "people": [', personJson('xu_dupe05', ', "follows": ["acc_news"]') + ',', personJson('xu_dupe06', ', "follows": ["acc_news"]'), '] }',
  ].join('\n'), []],
  ['keys that differ only by how they are escaped are one key', '{ "people": [{ "phone": "13800138000", "p\\u0068one": "13900139000" }] }',
    ['1:40 (people[0]) "phone", first at 1:16']],
]
for (const [title, text, expected] of DUPLICATE_KEY_CASES) {
  test(`JSON duplicate keys: ${title}`, async (t) => {
    const plan = await planOf('people.json', text)
    const duplicates = plan.rejections.flatMap((r) => r.problems.flatMap((p) => p.kind === 'duplicate-key'
      ? [`${r.source.line}:${p.column}${r.source.record ? ` (${r.source.record})` : ''} "${p.key}", first at ${p.first.line}:${p.first.column}`]
      : []))
    t.deepEqual(duplicates, expected, JSON.stringify(plan.rejections))
    if (expected.length > 0) {
      t.deepEqual(rejected(plan), expected.map((e) => `${e.split(':')[0]} duplicate-key`), 'the whole file is refused for it, nothing else is read')
      t.is(plan.people.length, 0)
    } else {
      t.deepEqual(rejected(plan), [])
    }
  })
}

test('a JSON file with a key twice is refused by line, column and key, with what to do, by the import and its dry run', async (t) => {
  const dir = await tempDir()
  const file = join(dir, 'people.json')
  await writeFile(file, DUPLICATE_KEY_CASES[0]![1])
  const dataFile = join(dir, 'assistant.json')
  const expected = /✗ line 4 \(people\[0\]\): The key "phone" is in this object twice \(column 5, and first on line 2, column 44\): .*keeps only the last one.*Remove one of them/
  const refused = await run([file], { ASSISTANT_DATA_FILE: dataFile })
  t.is(refused.code, 1)
  t.regex(refused.err.join('\n'), expected)
  const dry = await run(['--dry-run', file], { ASSISTANT_DATA_FILE: dataFile })
  t.is(dry.code, 1)
  t.regex(dry.out.join('\n'), expected)
  t.false(await exists(dataFile), 'nothing was written')

  t.is((await run([EXAMPLE_JSON], { ASSISTANT_DATA_FILE: dataFile })).code, 0)
  const before = await readFile(dataFile, 'utf8')
  t.is((await run([file], { ASSISTANT_DATA_FILE: dataFile })).code, 1)
  t.is(await readFile(dataFile, 'utf8'), before, 'an existing data file is left as it was')
})

// ------------------------------------------------------------------------------- the command

interface Run { code: number, out: string[], err: string[] }

async function run (args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const out: string[] = []
  const err: string[] = []
  // Through the CLI's dispatcher, as `security-assistant import` runs: it masks every printed line.
  const code = await runCli(['import', ...args], { out: (l) => out.push(l), err: (l) => err.push(l), env, cwd: process.cwd(), now: () => NOW })
  return { code, out, err }
}

async function tempDir (): Promise<string> {
  return mkdtemp(join(tmpdir(), 'import-test-'))
}

async function exists (file: string): Promise<boolean> {
  return access(file).then(() => true, () => false)
}

/** A file with one bad row among good ones: the admin of a stored account changed. */
async function fileWithOneBadRow (): Promise<string> {
  const file = join(await tempDir(), 'one-bad-row.csv')
  const lines = (await readFile(EXAMPLE_CSV, 'utf8')).trimEnd().split('\n')
  lines.push(row({ account: 'acc_chunfeng', role: 'short', wechatId: 'sunyue_cha', name: '孙悦', protection: 'yes', bankCard: 'yes', expiresAt: '2027-03-01 10:00' }))
  await writeFile(file, lines.join('\n'))
  return file
}

/** The operator's 绑定查询 in a world on the imported state: both of 周杰's roles. */
async function assertLookupOfImportedOperator (t: ExecutionContext, world: Awaited<ReturnType<typeof startWorld>>): Promise<void> {
  try {
    const zhoujie = await world.db.userByWechatId('zhoujie_ops')
    t.truthy(zhoujie)
    const reply = await world.ask(zhoujie!.id, '绑定查询 zhoujie_ops')
    t.true(reply.includes('共 2 个'), reply)
    t.regex(reply, /春风书局 — 长期运营者,2025-03-18 绑定/)
    t.regex(reply, /祥云茶社 — 短期运营者,2026-11-10 绑定,2026-12-10 09:30 到期/)
    const admin = await world.db.userByWechatId('linxiao_books')
    t.true((await world.ask(admin!.id, '运营者列表')).includes('吴静'), 'the admin sees the imported operators')
  } finally {
    await world.stop()
  }
}

test('the example CSV imports into an empty data file, and the assistant answers 绑定查询 for an imported operator', async (t) => {
  const dataFile = join(await tempDir(), 'assistant.json')
  const result = await run([EXAMPLE_CSV], { ASSISTANT_DATA_FILE: dataFile })
  t.is(result.code, 0, result.err.join('\n'))
  t.true(result.out.some((l) => /accounts\s+2 added, 0 unchanged/.test(l)), result.out.join('\n'))
  t.true(result.out.some((l) => /bindings\s+5 added, 0 unchanged \(added: 3 long-term, 2 short-term\)/.test(l)), result.out.join('\n'))
  const document = JSON.parse(await readFile(dataFile, 'utf8')) as Data
  t.is(document.users.length, 9)
  t.deepEqual(document.history.map((h) => h.action).sort(), ['account.imported', 'account.imported', ...Array(5).fill('binding.imported')])
  t.is(document.outbox.length, 0, 'an import pushes nothing')
  await assertLookupOfImportedOperator(t, await startWorld({ storage: { dataFile }, clock: new TestClock(NOW) }))
})

test('the example JSON imports into an empty data file; the CSV then changes nothing, as the same world', async (t) => {
  const dataFile = join(await tempDir(), 'assistant.json')
  t.is((await run([EXAMPLE_JSON], { ASSISTANT_DATA_FILE: dataFile })).code, 0)
  const before = await readFile(dataFile, 'utf8')
  const again = await run([EXAMPLE_CSV], { ASSISTANT_DATA_FILE: dataFile })
  t.is(again.code, 0, again.err.join('\n'))
  for (const what of ['accounts', 'people', 'follows', 'bindings']) t.true(again.out.some((l) => new RegExp(`${what}\\s+0 added, \\d+ unchanged`).test(l)), again.out.join('\n'))
  t.is(await readFile(dataFile, 'utf8'), before, 'nothing was written')
})

test('re-importing the same file changes nothing: every record unchanged', async (t) => {
  const dataFile = join(await tempDir(), 'assistant.json')
  t.is((await run([EXAMPLE_CSV], { ASSISTANT_DATA_FILE: dataFile })).code, 0)
  const before = await readFile(dataFile, 'utf8')
  const again = await run(['--dry-run', EXAMPLE_CSV], { ASSISTANT_DATA_FILE: dataFile })
  t.is(again.code, 0)
  t.false(again.out.includes('Would add:'))
  t.is(again.out.filter((l) => l.startsWith('  = ')).length, 2 + 9 + 8 + 5, again.out.join('\n'))
  t.is((await run([EXAMPLE_CSV], { ASSISTANT_DATA_FILE: dataFile })).code, 0)
  t.is(await readFile(dataFile, 'utf8'), before)
})

test('a file with one bad row writes nothing, and says which row, why and what to do', async (t) => {
  const dir = await tempDir()
  const dataFile = join(dir, 'assistant.json')
  const bad = await fileWithOneBadRow()
  const refused = await run([bad], { ASSISTANT_DATA_FILE: dataFile })
  t.is(refused.code, 1)
  t.false(await exists(dataFile), 'a missing data file is not even created')
  t.regex(refused.err.join('\n'), /one-bad-row\.csv has 1 row rejected, so nothing was written/)
  t.regex(refused.err.join('\n'), /✗ line 13: The expiry 2027-03-01 10:00 \(Beijing time\) is later than 2026-12-21 10:00 \(Beijing time\): .*Give its real expiry/)

  t.is((await run([EXAMPLE_JSON], { ASSISTANT_DATA_FILE: dataFile })).code, 0)
  const before = await readFile(dataFile, 'utf8')
  t.is((await run([bad], { ASSISTANT_DATA_FILE: dataFile })).code, 1)
  t.is(await readFile(dataFile, 'utf8'), before, 'an existing data file is left as it was')
})

test('a dry run prints every change and every rejected row, and writes nothing', async (t) => {
  const dataFile = join(await tempDir(), 'assistant.json')
  const dry = await run(['--dry-run', EXAMPLE_CSV], { ASSISTANT_DATA_FILE: dataFile })
  t.is(dry.code, 0)
  t.true(dry.out[0]!.startsWith('Dry run:'))
  t.is(dry.out.filter((l) => l.startsWith('  + ')).length, 2 + 9 + 8 + 5)
  t.true(dry.out.includes('  + short-term operator wujing_2026 on acc_chunfeng, bound 2026-11-15 18:00, until 2026-12-15 18:00  [line 5]'), dry.out.join('\n'))
  t.false(await exists(dataFile))

  const badDry = await run(['--dry-run', await fileWithOneBadRow()], { ASSISTANT_DATA_FILE: dataFile })
  t.is(badDry.code, 1)
  t.true(badDry.out.some((l) => l.startsWith('  ✗ line 13: ')))
  t.false(await exists(dataFile))
  for (const line of [...dry.out, ...badDry.out]) t.notRegex(line, /1[3-9]\d{9}|\d{17}[\dX]/, 'no whole phone or ID number is printed')
})

test('the data file of a running assistant is refused with the lock\'s message: stop the assistant first', async (t) => {
  const dataFile = join(await tempDir(), 'assistant.json')
  const running = await Store.open({ file: dataFile, now: NOW })
  try {
    const refused = await run([EXAMPLE_CSV], { ASSISTANT_DATA_FILE: dataFile })
    t.is(refused.code, 1)
    t.regex(refused.err.join('\n'), /^Not imported: stop the assistant first: .*in use by another running assistant.*Nothing was written\.$/s)
  } finally {
    await running.close()
  }
})

test('usage: --help, no file, an unknown option, a file that is not there', async (t) => {
  const help = await run(['--help'], {})
  t.is(help.code, 0)
  t.regex(help.out.join('\n'), /import \[--dry-run\] <file/)
  t.is((await run([], {})).code, 2)
  t.is((await run(['--force', EXAMPLE_CSV], {})).code, 2)
  const missing = await run([join(await tempDir(), 'nothing.csv')], { ASSISTANT_DATA_FILE: join(await tempDir(), 'a.json') })
  t.is(missing.code, 1)
  t.regex(missing.err[0]!, /^Not imported: there is no file /)
})

// ------------------------------------------------------------------------------- PostgreSQL

test('PostgreSQL: the examples import, re-import unchanged, a bad file and a dry run write nothing, and the assistant answers', async (t) => {
  const server = postgres()
  const { name, pool } = await server.freshDatabase()
  const env = { ASSISTANT_DATABASE_URL: server.url(name) }
  const count = async (): Promise<number[]> => { const d = await exportDocument(pool); return [d.accounts.length, d.users.length, d.bindings.length, d.history.length] }

  const dry = await run(['--dry-run', EXAMPLE_CSV], env)
  t.is(dry.code, 0, dry.err.join('\n'))
  t.deepEqual(await count(), [0, 0, 0, 0], 'the dry run wrote nothing')
  t.is((await run([await fileWithOneBadRow()], env)).code, 1)
  t.deepEqual(await count(), [0, 0, 0, 0], 'the bad file wrote nothing')

  const imported = await run([EXAMPLE_CSV], env)
  t.is(imported.code, 0, imported.err.join('\n'))
  t.regex(imported.out[0]!, /^Imported .* into database postgres:\/\/postgres@127\.0\.0\.1:\d+\/t_\w+:$/, 'the URL is named without its password')
  t.deepEqual(await count(), [2, 9, 5, 7])
  const again = await run([EXAMPLE_JSON], env)
  t.is(again.code, 0, again.err.join('\n'))
  t.true(again.out.some((l) => /bindings\s+0 added, 5 unchanged/.test(l)))
  t.deepEqual(await count(), [2, 9, 5, 7], 're-importing changed nothing')
  t.is((await run([await fileWithOneBadRow()], env)).code, 1)
  t.deepEqual(await count(), [2, 9, 5, 7])

  await assertLookupOfImportedOperator(t, await startDatabaseWorld({ database: { url: server.url(name) }, clock: new TestClock(NOW) }))
})

test('PostgreSQL that cannot be reached: a clear refusal without the password', async (t) => {
  const refused = await run([EXAMPLE_CSV], { ASSISTANT_DATABASE_URL: 'postgres://someone:s3cret@127.0.0.1:1/nowhere' })
  t.is(refused.code, 1)
  t.regex(refused.err[0]!, /^Not imported: cannot use the database postgres:\/\/someone@127\.0\.0\.1:1\/nowhere: /)
  t.false(refused.err.join('\n').includes('s3cret'))
})

// ------------------------------------------------------------------------------- hostile input

test('a CSV with a BOM, CRLF, quoted commas and line breaks, full-width digits and Chinese headers imports as meant', async (t) => {
  const csv = '\uFEFF公众号ID,公众号名称,身份,姓名,微信号,手机号,帐号保护,银行卡,到期时间\r\n' +
    'acc_quoted,"春风, 城东店",管理员,"Li, ""Ming""",li_ming_01,１３５ １２３４ ５６７８,是,是,\r\n' +
    'acc_quoted,"春风, 城东店",短期,"王\r\n小明",wang_xm_02,,是,是,２０２６－１２－０１　１８：００\r\n' +
    'acc_quoted,"春风, 城东店",关注,赵六,zhao_six_3,,否,否,\r\n'
  // A quoted line break belongs to its cell (the fourth record starts on line 5), and a name is one line:
  // a name with a line break would forge lines in the pushes that quote it.
  t.deepEqual(rejected(await planOf('hostile.csv', csv)), ['3 invalid-value'])
  t.deepEqual(rejected(await planOf('hostile.csv', csv.replace('zhao_six_3', 'bad id'))), ['3 invalid-value', '5 invalid-value'])

  const dir = await tempDir()
  const file = join(dir, 'hostile.csv')
  await writeFile(file, csv.replace('"王\r\n小明"', '王小明'))
  const dataFile = join(dir, 'assistant.json')
  const result = await run([file], { ASSISTANT_DATA_FILE: dataFile })
  t.is(result.code, 0, result.err.join('\n'))
  const document = JSON.parse(await readFile(dataFile, 'utf8')) as Data
  t.is(document.accounts[0]!.name, '春风, 城东店')
  t.deepEqual(document.users.map((u) => [u.name, u.wechatId, u.phone]), [['Li, "Ming"', 'li_ming_01', '13512345678'], ['王小明', 'wang_xm_02', undefined], ['赵六', 'zhao_six_3', undefined]])
  t.is(document.bindings[0]!.expiresAt, '2026-12-01T10:00:00.000Z')
})

test('constructor, __proto__ and toString as WeChat IDs, account ids and columns: refused by format or taken as plain values', async (t) => {
  const plan = await planOf('objects.csv', [
    'wechat_id,name,account_protection,bank_card,account_id,account_name,role',
    'constructor,甲,yes,yes,toString,对象号,admin',
    '__proto__,乙,yes,yes,,,',
    'prototype,丙,yes,yes,toString,,long',
    'hasOwnProperty,丁,yes,yes,__proto__,,follower',
  ].join('\n'))
  t.deepEqual(rejected(plan), ['3 invalid-value', '5 invalid-value'])
  t.deepEqual(plan.people.map((p) => p.person.wechatId), ['constructor', 'prototype'])
  t.deepEqual(plan.accounts.map((a) => [a.accountId, a.adminWechatId]), [['toString', 'constructor']])
  t.deepEqual(plan.bindings.map((b) => [b.wechatId, b.accountId]), [['prototype', 'toString']])
  t.deepEqual(rejected(await planOf('objects.csv', 'wechat_id,__proto__\nconstructor,x')), ['1 csv-column'])
  t.deepEqual(rejected(await planOf('objects.json', '{ "__proto__": [], "people": [{ "name": "甲", "wechatId": "constructor", "accountProtection": true, "bankCard": true, "__proto__": {} }] }')),
    ['1 unknown-field'])
})

test('JSON nested a million deep, where JSON.parse takes it, is refused by the record rule without a crash', async (t) => {
  const depth = 1_000_000
  const arrays = `{ "people": [\n${'['.repeat(depth)}${']'.repeat(depth)}] }`
  t.deepEqual(rejected(await planOf('deep.json', arrays)), ['2 invalid-value'])
  const objects = `{ "people": [\n{ "a": ${'{ "a": '.repeat(depth)}1${' }'.repeat(depth)}, "a": 2 }] }`
  t.deepEqual(rejected(await planOf('deep.json', objects)), ['2 duplicate-key'], 'a key twice still found, past a million objects')
})

test('a 50 MB line is refused by its line number, without a crash; so is a 50 MB JSON value', async (t) => {
  const huge = 'x'.repeat(50 * 1_048_576)
  const dir = await tempDir()
  const csvFile = join(dir, 'huge.csv')
  await writeFile(csvFile, `${HEADER}\n${newcomer('xu_before1')}\n${newcomer('xu_huge001', { name: huge })}\n${newcomer('xu_after01')}\n`)
  const dataFile = join(dir, 'assistant.json')
  const csv = await run(['--dry-run', csvFile], { ASSISTANT_DATA_FILE: dataFile })
  t.is(csv.code, 1)
  t.true(csv.out.some((l) => /✗ line 3: This row is 52,428,\d+ characters long; a row may be at most 10,000/.test(l)), csv.out.join('\n').slice(0, 2000))
  t.true(csv.out.every((l) => l.length < 2000), 'the value is never printed')

  const jsonFile = join(dir, 'huge.json')
  await writeFile(jsonFile, `{"people": [\n{"name": "${huge}", "wechatId": "xu_huge002", "accountProtection": true, "bankCard": true}\n]}`)
  const json = await run([jsonFile], { ASSISTANT_DATA_FILE: dataFile })
  t.is(json.code, 1)
  t.regex(json.err.join('\n'), /✗ line 2 \(people\[0\]\): name: not a valid name \(longer than 40 characters\)/)
  t.true(json.err.every((l) => l.length < 2000))
  t.false(await exists(dataFile))
})

test('a pipe with no size to stat is still refused past the limit, having read no more than the limit', async (t) => {
  const dir = await tempDir()
  const fifo = join(dir, 'people.csv')
  execFileSync('mkfifo', [fifo])
  const writer = spawn('sh', ['-c', `head -c ${65 * 1_048_576} /dev/zero > '${fifo}' 2>/dev/null`])
  const refused = await run([fifo], { ASSISTANT_DATA_FILE: join(dir, 'a.json') })
  writer.kill()
  t.is(refused.code, 1)
  t.regex(refused.err.join('\n'), /larger than 64.0 MB, the most an import file may be/)
  t.false(await exists(join(dir, 'a.json')))
})

test('a file that is not UTF-8 (a GBK export), or neither CSV nor JSON, is refused as a whole', async (t) => {
  const dir = await tempDir()
  const gbk = join(dir, 'gbk.csv')
  await writeFile(gbk, Buffer.from([0x77, 0x65, 0x63, 0x68, 0x61, 0x74, 0x5F, 0x69, 0x64, 0x0A, 0xD5, 0xC5, 0xC8, 0xFD]))
  const refused = await run([gbk], { ASSISTANT_DATA_FILE: join(dir, 'a.json') })
  t.is(refused.code, 1)
  t.regex(refused.err.join('\n'), /not UTF-8 text\. Save it as "CSV UTF-8"/)
  const text = join(dir, 'people.txt')
  await writeFile(text, 'wechat_id\nxu_someone\n')
  t.regex((await run([text], { ASSISTANT_DATA_FILE: join(dir, 'a.json') })).err.join('\n'), /name the file \.csv or \.json/)
})
