// Moving a deployment between engines: `copy-to-postgres` and `export-from-postgres`.
import { resolve } from 'node:path'
import { copyFileToPostgres } from '../store/postgres/move.js'
import type { Command, CommandIo } from './io.js'
import { dataFileFrom } from './data-file.js'
import { exportToNewFile } from './export.js'
import { failed, printCounts, targetOf, withPool } from './io.js'

const NEEDS_URL = 'The database is ASSISTANT_DATABASE_URL (postgres://user:password@host:5432/database). Stop the assistant first.'

export const copyToPostgres: Command = {
  summary: 'copy a data file into an empty PostgreSQL database (ASSISTANT_DATABASE_URL)',
  usage: [
    'Usage: security-assistant copy-to-postgres [data file]',
    '',
    'Copies the data file (default ASSISTANT_DATA_FILE, else data/assistant.json) into the empty database,',
    'checked by counts and by the validation a data file gets at start-up.',
    NEEDS_URL,
  ].join('\n'),
  run: async (args, io) => {
    const url = databaseUrl(io, copyToPostgres.usage)
    if (!url || args.length > 1) return 2
    const file = dataFileFrom(io.env, io.cwd, args[0])
    try {
      const counts = await withPool(url, io, (pool) => copyFileToPostgres(file, pool, io.now()))
      io.out(`Copied ${file} into the database; checked by counts and by the validation a data file gets at start-up:`)
      printCounts(io, counts)
      return 0
    } catch (err) {
      return failed(io, err)
    }
  },
}

export const exportFromPostgres: Command = {
  summary: 'write the PostgreSQL database\'s state to a new data file',
  usage: [
    'Usage: security-assistant export-from-postgres <new file>',
    '',
    'Writes the database\'s state to a new data file (never over an existing one). The same as `export`',
    'with ASSISTANT_DATABASE_URL set.',
    NEEDS_URL,
  ].join('\n'),
  run: async (args, io) => {
    if (!databaseUrl(io, exportFromPostgres.usage)) return 2
    if (args.length !== 1) {
      io.err(`Name the new data file.\n${exportFromPostgres.usage}`)
      return 2
    }
    const file = resolve(io.cwd, args[0]!)
    try {
      // `export` itself: with ASSISTANT_DATABASE_URL set its target is the database.
      const counts = await exportToNewFile(targetOf(io), file, io)
      io.out(`Exported the database into ${file}; checked by counts and by the validation a data file gets at start-up:`)
      printCounts(io, counts)
      return 0
    } catch (err) {
      return failed(io, err)
    }
  },
}

function databaseUrl (io: CommandIo, usage: string): string | undefined {
  const url = io.env.ASSISTANT_DATABASE_URL
  if (!url) io.err(`Set ASSISTANT_DATABASE_URL to the PostgreSQL database.\n${usage}`)
  return url || undefined
}
