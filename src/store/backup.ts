// Backups: a consistent copy of the whole state as a data file, named by its time, in a folder of
// backups; the oldest beyond a count are removed. A data file is copied byte for byte (it is always a
// whole document: every write replaces it at once); a database is exported from one read-only snapshot.
// Either copy is made durable (temp file, fsync, rename, folder fsync) before it counts.
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Pool } from 'pg'
import type { Millis } from '../domain/calendar.js'
import { syncFolder } from './durable-json-file.js'
import { StoreError } from './errors.js'
import { exportDocument } from './postgres/copy.js'

export type BackupSource = { dataFile: string } | { pool: Pool }

export interface Backup {
  file: string
  bytes: number
}

/** How a backup is named: `assistant-20261121T193000Z.json` (UTC), so that names sort by time. */
const NAME = /^assistant-\d{8}T\d{6}(\d{3})?Z\.json$/

export function backupName (at: Millis): string {
  return `assistant-${new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, (_, ms: string) => ms === '000' ? 'Z' : `${ms}Z`)}.json`
}

/** Writes a backup of `source` into `dir` (made if missing) and returns where. */
export async function writeBackup (source: BackupSource, dir: string, at: Millis): Promise<Backup> {
  await mkdir(dir, { recursive: true })
  const file = join(dir, backupName(at))
  const temp = join(dir, `.${backupName(at)}.tmp`)
  try {
    if ('dataFile' in source) {
      await copyFile(source.dataFile, temp).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'ENOENT' ? new StoreError(`There is no data file ${source.dataFile} to back up.`) : err
      })
    } else {
      const handle = await open(temp, 'wx')
      try { await handle.writeFile(JSON.stringify(await exportDocument(source.pool))) } finally { await handle.close() }
    }
    const handle = await open(temp, 'r+')
    try { await handle.sync() } finally { await handle.close() }
    await rename(temp, file)
    await syncFolder(dir)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  return { file, bytes: (await stat(file)).size }
}

/** Removes the oldest backups in `dir` beyond the newest `keep`; other files there are left alone. */
export async function pruneBackups (dir: string, keep: number): Promise<string[]> {
  const backups = (await readdir(dir)).filter((name) => NAME.test(name)).sort()
  const old = backups.slice(0, Math.max(0, backups.length - keep)).map((name) => join(dir, name))
  for (const file of old) await rm(file, { force: true })
  return old
}
