// `security-assistant check`: the state loaded and checked as start-up would, nothing changed, counts shown.
import { exportDocument } from '../store/postgres/copy.js'
import { readDataFile } from '../store/document.js'
import { countsOf } from '../store/postgres/move.js'
import type { Command } from './io.js'
import { failed, printCounts, TARGET_HELP, targetOf, withPool } from './io.js'

export const check: Command = {
  summary: 'check the data file or database as start-up would, and print its counts (changes nothing)',
  usage: [
    'Usage: security-assistant check [data file]',
    '',
    'Loads the state and checks it as start-up does (schema, unique WeChat IDs and numbers, references,',
    'the 5/20/5 limits) without changing anything, even beside a running assistant, and prints how many',
    'records of each kind it holds. Exit code 0 when it would load, 1 with the reason when not.',
    TARGET_HELP,
  ].join('\n'),
  run: async (args, io) => {
    if (args.length > 1) return usageError(io)
    const target = targetOf(io, args[0])
    try {
      const data = target.kind === 'file'
        ? await readDataFile(target.dataFile, io.now())
        : await withPool(target.url, io, exportDocument)
      if (!data) {
        io.err(`Not done: there is no ${target.describe}. Start the assistant (it starts empty) or import your accounts first.`)
        return 1
      }
      io.out(`The ${target.describe} would load (schema version ${data.version}):`)
      printCounts(io, countsOf(data))
      return 0
    } catch (err) {
      return failed(io, err)
    }
  },
}

function usageError (io: { err: (line: string) => void }): number {
  io.err(check.usage)
  return 2
}
