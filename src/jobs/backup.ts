// Daily backups of the running assistant: one copy of the state a day (named by its Shanghai day, so a
// restart, a catch-up run or a second process on the same day writes none), the oldest daily copies
// beyond the kept count removed first, and none written when the disk would be left nearly full: a
// backup must never take away the room the data file's own writes need.
import { stat } from 'node:fs/promises'
import type { Millis } from '../domain/calendar.js'
import { hours } from '../domain/calendar.js'
import type { Logger } from '../log.js'
import { dailyBackupName, dailyBackups, freeBytes, pruneDailyBackups, removeBackupLeftovers, writeBackup } from '../store/backup.js'
import type { Backup, BackupSource } from '../store/backup.js'

export interface BackupPolicy {
  /** The folder backups go to. */
  dir: string
  /** How many daily copies are kept (the last `keep` days). */
  keep: number
}

export const DEFAULT_BACKUPS_KEPT = 7
/** Room left after a backup: twice the data file, and a margin. */
const HEADROOM = 64 * 1024 * 1024

export async function runBackup (source: BackupSource, policy: BackupPolicy, now: Millis, log: Logger): Promise<Backup | undefined> {
  const name = dailyBackupName(now)
  if ((await dailyBackups(policy.dir)).includes(name)) return undefined // today's is there
  await removeBackupLeftovers(policy.dir, now - hours(1))
  // Room for today's first: the oldest goes before the newest is written.
  const removed = await pruneDailyBackups(policy.dir, policy.keep - 1)
  if ('dataFile' in source) {
    const size = (await stat(source.dataFile)).size
    const free = await freeBytes(policy.dir)
    if (free < 3 * size + HEADROOM) {
      log.warn(`backup: skipped today's, ${(free / 1e6).toFixed(0)} MB free in ${policy.dir} is too little for a ${(size / 1e6).toFixed(1)} MB copy and the data file's own writes: free some space or set another folder (ASSISTANT_BACKUP_DIR)`)
      return undefined
    }
  }
  const backup = await writeBackup(source, policy.dir, name)
  log.info(`backup: wrote ${backup.file} (${(backup.bytes / 1e6).toFixed(1)} MB)${removed.length > 0 ? `; removed ${removed.length} older than the last ${policy.keep} days` : ''}`)
  return backup
}

