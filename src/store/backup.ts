// Backups: a consistent copy of the whole state as a data file in a folder of backups. A data file is
// copied byte for byte (it is always a whole document: every write replaces it at once); a database is
// exported from one read-only snapshot. The copy is made durable (a temp file of its own, fsync,
// optional check, rename, folder fsync) before it gets its name, and never replaces an existing backup.
// The daily job's copies are named by their Shanghai day, one a day, and only those are pruned: a copy
// someone made by hand (`security-assistant backup`, named by its second) is theirs to remove.
import { randomBytes } from 'node:crypto'
import { copyFile, link, mkdir, open, readdir, rm, stat, statfs } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Pool } from 'pg'
import type { Millis } from '../domain/calendar.js'
import { formatDate } from '../domain/calendar.js'
import { syncFolder } from './durable-json-file.js'
import { StoreError } from './errors.js'
import { exportDocument } from './postgres/copy.js'

export type BackupSource = { dataFile: string } | { pool: Pool }

export interface Backup {
  file: string
  bytes: number
}

/** A daily copy: `assistant-daily-2026-11-21.json` (the Shanghai day), so that names sort by day. */
const DAILY = /^assistant-daily-\d{4}-\d{2}-\d{2}\.json$/
const TEMP = /^\.assistant-.*\.[0-9a-f]{12}\.tmp$/

/** Where backups go when no folder is named: `backups/` beside the data file. */
export function backupsBeside (dataFile: string): string {
  return join(dirname(dataFile), 'backups')
}

export function dailyBackupName (at: Millis): string {
  return `assistant-daily-${formatDate(at)}.json`
}

/** A copy made by hand: `assistant-20261121T193000Z.json` (UTC, to the second). */
export function manualBackupName (at: Millis): string {
  return `assistant-${new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')}.json`
}

/**
 * Writes a backup of `source` into `dir` (made if missing) as `name` and returns where. `check` may
 * refuse the copy before it is named (it is then removed). A backup of that name already there is an error.
 */
export async function writeBackup (source: BackupSource, dir: string, name: string, check?: (copy: string) => Promise<void>): Promise<Backup> {
  try {
    return await writeBackupIn(source, dir, name, check)
  } catch (err) {
    // A full disk, a read-only mount, a file where the folder should be: the system's words, then what to do.
    // Only a file system's: a database's failure (it has a code too) is no folder's fault.
    if (err instanceof StoreError || typeof (err as NodeJS.ErrnoException).path !== 'string') throw err
    throw new StoreError(`Cannot write a backup into ${dir} (${(err as Error).message}): name another folder with --dir or ASSISTANT_BACKUP_DIR, or free some space there.`)
  }
}

async function writeBackupIn (source: BackupSource, dir: string, name: string, check?: (copy: string) => Promise<void>): Promise<Backup> {
  await mkdir(dir, { recursive: true })
  const file = join(dir, name)
  const temp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`)
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
    await check?.(temp)
    // link, not rename: it fails when the name is taken, so no backup is ever replaced.
    await link(temp, file).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EEXIST' ? new StoreError(`A backup named ${file} already exists: it was left as it is.`) : err
    })
    await syncFolder(dir)
  } finally {
    await rm(temp, { force: true })
  }
  return { file, bytes: (await stat(file)).size }
}

/** The daily copies in `dir`, oldest first. */
export async function dailyBackups (dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return []; throw err })
  return names.filter((name) => DAILY.test(name)).sort()
}

/** Removes the oldest daily copies beyond the newest `keep` (never `spare`); other files are left alone. */
export async function pruneDailyBackups (dir: string, keep: number, spare?: string): Promise<string[]> {
  const daily = (await dailyBackups(dir)).filter((name) => name !== spare)
  const old = daily.slice(0, Math.max(0, daily.length - keep)).map((name) => join(dir, name))
  for (const file of old) await rm(file, { force: true })
  return old
}

/** Temp files of backups a crash interrupted (older than `before`: a backup under way has one too). */
export async function removeBackupLeftovers (dir: string, before: Millis): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[])
  for (const name of names.filter((n) => TEMP.test(n))) {
    const file = join(dir, name)
    const modified = (await stat(file).catch(() => undefined))?.mtimeMs ?? Infinity
    if (modified < before) await rm(file, { force: true })
  }
}

/** Free bytes on the file system holding `dir` (made if missing). */
export async function freeBytes (dir: string): Promise<number> {
  await mkdir(dir, { recursive: true })
  const fs = await statfs(dir)
  return fs.bavail * fs.bsize
}
