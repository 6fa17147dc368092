// `import [--dry-run] <file>`: accounts, people, follows and operator bindings from a CSV or JSON file
// into the state the assistant runs on (ASSISTANT_DATABASE_URL, else the data file), all or nothing.
// The I/O around the pure import (src/import/): the file, the engine, the printed lines. The process
// itself (argv, exit code) stays with src/cli.ts.
import { access, open, rm, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Millis } from '../domain/calendar.js'
import type { Reading } from '../import/model.js'
import { planImport } from '../import/plan.js'
import type { Plan } from '../import/plan.js'
import { MAX_FILE_BYTES, readImport } from '../import/read.js'
import { changeLines, describeProblem, rejectionLines, summaryLines } from '../import/render.js'
import { NOTHING_STORED } from '../import/stored.js'
import { importReading } from '../services/import.js'
import { createPool } from '../store/postgres/connect.js'
import { openPostgresEngine } from '../store/postgres/engine.js'
import { Store } from '../store/store.js'
import type { CommandIo, Target as StateTarget } from './io.js'
import { targetOf } from './io.js'

export type ImportIo = Pick<CommandIo, 'out' | 'err' | 'env'> & Partial<Pick<CommandIo, 'cwd' | 'now'>>

export const IMPORT_USAGE = [
  'Usage: security-assistant import [--dry-run] <file.csv|file.json>',
  '  Adds official accounts with their admins, people with their identifiers and security settings, follows and',
  '  existing operator bindings, checked with the same rules as the platform API and the chat. Nothing is written',
  '  unless every row is valid; what is stored exactly so already is left unchanged.',
  '  --dry-run   print every change and every rejected row (line, reason, what to do); write nothing',
  'Target: ASSISTANT_DATABASE_URL (PostgreSQL), else the data file ASSISTANT_DATA_FILE (default data/assistant.json;',
  'a missing one starts empty). Stop the assistant first: it holds the data file. Formats: README, "Importing your',
  'accounts and people", and data/examples/import.csv, data/examples/import.json.',
].join('\n')


export async function importCommand (args: string[], io: ImportIo): Promise<number> {
  // Every printed line passes the last mask (invariant 5) in runCli, the one way a command is run.
  const { out, err } = io
  if (args.includes('--help') || args.includes('-h')) {
    out(IMPORT_USAGE)
    return 0
  }
  const dryRun = args.includes('--dry-run')
  const rest = args.filter((a) => a !== '--dry-run')
  const unknown = rest.filter((a) => a.startsWith('-'))
  if (unknown.length > 0 || rest.length !== 1) {
    err(`${unknown.length > 0 ? `Unknown option ${unknown[0]}.` : 'Name one file to import.'}\n${IMPORT_USAGE}`)
    return 2
  }
  const cwd = io.cwd ?? process.cwd()
  const file = resolve(cwd, rest[0]!)
  const now = (io.now ?? Date.now)()

  const bytes = await readImportFile(file)
  if (typeof bytes === 'string') {
    err(`Not imported: ${bytes}`)
    return 1
  }
  const reading = readImport(file, bytes)

  let target: Target
  try {
    target = await openTarget(targetOf({ env: io.env, cwd }), now, { dryRun, reading })
  } catch (error) {
    err(`Not imported: ${sentence((error as Error).message)} Nothing was written.`)
    return 1
  }
  let plan: Plan
  try {
    plan = await target.plan()
  } catch (error) {
    err(`Not imported: ${sentence((error as Error).message)} Nothing was written.`)
    return 1
  } finally {
    await target.close()
  }

  return report(plan, { file, target: target.name, dryRun }, out, err)
}

