// The one logger: wechaty's brolog (WECHATY_LOG sets the level), with phone and ID numbers masked.
import { log as brolog } from 'wechaty'
import { maskPersonalNumbers } from './domain/masking.js'

export interface Logger {
  info: (message: string) => void
  warn: (message: string) => void
  error: (message: string, err?: unknown) => void
}

const PREFIX = 'SecurityAssistant'

function describe (err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message
  return String(err)
}

export const log: Logger = {
  info: (message) => brolog.info(PREFIX, '%s', maskPersonalNumbers(message)),
  warn: (message) => brolog.warn(PREFIX, '%s', maskPersonalNumbers(message)),
  error: (message, err) => brolog.error(PREFIX, '%s', maskPersonalNumbers(err === undefined ? message : `${message}: ${describe(err)}`)),
}
