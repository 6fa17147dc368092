// Between the assistant's logger and wechaty's own (brolog), in both directions:
// - a plugin in someone else's bot logs through that bot's wechaty logger unless given one (a good
//   neighbour follows the host's WECHATY_LOG and the host's printer), masked all the same;
// - the runner sends wechaty's own lines into its logger, so the process writes one kind of line.
import { log as brolog } from 'wechaty'
import { maskPersonalNumbers } from './domain/masking.js'
import { describeError, fieldsText, markMasked } from './log.js'
import type { Logger } from './log.js'

const PREFIX = 'SecurityAssistant'

/** The plugin's default: wechaty's logger (WECHATY_LOG sets its level), phone and ID numbers masked. */
export const wechatyLogger: Logger = markMasked({
  info: (message, fields) => brolog.info(PREFIX, '%s', maskPersonalNumbers(message + fieldsText(fields))),
  warn: (message, fields) => brolog.warn(PREFIX, '%s', maskPersonalNumbers(message + fieldsText(fields))),
  error: (message, err) => brolog.error(PREFIX, '%s', maskPersonalNumbers(err === undefined ? message : `${message}: ${describeError(err)}`)),
  debug: (message, fields) => brolog.verbose(PREFIX, '%s', maskPersonalNumbers(message + fieldsText(fields))),
})

/** The part of brolog this needs: its printer, its time stamp, and its level titles. */
export interface WechatyLogPrinter {
  enableLogging: (printer: (levelTitle: string, text?: string) => void) => unknown
  timestamp: (enable: boolean) => unknown
}

/**
 * Every line wechaty (and its puppets) would print goes to `logger` instead: dated, masked, at the
 * logger's level and format. WECHATY_LOG still decides which of wechaty's lines are made at all.
 * While `quiet()` holds (the puppet's server is out of reach, and that has been said once), they are all
 * debug lines: each retry would otherwise add its own handful of warnings.
 */
export function routeWechatyLog (printer: WechatyLogPrinter, logger: Logger, quiet: () => boolean = () => false): void {
  printer.timestamp(false) // the logger dates every line itself
  printer.enableLogging((levelTitle, text = '') => {
    const line = `wechaty ${text.startsWith(`${levelTitle} `) ? text.slice(levelTitle.length + 1) : text}`
    if (quiet()) logger.debug?.(line)
    else if (levelTitle === 'ERR') logger.error(line)
    else if (levelTitle === 'WARN') logger.warn(line)
    else if (levelTitle === 'INFO') logger.info(line)
    else logger.debug?.(line) // VERB, SILL
  })
}
