// The command line, run in-process (runCli with captured output): check, export and backup on the data
// file and on PostgreSQL, and the running assistant's daily backups.
import test from 'ava'
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { days } from '../src/domain/calendar.js'
import { runCli } from '../src/cli/commands.js'
import { readDataFile } from '../src/store/document.js'
import { spawn } from 'node:child_process'
import { startWorld, worldFor } from './fixture.js'
import { demoWorld, postgresForFile } from './helpers/postgres.js'
import { ROOT } from './helpers/runner.js'

const postgres = postgresForFile(test)
const NOW = Date.parse('2026-11-21T11:30:00Z')

async function cli (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(args, {
    out: (line) => { out += `${line}\n` },
    err: (line) => { err += `${line}\n` },
    env: { ...env },
    cwd: cwd ?? await mkdtemp(join(tmpdir(), 'assistant-cli-')),
    now: () => NOW,
  })
  return { code, out, err }
}

async function demoDataFile (): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'assistant-cli-')), 'assistant.json')
  await writeFile(file, JSON.stringify(demoWorld(NOW)))
  return file
}

/** The demo data file with the second user holding the first one's `field`: a file the loader refuses. */
async function demoFileWithTwoUsersSharing (field: 'wechatId' | 'phone'): Promise<string> {
  const file = await demoDataFile()
  const data = JSON.parse(await readFile(file, 'utf8'))
  data.users[1][field] = data.users[0][field]
  await writeFile(file, JSON.stringify(data))
  return file
}

test('--help lists every command; each has its own --help; an unknown command is refused with the list', async (t) => {
  const help = await cli(['--help'])
  t.is(help.code, 0)
  for (const name of ['check', 'export', 'backup', 'copy-to-postgres', 'export-from-postgres']) {
    t.true(help.out.includes(`  ${name} `), name)
    const own = await cli([name, '--help'])
    t.is(own.code, 0)
    t.true(own.out.startsWith(`Usage: security-assistant ${name}`), own.out)
  }
  const unknown = await cli(['constructor'])
  t.is(unknown.code, 2)
  t.true(unknown.err.startsWith('Unknown command "constructor".'))
})

test('check loads a data file as start-up would, beside a running assistant, changes nothing, and prints counts', async (t) => {
  const w = await worldFor(t)
  const before = await readFile(w.dataFile)
  const checked = await cli(['check', w.dataFile])
  t.is(checked.code, 0, checked.err)
  t.regex(checked.out, /would load \(schema version 6\)[^]*accounts\s+6[^]*users\s+11/)
  t.deepEqual(await readFile(w.dataFile), before, 'not a byte changed')
})

test('check refuses a damaged data file with the loader\'s reason, and a missing one with what to do', async (t) => {
  const file = await demoFileWithTwoUsersSharing('wechatId')
  const damaged = await cli(['check', file])
  t.is(damaged.code, 1)
  t.regex(damaged.err, /^Not done: The data file .* is inconsistent: .*WeChat ID/)
  const missing = await cli(['check'], { ASSISTANT_DATA_FILE: join(tmpdir(), 'no-such-dir', 'assistant.json') })
  t.is(missing.code, 1)
  t.regex(missing.err, /there is no data file .*Start the assistant \(it starts empty\) or import/)
})

test('export writes the data file\'s state to a new file that loads, and never over an existing one', async (t) => {
  const file = await demoDataFile()
  const copy = join(await mkdtemp(join(tmpdir(), 'assistant-cli-')), 'copy.json')
  const exported = await cli(['export', copy], { ASSISTANT_DATA_FILE: file })
  t.is(exported.code, 0, exported.err)
  t.deepEqual(await readDataFile(copy, NOW), await readDataFile(file, NOW))
  const again = await cli(['export', copy], { ASSISTANT_DATA_FILE: file })
  t.is(again.code, 1)
  t.regex(again.err, /already exists: export to a new file/)
  const folder = await mkdtemp(join(tmpdir(), 'assistant-cli-'))
  const intoFolder = await cli(['export', folder], { ASSISTANT_DATA_FILE: file })
  t.is(intoFolder.code, 1)
  t.true(intoFolder.err.includes(`${folder} is a folder: name a new file to export to, e.g. ${join(folder, 'assistant-export.json')}.`), intoFolder.err)
})

