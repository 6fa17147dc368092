#!/usr/bin/env node
// security-assistant: the command line (the package's bin). Like main.ts it touches the process
// (arguments, environment, standard streams, exit code) and nothing else does; the commands are plain
// functions in src/cli/, which tests run in-process.
import { runCli } from './cli/commands.js'

// A reader that stops early (`security-assistant check | head -1`) wants no more: end quietly, no stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
  process.exit() // with process.exitCode, or 0
})

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
  cwd: process.cwd(),
  now: Date.now,
})