/** The dry run's every change and rejected row; an import's rejected rows, or its counts. Returns the exit code. */
function report (plan: Plan, what: { file: string, target: string, dryRun: boolean }, out: (line: string) => void, err: (line: string) => void): number {
  const rejected = plan.rejections.length
  const rows = `${rejected} row${rejected === 1 ? '' : 's'}`
  if (what.dryRun) {
    out(`Dry run: ${what.file} into ${what.target}. Nothing is written.`)
    for (const line of changeLines(plan)) out(line)
    if (rejected > 0) out(`Rejected (${rows}; the import would write nothing until each is fixed):`)
    for (const line of rejectionLines(plan.rejections)) out(line)
    out('Summary:')
    for (const line of summaryLines(plan)) out(line)
    return rejected > 0 ? 1 : 0
  }
  if (rejected > 0) {
    err(`Not imported: ${what.file} has ${rows} rejected, so nothing was written. Fix each, then import again (--dry-run shows what would change):`)
    for (const line of rejectionLines(plan.rejections)) err(line)
    return 1
  }
  out(`Imported ${what.file} into ${what.target}:`)
  for (const line of summaryLines(plan)) out(line)
  return 0
}

/** Up to `limit` bytes of the file, read in chunks, so that no source makes the whole of itself be held. */
async function readAtMost (file: string, limit: number): Promise<Uint8Array> {
  const handle = await open(file, 'r')
  try {
    const chunks: Buffer[] = []
    let total = 0
    while (total < limit) {
      const chunk = Buffer.alloc(Math.min(1_048_576, limit - total))
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      total += bytesRead
    }
    return Buffer.concat(chunks, total)
  } finally {
    await handle.close()
  }
}

/** The file's bytes, or why they cannot be read (a huge file is refused before it is read). */
async function readImportFile (file: string): Promise<Uint8Array | string> {
  try {
    const size = (await stat(file)).size
    if (size > MAX_FILE_BYTES) return describeProblem({ kind: 'file-too-large', bytes: size, max: MAX_FILE_BYTES })
    const bytes = await readAtMost(file, MAX_FILE_BYTES + 1)
    // A pipe or a file still growing has no size to stat: the cap holds while reading.
    if (bytes.byteLength > MAX_FILE_BYTES) return describeProblem({ kind: 'file-too-large', bytes: bytes.byteLength, max: MAX_FILE_BYTES })
    return bytes
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return `there is no file ${file}.`
    if (code === 'EISDIR') return `${file} is a folder: name the CSV or JSON file in it.`
    return `cannot read ${file} (${(error as Error).message}).`
  }
}

/** A message as a sentence: ends with a full stop. */
function sentence (message: string): string {
  return /[.!?)]$/.test(message) ? message : `${message}.`
}

/** Where the import goes: named for the printed lines; `plan` runs it (or the dry run) there. */
interface Target {
  name: string
  plan: () => Promise<Plan>
  close: () => Promise<void>
}

/**
 * The state the assistant runs on, opened as the assistant opens it (PostgreSQL migrated, the data file
 * locked and validated). A missing data file starts empty (never from the demo seed), and is created
 * only when there is something to write: for a dry run or a rejected file the plan is made on nothing.
 */
async function openTarget (where: StateTarget, now: Millis, options: { dryRun: boolean, reading: Reading }): Promise<Target> {
  const { dryRun, reading } = options
  if (where.kind === 'database') {
    const name = where.describe
    const pool = createPool(where.url, () => undefined) // an idle connection dropped: the next query reconnects
    const engine = await openPostgresEngine(pool).catch(async (error: unknown) => {
      await pool.end().catch(() => undefined)
      throw new Error(`cannot use the ${name}: ${(error as Error).message}`)
    })
    return { name, plan: () => importReading(engine, reading, now, { dryRun }), close: () => engine.close() }
  }
  const file = where.dataFile
  const name = where.describe
  const exists = await access(file).then(() => true, () => false)
  if (!exists) {
    const plan = planImport(reading, NOTHING_STORED, now)
    if (dryRun || plan.rejections.length > 0) return { name: `${name} (not there yet: empty)`, plan: async () => plan, close: async () => undefined }
  }
  let store: Store
  try {
    store = await Store.open({ file, now }) // locked while open
  } catch (error) {
    const locked = /in use by another running assistant/.test((error as Error).message)
    throw locked ? new Error(`stop the assistant first: an import needs the data file to itself. ${(error as Error).message}`) : error
  }
  return {
    name,
    plan: async () => {
      try {
        return await importReading(store.engine(), reading, now, { dryRun })
      } catch (error) {
        if (!exists) await rm(file, { force: true }) // made for this import, which wrote nothing into it
        throw error
      }
    },
    close: () => store.close(),
  }
}
