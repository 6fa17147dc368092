// Commands beside the running assistant; like main.ts, this file touches the process (arguments,
// environment, exit code) and nothing else does.
//   tsx src/cli.ts copy-to-postgres [data file]     the data file into the empty database at ASSISTANT_DATABASE_URL
//   tsx src/cli.ts export-from-postgres <new file>  the database's state into a new data file
//   tsx src/cli.ts import [--dry-run] <file>         accounts, people and bindings from CSV or JSON (src/cli/import.ts)
import { resolve } from 'node:path'
import pg from 'pg'
import { importCommand } from './cli/import.js'
import { copyFileToPostgres, exportPostgresToFile } from './store/postgres/move.js'
import type { Counts } from './store/postgres/move.js'
import { StoreError } from './store/errors.js'

const USAGE = [
  'Usage:',
  '  security-assistant copy-to-postgres [data file]      copy a data file (default data/assistant.json) into an empty PostgreSQL database',
  '  security-assistant export-from-postgres <new file>   write the database\'s state to a new data file',
  '  security-assistant import [--dry-run] <file>         add accounts, people and bindings from CSV or JSON (import --help)',
  'The database is ASSISTANT_DATABASE_URL (postgres://user:password@host:5432/database). Stop the assistant first.',
].join('\n')

async function main (args: string[]): Promise<number> {
  const [command, fileArg] = args
  if (command === 'import') return importCommand(args.slice(1), { out: console.log, err: console.error, env: process.env })
  if (command !== 'copy-to-postgres' && command !== 'export-from-postgres') {
    console.error(USAGE)
    return command === undefined || command === '--help' || command === 'help' ? 0 : 2
  }
  const url = process.env.ASSISTANT_DATABASE_URL
  if (!url) {
    console.error(`Set ASSISTANT_DATABASE_URL to the PostgreSQL database.\n${USAGE}`)
    return 2
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  pool.on('error', (err) => console.error(`PostgreSQL: ${err.message}`)) // an idle connection dropped: not fatal here
  try {
    if (command === 'copy-to-postgres') {
      const file = resolve(fileArg ?? process.env.ASSISTANT_DATA_FILE ?? 'data/assistant.json')
      report(`Copied ${file} into the database`, await copyFileToPostgres(file, pool, Date.now()))
    } else {
      if (!fileArg) {
        console.error(`Name the new data file.\n${USAGE}`)
        return 2
      }
      report(`Exported the database into ${resolve(fileArg)}`, await exportPostgresToFile(pool, resolve(fileArg)))
    }
    return 0
  } catch (err) {
    console.error(err instanceof StoreError ? `Not done: ${err.message}` : `Not done: ${(err as Error).message}`)
    return 1
  } finally {
    await pool.end()
  }
}

function report (what: string, counts: Counts): void {
  console.log(`${what}; checked by counts and by the validation a data file gets at start-up:`)
  for (const [collection, count] of Object.entries(counts)) console.log(`  ${collection.padEnd(12)} ${count}`)
}

process.exitCode = await main(process.argv.slice(2))
