// `security-assistant export <new file>`: the whole state, from either engine, into a new data file.
import { resolve } from 'node:path'
import { readDataFile } from '../store/document.js'
import { StoreError } from '../store/errors.js'
import { exportPostgresToFile, exportToFile } from '../store/postgres/move.js'
import type { Counts } from '../store/postgres/move.js'
import type { Command, CommandIo, Target } from './io.js'
import { failed, printCounts, TARGET_HELP, targetOf, withPool } from './io.js'

export const exportState: Command = {
  summary: 'write the whole state to a new data file (from a data file or the database)',
  usage: [
    'Usage: security-assistant export <new file>',
    '',
    'Writes the whole state, checked as start-up would check it, to a new data file (never over an',
    'existing one): a copy to keep, or the way back from PostgreSQL to the data file.',
    TARGET_HELP,
  ].join('\n'),
  run: async (args, io) => {
    if (args.length !== 1) {
      io.err(exportState.usage)
      return 2
    }
    const file = resolve(io.cwd, args[0]!)
    const target = targetOf(io)
    try {
      const counts = await exportToNewFile(target, file, io)
      io.out(`Exported the ${target.describe} to ${file}:`)
      printCounts(io, counts)
      return 0
    } catch (err) {
      return failed(io, err)
    }
  },
}

/** The one export path (`export`, and `export-from-postgres` on a database): the whole state into a new data file. */
export async function exportToNewFile (target: Target, file: string, io: CommandIo): Promise<Counts> {
  if (target.kind === 'database') return withPool(target.url, io, (pool) => exportPostgresToFile(pool, file))
  return exportToFile(file, async () => {
    const data = await readDataFile(target.dataFile, io.now())
    if (!data) throw new StoreError(`there is no ${target.describe} to export.`)
    return data
  })
}