test('backup copies the data file of a running assistant into backups/ beside it, named by its time, and checks the copy loads', async (t) => {
  const w = await worldFor(t)
  await w.ask('u_zhangwei', '绑定查询 13800138000')
  const made = await cli(['backup'], { ASSISTANT_DATA_FILE: w.dataFile })
  t.is(made.code, 0, made.err)
  const copy = join(w.dataFile, '..', 'backups', 'assistant-20261121T113000Z.json')
  t.true(made.out.includes(copy), made.out)
  t.deepEqual(await readFile(copy), await readFile(w.dataFile), 'the whole document as written')
})

test('on PostgreSQL: check and export read the database; backup needs a folder, then writes a copy that loads', async (t) => {
  t.timeout(120_000)
  const { name } = await postgres().freshDatabase()
  const env = { ASSISTANT_DATABASE_URL: postgres().url(name) }
  const w = await startWorld({ storage: { database: { url: env.ASSISTANT_DATABASE_URL } } })
  t.is(await w.assistant.jobs.backup(w.clock.at), undefined, 'no daily backups on PostgreSQL unless a folder is given')
  await w.stop()
  const checked = await cli(['check'], env)
  t.is(checked.code, 0, checked.err)
  t.regex(checked.out, /The database postgres:\/\/postgres@127\.0\.0\.1:\d+\/t_\w+ would load[^]*users\s+11/)
  t.false(checked.out.includes(':' + new URL(env.ASSISTANT_DATABASE_URL).password + '@'), 'no password printed')

  const noFolder = await cli(['backup'], env)
  t.is(noFolder.code, 2)
  t.regex(noFolder.err, /name the backups folder with --dir or ASSISTANT_BACKUP_DIR/)
  const dir = await mkdtemp(join(tmpdir(), 'assistant-cli-'))
  const made = await cli(['backup', '--dir', dir], env)
  t.is(made.code, 0, made.err)
  const copy = await readDataFile(join(dir, 'assistant-20261121T113000Z.json'), NOW)
  t.is(copy!.users.length, 11)

  const file = join(dir, 'exported.json')
  t.is((await cli(['export', file], env)).code, 0)
  t.deepEqual(await readDataFile(file, NOW), copy, 'export and backup read the same state')
  const moved = await cli(['export-from-postgres', join(dir, 'moved.json')], env)
  t.is(moved.code, 0, moved.err)
  t.regex(moved.out, /Exported the database into .*moved\.json[^]*users\s+11/)
  t.deepEqual(await readDataFile(join(dir, 'moved.json'), NOW), copy, 'export-from-postgres is export on the database')
})

test('the daily backup job writes one copy a day, however often it runs, keeps the last 7 days, and leaves hand-made copies and other files alone', async (t) => {
  const w = await worldFor(t)
  const dir = join(w.dataFile, '..', 'backups')
  t.is((await cli(['backup'], { ASSISTANT_DATA_FILE: w.dataFile })).code, 0, 'one made by hand first')
  for (let day = 0; day < 9; day++) {
    w.clock.at += days(1)
    t.truthy(await w.assistant.jobs.backup(w.clock.at), `day ${day}: written`)
    // A restart, a catch-up run or a second process the same day writes none.
    t.is(await w.assistant.jobs.backup(w.clock.at + 60_000), undefined, `day ${day}: not twice`)
    if (day === 0) await writeFile(join(dir, 'notes.txt'), 'mine')
  }
  const names = (await readdir(dir)).sort()
  const daily = names.filter((n) => n.startsWith('assistant-daily-'))
  t.is(daily.length, 7)
  t.is(daily[0], `assistant-daily-${new Date(w.clock.at - days(6) + 8 * 3_600_000).toISOString().slice(0, 10)}.json`, 'the last 7 days')
  t.true(names.includes('notes.txt'))
  t.true(names.includes('assistant-20261121T113000Z.json'), 'the copy made by hand stays')
  t.true((await stat(join(dir, daily[0]!))).size > 1000)
})

