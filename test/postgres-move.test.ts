// Moving a deployment between engines, as an operator of the assistant would: a data file copied into
// an empty PostgreSQL database (also through the command), and exported back to a data file.
import test from 'ava'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StoreError } from '../src/store/errors.js'
import { copyFileToPostgres, exportPostgresToFile } from '../src/store/postgres/move.js'
import { Store } from '../src/store/store.js'
import { postgresForFile, SEED_FILE } from './helpers/postgres.js'

const NOW = Date.parse('2026-11-21T02:00:00Z')

const ROOT = new URL('..', import.meta.url).pathname

const postgres = postgresForFile(test)

/** The demo world as a data file, written by the store itself. */
async function demoDataFile (): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'assistant-move-')), 'assistant.json')
  const store = await Store.open({ file, seedFile: SEED_FILE, now: NOW })
  await store.close()
  return file
}

test('a data file copied into PostgreSQL and exported back is the same document, checked by counts', async (t) => {
  const file = await demoDataFile()
  const { pool } = await postgres().freshDatabase()
  const counts = await copyFileToPostgres(file, pool, NOW)
  const original = JSON.parse(await readFile(file, 'utf8'))
  t.is(counts.users, original.users.length)
  t.is(counts.history, original.history.length)
  const back = join(file, '..', 'exported.json')
  t.deepEqual(await exportPostgresToFile(pool, back), counts)
  t.deepEqual(JSON.parse(await readFile(back, 'utf8')), original)
  const reopened = await Store.open({ file: back, now: NOW })
  t.is(reopened.data.bindings.length, original.bindings.length, 'the exported file loads like any data file')
  await reopened.close()
})

test('a copy is refused into a database that holds state, from a file an assistant is running on, and from no file; an export never overwrites a file', async (t) => {
  const file = await demoDataFile()
  const { pool } = await postgres().freshDatabase()
  await copyFileToPostgres(file, pool, NOW)
  await t.throwsAsync(copyFileToPostgres(file, pool, NOW), { instanceOf: StoreError, message: /already holds state/ })
  const running = await Store.open({ file, now: NOW })
  const { pool: empty } = await postgres().freshDatabase()
  await t.throwsAsync(copyFileToPostgres(file, empty, NOW), { instanceOf: StoreError, message: /in use by another running assistant/ })
  await running.close()
  await t.throwsAsync(copyFileToPostgres(join(file, '..', 'missing.json'), empty, NOW), { instanceOf: StoreError, message: /There is no data file/ })
  await writeFile(join(file, '..', 'taken.json'), '{}')
  await t.throwsAsync(exportPostgresToFile(pool, join(file, '..', 'taken.json')), { instanceOf: StoreError, message: /already exists/ })
  t.is(await readFile(join(file, '..', 'taken.json'), 'utf8'), '{}')
})

test('the command copies a data file into the database named by ASSISTANT_DATABASE_URL and says what it copied', async (t) => {
  t.timeout(180_000)
  const file = await demoDataFile()
  const { name } = await postgres().freshDatabase()
  const run = (args: string[]) => new Promise<{ code: number | null, output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import=tsx', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ASSISTANT_DATABASE_URL: postgres().url(name) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.on('exit', (code) => resolve({ code, output }))
  })
  const first = await run(['copy-to-postgres', file])
  t.is(first.code, 0, first.output)
  t.regex(first.output, /Copied .*assistant\.json into the database[\s\S]*users\s+11/)
  const second = await run(['copy-to-postgres', file])
  t.is(second.code, 1)
  t.regex(second.output, /Not done: Cannot import into a database that already holds state/)
})
