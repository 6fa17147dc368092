// `security-assistant start [--demo]`: the runner (src/main.ts), which owns the process from here on:
// it reads the environment, handles signals and exits by itself.
import type { Command } from './io.js'

export const start: Command = {
  summary: 'run the assistant: on the puppet WECHATY_PUPPET names, or the demo world with --demo',
  usage: [
    'Usage: security-assistant start [--demo]',
    '',
    'Production: the puppet WECHATY_PUPPET names (e.g. wechaty-puppet-service with',
    'WECHATY_PUPPET_SERVICE_TOKEN), on the data file ASSISTANT_DATA_FILE (default data/assistant.json) or',
    'the database ASSISTANT_DATABASE_URL. It never loads the demo world: with no data it starts empty and',
    'says how to import (ASSISTANT_SEED_FILE names a world to start from instead).',
    '--demo: the demo world on the mock puppet with an interactive console (what `npm start` runs).',
    'The platform API starts when ASSISTANT_API_TOKEN is set (ASSISTANT_API_PORT, default 8787).',
    'SIGINT or SIGTERM stops it after finishing every write.',
  ].join('\n'),
  run: async (args, io) => {
    const unknown = args.filter((arg) => arg !== '--demo')
    if (unknown.length > 0) {
      io.err(`Unknown option ${unknown[0]}.\n${start.usage}`)
      return 2
    }
    await import('../main.js')
    return new Promise<number>(() => undefined) // the runner exits the process itself
  },
}