test('a backup never replaces another of the same name, and a copy that would not load is never left as a backup', async (t) => {
  const file = await demoDataFile()
  t.is((await cli(['backup'], { ASSISTANT_DATA_FILE: file })).code, 0)
  const again = await cli(['backup'], { ASSISTANT_DATA_FILE: file }) // the same second
  t.is(again.code, 1)
  t.regex(again.err, /A backup named .*assistant-20261121T113000Z\.json already exists: it was left as it is\./)
  const damaged = await demoDataFile()
  await writeFile(damaged, '{"version":5,')
  const dir = await mkdtemp(join(tmpdir(), 'assistant-cli-'))
  const refused = await cli(['backup', '--dir', dir], { ASSISTANT_DATA_FILE: damaged })
  t.is(refused.code, 1)
  t.deepEqual(await readdir(dir), [], 'nothing named, no temp file left')
})

test('what a command prints passes the last mask: a refusal quoting a whole phone number shows it masked', async (t) => {
  const file = await demoFileWithTwoUsersSharing('phone')
  const checked = await cli(['check', file])
  t.is(checked.code, 1)
  t.false(/1\d{10}/.test(checked.err), checked.err)
  t.regex(checked.err, /mobile number 1\d\d\*{4}\d{4} appears twice/)
})

test('backups on PostgreSQL without a folder are refused as an option, before anything is opened', async (t) => {
  await t.throwsAsync(startWorld({ storage: { database: { url: 'postgres://nobody@127.0.0.1:1/none' } }, plugin: { backups: { keep: 3 } } }), {
    message: /backups\.dir: name the backups folder \(on PostgreSQL there is no data file to put them beside\)/,
  })
})

test('an empty ASSISTANT_DATA_FILE or ASSISTANT_BACKUP_DIR (say `X=` in a compose file) means the default, never the working folder', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'assistant-cli-'))
  await mkdir(join(cwd, 'data'))
  await writeFile(join(cwd, 'data', 'assistant.json'), JSON.stringify(demoWorld(NOW)))
  const checked = await cli(['check'], { ASSISTANT_DATA_FILE: '' }, cwd)
  t.is(checked.code, 0, checked.err)
  t.true(checked.out.startsWith(`The data file ${join(cwd, 'data', 'assistant.json')} would load`), checked.out)
  const made = await cli(['backup'], { ASSISTANT_DATA_FILE: '', ASSISTANT_BACKUP_DIR: '' }, cwd)
  t.is(made.code, 0, made.err)
  t.deepEqual(await readdir(join(cwd, 'data', 'backups')), ['assistant-20261121T113000Z.json'])
  t.deepEqual((await readdir(cwd)).sort(), ['data'], 'nothing written into the working folder')
})

test('a backups folder that cannot be written is refused with the folder and what to do', async (t) => {
  const file = await demoDataFile()
  const notAFolder = join(file, '..', 'not-a-folder')
  await writeFile(notAFolder, 'a file')
  const refused = await cli(['backup', '--dir', notAFolder], { ASSISTANT_DATA_FILE: file })
  t.is(refused.code, 1)
  t.regex(refused.err, /^Not done: Cannot write a backup into .*not-a-folder \(.*EEXIST.*\): name another folder with --dir or ASSISTANT_BACKUP_DIR, or free some space there\.\n$/)
})

test('a reader that stops early (check | head -1) ends the command quietly: no stack trace', async (t) => {
  const file = await demoDataFile()
  const child = spawn(process.execPath, [`--import=${import.meta.resolve('tsx')}`, join(ROOT, 'src/cli.ts'), 'check'],
    { cwd: ROOT, env: { ...process.env, ASSISTANT_DATA_FILE: file }, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.destroy() // the reader has gone before the first line
  let err = ''
  child.stderr.on('data', (chunk) => { err += String(chunk) })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  t.is(code, 0, err)
  t.false(/EPIPE|at .*\.ts/.test(err), err)
})
