// Every command of security-assistant by name, its --help, and the dispatch: what src/cli.ts runs.
import { maskPersonalNumbers } from '../domain/masking.js'
import { backup } from './backup.js'
import { check } from './check.js'
import { exportState } from './export.js'
import { IMPORT_USAGE, importCommand } from './import.js'
import type { Command, CommandIo } from './io.js'
import { copyToPostgres, exportFromPostgres } from './move.js'
import { start } from './start.js'

const COMMANDS: Record<string, Command> = {
  start,
  import: { summary: 'add accounts, admins, people, follows and operators from a CSV or JSON file (--dry-run first)', usage: IMPORT_USAGE, run: importCommand },
  check,
  export: exportState,
  backup,
  'copy-to-postgres': copyToPostgres,
  'export-from-postgres': exportFromPostgres,
}

function usage (): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length))
  return [
    'Usage: security-assistant <command> [options]   (security-assistant <command> --help for one)',
    '',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
  ].join('\n')
}

export async function runCli (args: string[], given: CommandIo): Promise<number> {
  // The last mask (invariant 5) on every line a command prints: a refusal may quote the state it read.
  const io: CommandIo = { ...given, out: (line) => given.out(maskPersonalNumbers(line)), err: (line) => given.err(maskPersonalNumbers(line)) }
  const [name, ...rest] = args
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage())
    return 0
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (!command) {
    io.err(`Unknown command "${name}".\n${usage()}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage)
    return 0
  }
  return command.run(rest, io)
}
