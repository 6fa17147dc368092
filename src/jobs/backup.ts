// Daily backups of the running assistant: a copy of the state as a data file in the backups folder, the
// oldest beyond the kept count removed. A failed backup is logged and changes nothing else.
import type { Millis } from '../domain/calendar.js'
import type { Logger } from '../log.js'
import { pruneBackups, writeBackup } from '../store/backup.js'
import type { Backup, BackupSource } from '../store/backup.js'

export interface BackupPolicy {
  /** The folder backups go to. */
  dir: string
  /** How many are kept (one a day: the last `keep` days). */
  keep: number
}

export const DEFAULT_BACKUPS_KEPT = 7

export async function runBackup (source: BackupSource, policy: BackupPolicy, now: Millis, log: Logger): Promise<Backup> {
  const backup = await writeBackup(source, policy.dir, now)
  const removed = await pruneBackups(policy.dir, policy.keep)
  log.info(`backup: wrote ${backup.file} (${(backup.bytes / 1e6).toFixed(1)} MB)${removed.length > 0 ? `; removed ${removed.length} older than the last ${policy.keep}` : ''}`)
  return backup
}
