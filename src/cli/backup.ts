// `security-assistant backup`: a consistent copy of the state, named by its time, read back to check it loads.
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { backupsBeside, manualBackupName, writeBackup } from '../store/backup.js'
import type { Data } from '../store/schema.js'
import { readDataFile } from '../store/document.js'
import { countsOf } from '../store/postgres/move.js'
import type { Command } from './io.js'
import { failed, printCounts, TARGET_HELP, targetOf, withPool } from './io.js'

export const backup: Command = {
  summary: 'write a consistent copy of the state, named by its time, to the backups folder',
  usage: [
    'Usage: security-assistant backup [--dir <folder>]',
    '',
    'Writes a copy of the whole state as a data file named by its time (assistant-20261121T190000Z.json)',
    'to the folder (default: backups/ beside the data file; on PostgreSQL --dir or ASSISTANT_BACKUP_DIR',
    'is needed), safe beside a running assistant, and reads it back to check that it loads. The',
    'running assistant also writes one a day there (assistant-daily-2026-11-21.json) and keeps the last 7',
    '(ASSISTANT_BACKUPS_KEPT); copies made with this command are never removed by it.',
    'To restore: stop the assistant and put the copy in place of the data file (or copy it into an',
    'empty database with copy-to-postgres).',
    TARGET_HELP,
  ].join('\n'),
  run: async (args, io) => {
    let dirArg: string | undefined
    try {
      dirArg = parseArgs({ args, options: { dir: { type: 'string' } }, strict: true }).values.dir
    } catch {
      io.err(backup.usage)
      return 2
    }
    const target = targetOf(io)
    // An empty setting is no setting, as the runner reads it: never the working folder.
    const dirSetting = dirArg ?? (io.env.ASSISTANT_BACKUP_DIR || undefined)
    const dir = dirSetting !== undefined ? resolve(io.cwd, dirSetting) : target.kind === 'file' ? backupsBeside(target.dataFile) : undefined
    if (dir === undefined) {
      io.err('Not done: name the backups folder with --dir or ASSISTANT_BACKUP_DIR (on PostgreSQL there is no data file to put it beside).')
      return 2
    }
    try {
      // Read back as start-up would before it is named: a copy that would not load is never left as a backup.
      let copy: Data | undefined
      const check = async (temp: string): Promise<void> => { copy = await readDataFile(temp, io.now()) }
      const name = manualBackupName(io.now())
      const written = target.kind === 'file'
        ? await writeBackup({ dataFile: target.dataFile }, dir, name, check)
        : await withPool(target.url, io, (pool) => writeBackup({ pool }, dir, name, check))
      io.out(`Backed up the ${target.describe} to ${written.file} (${(written.bytes / 1e6).toFixed(1)} MB); it loads:`)
      printCounts(io, countsOf(copy!))
      return 0
    } catch (err) {
      return failed(io, err)
    }
  },
}
