// One assistant per data file, whatever name it is reached by; a durable file that tells "missing" from "null".
import test from 'ava'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { link, mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FileLock } from '../src/store/file-lock.js'
import { DurableJsonFile } from '../src/store/durable-json-file.js'
import { StoreError } from '../src/store/errors.js'
import { DEAD_PID, staleLock } from './helpers/lock-stale.js'

/** A fresh folder, by its real path (the lock names real paths). */
async function tempDir (): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), 'assistant-lock-')))
}

test('a second lock through a symlink to the data file is refused, and the lock names the real file', async (t) => {
  const dir = await tempDir()
  const target = join(dir, 'assistant.json')
  await writeFile(target, '{}')
  const linked = join(dir, 'other-name.json')
  await symlink(target, linked)
  const lock = FileLock.acquire(linked)
  t.teardown(() => lock.release())
  t.is(lock.dataFile, target, 'reads and writes go to the file, so a rename does not replace the link')
  t.is(lock.path, `${target}.lock`)
  const err = t.throws(() => FileLock.acquire(target), { instanceOf: StoreError })
  t.regex(err!.message, /is in use by another running assistant/)
})

test('a lock held through another name of the folder is met too', async (t) => {
  const dir = await tempDir()
  await mkdir(join(dir, 'real'))
  await symlink(join(dir, 'real'), join(dir, 'linked'))
  // the data file does not exist yet: its folder's real path identifies it
  const lock = FileLock.acquire(join(dir, 'real', 'assistant.json'))
  t.teardown(() => lock.release())
  const err = t.throws(() => FileLock.acquire(join(dir, 'linked', 'assistant.json')), { instanceOf: StoreError })
  t.regex(err!.message, /is in use by another running assistant/, 'not taken for a lock left by an earlier process with this pid')
})

