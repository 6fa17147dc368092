// What a command of the CLI is given: its arguments, where to print, the environment and the clock.
// Only src/cli.ts touches the process; commands are plain functions, so tests run them in-process.
import type { Pool } from 'pg'
import { createPool, describeDatabaseUrl } from '../store/postgres/connect.js'
import { dataFileFrom } from './data-file.js'
import type { Counts } from '../store/postgres/move.js'

export interface CommandIo {
  out: (line: string) => void
  err: (line: string) => void
  env: NodeJS.ProcessEnv
  /** Where relative paths start. */
  cwd: string
  now: () => number
}

export interface Command {
  /** One line for the command list. */
  summary: string
  /** The whole --help text. */
  usage: string
  /** Resolves with the exit code: 0 done, 1 refused or failed, 2 used wrongly. */
  run: (args: string[], io: CommandIo) => Promise<number>
}

/** The state a command works on: PostgreSQL when ASSISTANT_DATABASE_URL is set, else the data file. */
export type Target =
  | { kind: 'file', dataFile: string, describe: string }
  | { kind: 'database', url: string, describe: string }

export const TARGET_HELP = [
  'The state is the PostgreSQL database at ASSISTANT_DATABASE_URL when set, else the data file',
  'ASSISTANT_DATA_FILE (default data/assistant.json).',
].join('\n')

export function targetOf (io: Pick<CommandIo, 'env' | 'cwd'>, dataFileArg?: string): Target {
  const url = io.env.ASSISTANT_DATABASE_URL
  if (url && dataFileArg === undefined) return { kind: 'database', url, describe: `database ${describeDatabaseUrl(url)}` }
  const dataFile = dataFileFrom(io.env, io.cwd, dataFileArg)
  return { kind: 'file', dataFile, describe: `data file ${dataFile}` }
}

/** Runs `work` with a small pool on the database, ended afterwards; a dropped idle connection is only reported. */
export async function withPool<T> (url: string, io: CommandIo, work: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(url, (err) => io.err(`PostgreSQL: ${err.message}`))
  try {
    return await work(pool)
  } finally {
    await pool.end().catch(() => undefined)
  }
}

export function printCounts (io: CommandIo, counts: Counts): void {
  for (const [collection, count] of Object.entries(counts)) io.out(`  ${collection.padEnd(13)} ${count}`)
}

/** A refusal or failure as one line, without a stack: the messages say what to do. */
export function failed (io: CommandIo, err: unknown): number {
  io.err(`Not done: ${(err as Error).message}`)
  return 1
}
