// Moving a deployment between engines: a data file copied into an empty PostgreSQL database, and a
// database exported back to a data file. Both sides are checked by counts and by the loader's own
// validation; the data file is locked meanwhile, so no assistant can change it under the copy.
import { access, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Pool } from 'pg'
import type { Millis } from '../../domain/calendar.js'
import { COLLECTIONS } from '../consistency.js'
import type { Collection } from '../consistency.js'
import { DurableJsonFile } from '../durable-json-file.js'
import { StoreError } from '../errors.js'
import { FileLock } from '../file-lock.js'
import type { Data } from '../schema.js'
import { Store } from '../store.js'
import { exportDocument, importDocument } from './copy.js'
import type { ImportCounts } from './copy.js'
import { migrate } from './migrate.js'


export type Counts = Record<Collection, number>

/** Copies the data file (loaded, upgraded and checked as at start-up) into an empty database. */
export async function copyFileToPostgres (file: string, pool: Pool, now: Millis): Promise<Counts> {
  await mustExist(file)
  const store = await Store.open({ file, now }) // refuses a file in use, damaged or inconsistent
  try {
    await migrate(pool)
    const written = await importDocument(pool, store.data)
    const counts = countsOf(store.data)
    mustMatch(counts, written, 'written')
    mustMatch(counts, countsOf(await exportDocument(pool)), 'read back')
    return counts
  } finally {
    await store.close()
  }
}

/** Writes the database's whole state to a new data file (never over an existing one). */
export async function exportPostgresToFile (pool: Pool, file: string): Promise<Counts> {
  return exportToFile(file, async () => {
    await migrate(pool)
    return exportDocument(pool) // validated as a data file is at load
  })
}

/** Writes a whole document, read once the new file is locked, to a new data file (never over an existing one). */
export async function exportToFile (file: string, read: () => Promise<Data>): Promise<Counts> {
  // Said as what it is: the lock would call the folder "the data file", which it is not.
  if ((await stat(file).catch(() => undefined))?.isDirectory()) {
    throw new StoreError(`${file} is a folder: name a new file to export to, e.g. ${join(file, 'assistant-export.json')}.`)
  }
  const lock = FileLock.acquire(file)
  try {
    // Checked under the lock: an assistant could otherwise have made the file in between.
    if (await exists(lock.dataFile)) throw new StoreError(`${file} already exists: export to a new file, so that no data file is overwritten.`)
    const data = await read()
    await new DurableJsonFile<Data>(lock.dataFile).write(data)
    return countsOf(data)
  } finally {
    lock.release()
  }
}

export function countsOf (data: Data): Counts {
  return Object.fromEntries(COLLECTIONS.map((c) => [c, data[c].length])) as Counts
}

function mustMatch (expected: Counts, found: Counts | ImportCounts, what: string): void {
  const off = COLLECTIONS.filter((c) => expected[c] !== found[c])
  if (off.length > 0) {
    throw new StoreError(`The copy does not match the data file (${what}): ${off.map((c) => `${c} ${found[c]} of ${expected[c]}`).join(', ')}. Nothing is lost from the data file; drop the database and try again.`)
  }
}

async function exists (file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}

async function mustExist (file: string): Promise<void> {
  if (!await exists(file)) throw new StoreError(`There is no data file ${file} to copy.`)
}