test('a live process holding the lock of the file a symlink points to is refused, by its pid', async (t) => {
  const dir = await tempDir()
  await writeFile(join(dir, 'real.json'), '{}')
  await symlink(join(dir, 'real.json'), join(dir, 'assistant.json'))
  await writeFile(join(dir, 'real.json.lock'), JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-11-21T02:00:00.000Z' }))
  const err = t.throws(() => FileLock.acquire(join(dir, 'assistant.json')), { instanceOf: StoreError })
  t.true(err!.message.includes(`(process ${process.ppid} on ${hostname()}, since 2026-11-21T02:00:00.000Z)`), err!.message)
  t.true(err!.message.includes(`delete ${join(dir, 'real.json.lock')} and start again`), err!.message)
})

test('a data file with another hard link is refused, with what to do', async (t) => {
  const dir = await tempDir()
  const file = join(dir, 'assistant.json')
  await writeFile(file, '{}')
  await link(file, join(dir, 'copy.json'))
  const err = t.throws(() => FileLock.acquire(file), { instanceOf: StoreError })
  t.regex(err!.message, /has 2 hard links: another assistant could be using it under another name, and the first write would split it from the other names anyway/)
  t.regex(err!.message, /Use one name for it and remove the extra links/)
  t.deepEqual((await readdir(dir)).sort(), ['assistant.json', 'copy.json'], 'no lock left behind')
})

test('a symlink to a missing data file is refused rather than replaced by the first write', async (t) => {
  const dir = await tempDir()
  await symlink(join(dir, 'gone.json'), join(dir, 'assistant.json'))
  t.throws(() => FileLock.acquire(join(dir, 'assistant.json')), { instanceOf: StoreError, message: /symbolic link to a file that does not exist/ })
})

test('a folder given as the data file is refused as not a file (not for its links)', async (t) => {
  const dir = await tempDir()
  t.throws(() => FileLock.acquire(dir), { instanceOf: StoreError, message: /is not a file/ })
})

test('a damaged lock file (empty, or not an owner) is stale and taken over', async (t) => {
  const dir = await tempDir()
  const file = join(dir, 'assistant.json')
  for (const damaged of ['', '{"pid":', '{}', 'null']) {
    await writeFile(`${file}.lock`, damaged)
    const lock = FileLock.acquire(file)
    t.is(JSON.parse(await readFile(lock.path, 'utf8')).pid, process.pid, JSON.stringify(damaged))
    t.is(lock.release(), undefined)
  }
  t.deepEqual(await readdir(dir), [], 'no lock, temp or stale file left behind')
})

test('a takeover mutex left by a process that stopped while holding it is cleared, and the stale lock taken over', async (t) => {
  const dir = await tempDir()
  const file = join(dir, 'assistant.json')
  const left = [
    JSON.stringify({ pid: DEAD_PID, host: hostname(), since: '2026-11-21T02:00:00.000Z' }), // its process is gone
    '', // damaged: it is never written half
    JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-11-21T02:00:00.000Z' }), // an earlier process with this pid
  ]
  for (const [index, mutex] of left.entries()) {
    await writeFile(`${file}.lock`, staleLock(index))
    await writeFile(`${file}.lock.takeover`, mutex)
    const lock = FileLock.acquire(file)
    t.is(JSON.parse(await readFile(lock.path, 'utf8')).pid, process.pid, JSON.stringify(mutex))
    t.is(lock.release(), undefined)
    t.deepEqual(await readdir(dir), [], 'no lock, mutex or temp file left behind')
  }
})

test('a takeover mutex is not needed, nor touched, when there is no lock', async (t) => {
  const dir = await tempDir()
  const file = join(dir, 'assistant.json')
  // a live process's mutex: waited for, were there a stale lock to take over
  const mutex = JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-11-21T02:00:00.000Z' })
  await writeFile(`${file}.lock.takeover`, mutex)
  const lock = FileLock.acquire(file)
  t.is(lock.release(), undefined)
  t.is(await readFile(`${file}.lock.takeover`, 'utf8'), mutex)
})

test('release does not throw when the lock file cannot be removed: it returns the error', async (t) => {
  const dir = await tempDir()
  const lock = FileLock.acquire(join(dir, 'assistant.json'))
  await rm(lock.path)
  await mkdir(lock.path)
  await writeFile(join(lock.path, 'something'), '')
  let failure: Error | undefined
  t.notThrows(() => { failure = lock.release() })
  t.true(failure instanceof StoreError)
  t.true(failure!.message.startsWith(`Could not remove the lock file ${lock.path} (`), failure!.message)
  t.notThrows(() => lock.release(), 'nor on a second call')
})

test('release leaves a lock file that is no longer this one\'s', async (t) => {
  const dir = await tempDir()
  const lock = FileLock.acquire(join(dir, 'assistant.json'))
  const other = JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-11-21T02:00:00.000Z' })
  await writeFile(lock.path, other)
  t.regex(lock.release()!.message, /was replaced by another process's/)
  t.is(await readFile(lock.path, 'utf8'), other)
})

test('leftover temp files of the data file are removed, and only those', async (t) => {
  const dir = await tempDir()
  const file = new DurableJsonFile(join(dir, 'assistant.json'))
  await file.write({ version: 4 })
  const ours = ['.assistant.json.0123456789ab.tmp', '.assistant.json.ffffffffffff.tmp']
  const others = [
    '.other.json.0123456789ab.tmp', // another file's
    '.assistant.json.0123456789xy.tmp', // not hex
    '.assistant.json.0123456789abc.tmp', // 13 digits
    '.assistant.json.0123456789AB.tmp', // write() uses lower case
    'assistant.json.0123456789ab.tmp', // no leading dot
    '.assistant.json.0123456789ab.tmp.keep',
    'assistant.json.lock.0123456789ab.tmp', // the lock's own temp file
  ]
  for (const name of [...ours, ...others]) await writeFile(join(dir, name), 'x')
  t.deepEqual((await file.removeLeftovers()).sort(), ours.map((name) => join(dir, name)).sort())
  t.deepEqual((await readdir(dir)).sort(), ['assistant.json', ...others].sort())
  t.deepEqual(await file.removeLeftovers(), [])
})

test('load tells a file holding null from a missing file', async (t) => {
  const dir = await tempDir()
  const file = new DurableJsonFile(join(dir, 'assistant.json'))
  t.deepEqual(await file.load(), { exists: false })
  await writeFile(file.file, 'null')
  t.deepEqual(await file.load(), { exists: true, value: null })
  await writeFile(file.file, '0')
  t.deepEqual(await file.load(), { exists: true, value: 0 })
})

test('a corrupt data file is left untouched, with what to do and no mention of backups nobody made', async (t) => {
  const dir = await tempDir()
  const file = new DurableJsonFile(join(dir, 'assistant.json'))
  await writeFile(file.file, '{"version":4,"acc')
  const err = await t.throwsAsync(file.load(), { instanceOf: StoreError })
  t.notRegex(err!.message, /backup/i)
  t.regex(err!.message, /left untouched: repair it, or move it aside \(rename it, do not delete it\) so the assistant starts again from the seed/)
  t.is(await readFile(file.file, 'utf8'), '{"version":4,"acc')
})

const RACER = fileURLToPath(new URL('helpers/lock-racer.ts', import.meta.url))

interface Finished { code: number | null, stdout: string, stderr: string }

function runChild (args: string[]): { child: ChildProcess, finished: Promise<Finished> } {
  const child = spawn(process.execPath, ['--import=tsx', RACER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk) => { stdout += chunk })
  child.stderr!.on('data', (chunk) => { stderr += chunk })
  const finished = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
  return { child, finished }
}

test('a takeover mutex that stays the same for seconds is cleared, even one that cannot be checked by its pid', async (t) => {
  const dir = await tempDir()
  const file = join(dir, 'assistant.json')
  await writeFile(`${file}.lock`, staleLock(0))
  await writeFile(`${file}.lock.takeover`, JSON.stringify({ pid: 1, host: 'old-container', since: '2026-11-21T02:00:00.000Z' }))
  // in a child process, as the wait blocks it for seconds
  const { code, stdout, stderr } = await runChild(['once', file]).finished
  t.is(code, 0, stderr)
  t.is(stdout, 'held')
  t.deepEqual(await readdir(dir), [], 'no lock, mutex or temp file left behind')
})

test('processes racing for the lock: one holds it at a time, and nobody ever sees a half-written lock', async (t) => {
  const racers = 4
  const rounds = 250
  const dir = await tempDir()
  const dataFile = join(dir, 'assistant.json')
  const syncDir = join(dir, 'sync')
  await mkdir(syncDir)
  const watcher = runChild(['watch', dataFile, syncDir])
  const children = [watcher]
  t.teardown(() => { for (const { child } of children) if (child.exitCode === null) child.kill() })
  while (!existsSync(join(syncDir, 'watching'))) {
    const early = await Promise.race([watcher.finished, new Promise((resolve) => setTimeout(resolve, 20))])
    if (early) return t.fail(`the watcher stopped: ${JSON.stringify(early)}`)
  }
  const running = Array.from({ length: racers }, (_, index) => runChild(['race', dataFile, syncDir, String(index), String(racers), String(rounds)]))
  children.push(...running)
  const started = Date.now()
  // one racer failing would leave the others waiting for it
  for (const { finished } of running) void finished.then(({ code }) => { if (code !== 0) for (const { child } of running) child.kill() })
  const results = await Promise.all(running.map(({ finished }) => finished))
  await writeFile(join(syncDir, 'stop'), '')
  const watched = await watcher.finished
  for (const result of [...results, watched]) t.is(result.code, 0, result.stderr)
  if (results.some(({ code }) => code !== 0) || watched.code !== 0) return

  const reports = results.map(({ stdout }) => JSON.parse(stdout) as { held: number[], overlaps: number[], problems: string[], ms: number })
  t.deepEqual(reports.flatMap((r) => r.problems), [])
  t.deepEqual(reports.flatMap((r) => r.overlaps), [], 'no round had two holders at the same time')
  const holders = Array.from({ length: rounds }, (_, round) => reports.filter((r) => r.held.includes(round)).length)
  t.deepEqual(holders.filter((n) => n !== 1), [], 'each round exactly one racer held the lock (it kept it until all had tried)')
  const { seen, torn } = JSON.parse(watched.stdout) as { seen: number, torn: string[] }
  t.deepEqual(torn, [], 'the lock file was never there without its complete owner')
  t.log(`${rounds} rounds in ${reports[0]!.ms} ms, ${Date.now() - started} ms with start-up; the watcher read the lock ${seen} times`)
  t.deepEqual((await readdir(dir)).sort(), ['sync'], 'no lock or temp file left behind')
})

test('processes racing to take over a stale lock: exactly one holds it each round', async (t) => {
  // Each round starts from a stale lock (alternately naming a dead process on this host, and empty), so each
  // round is a takeover race; a clash needs an unlucky interleaving, so the more rounds the better. Rounds
  // stop at a time budget, so the test stays bounded on a slow machine (a few hundred rounds on a loaded
  // one): it checks the rounds that ran, whatever their number.
  const racers = 8
  const rounds = 1000
  const budgetMs = 8_000
  const dir = await tempDir()
  const dataFile = join(dir, 'assistant.json')
  const syncDir = join(dir, 'sync')
  await mkdir(syncDir)
  await writeFile(`${dataFile}.lock`, staleLock(0))
  const running = Array.from({ length: racers }, (_, index) => runChild(['stale', dataFile, syncDir, String(index), String(racers), String(rounds), String(budgetMs)]))
  t.teardown(() => { for (const { child } of running) if (child.exitCode === null) child.kill() })
  const started = Date.now()
  for (const { finished } of running) void finished.then(({ code }) => { if (code !== 0) for (const { child } of running) child.kill() })
  const results = await Promise.all(running.map(({ finished }) => finished))
  for (const result of results) t.is(result.code, 0, result.stderr)
  if (results.some(({ code }) => code !== 0)) return

  const reports = results.map(({ stdout }) => JSON.parse(stdout) as { held: number[], overlaps: number[], problems: string[], rounds: number, ms: number })
  const ran = reports[0]!.rounds
  const holders = Array.from({ length: ran }, (_, round) => reports.filter((r) => r.held.includes(round)).length)
  const clashes = holders.map((n, round) => [round, n]).filter(([, n]) => n !== 1)
  t.log(`${ran} rounds in ${reports[0]!.ms} ms, ${Date.now() - started} ms with start-up; ${clashes.length} without exactly one holder`)
  t.deepEqual(reports.map((r) => r.rounds), reports.map(() => ran), 'all racers stopped after the same round')
  t.true(ran > 0)
  t.deepEqual(clashes, [], 'each round exactly one racer took the stale lock over (it kept it until all had tried): [round, holders]')
  t.deepEqual(reports.flatMap((r) => r.overlaps), [], 'no round had two holders at the same time')
  t.deepEqual(reports.flatMap((r) => r.problems), [])
  t.deepEqual((await readdir(dir)).sort(), ['assistant.json.lock', 'sync'], 'only the last round\'s stale lock left: no mutex, temp or stale file')
})
