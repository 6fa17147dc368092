// The one logger: a dated line per event on stderr (stdout stays the demo console's), at a level, as
// plain text for a person or as JSON lines for a log collector; phone and ID numbers masked in every line.
import { maskPersonalNumbers } from './domain/masking.js'

/** Extra facts of one event, kept apart from the message so a collector can index them. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>

export interface Logger {
  info: (message: string, fields?: LogFields) => void
  warn: (message: string, fields?: LogFields) => void
  error: (message: string, err?: unknown) => void
  /** Detail shown only when asked for; optional, so any `{ info, warn, error }` object is a Logger. */
  debug?: (message: string, fields?: LogFields) => void
}

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const
export type LogLevel = typeof LOG_LEVELS[number]
export const LOG_FORMATS = ['text', 'json'] as const
export type LogFormat = typeof LOG_FORMATS[number]

export interface LoggerOptions {
  /** The least severe level written (info). */
  level?: LogLevel
  /** `text`: `<ISO time> <LEVEL> <message>`; `json`: one object a line (time, level, msg, fields, err). */
  format?: LogFormat
  /** Where each finished line goes, without its newline: stderr by default. */
  write?: (line: string) => void
  /** The time stamped on each line (the wall clock, never the assistant's business clock). */
  now?: () => Date
}

const SEVERITY: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 }

/** The logger of the runner, and of any host that wants these lines rather than wechaty's. */
export function createLogger (options: LoggerOptions = {}): Logger {
  const threshold = SEVERITY[options.level ?? 'info']
  const format = options.format ?? 'text'
  // console.error is stderr, written synchronously for files and pipes: nothing is lost at process exit.
  const write = options.write ?? ((line: string) => console.error(line))
  const now = options.now ?? (() => new Date())

  const emit = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields, err?: unknown): void => {
    if (SEVERITY[level] > threshold) return
    // Masked piece by piece, never the finished line: the time stamp and JSON escapes stay out of the mask's way.
    const msg = maskPersonalNumbers(message)
    const masked = maskFields(fields)
    const errText = err === undefined ? undefined : maskPersonalNumbers(describeError(err))
    const time = now().toISOString()
    if (format === 'json') {
      const line: Record<string, unknown> = { time, level, msg }
      // A field named like one of the line's own keys is kept beside it, not over it.
      for (const [key, value] of Object.entries(masked)) line[key in line ? `_${key}` : key] = value
      if (errText !== undefined) line.err = errText
      write(JSON.stringify(line))
    } else {
      write(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${fieldsText(masked)}${errText === undefined ? '' : `: ${errText}`}`)
    }
  }

  return markMasked({
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, err) => emit('error', message, undefined, err),
    debug: (message, fields) => emit('debug', message, fields),
  })
}

/** Loggers that mask every line themselves: not wrapped again. */
const MASKING = new WeakSet<Logger>()

/** Declares that `logger` masks every line itself (this module's and the wechaty bridge's). */
export function markMasked (logger: Logger): Logger {
  MASKING.add(logger)
  return logger
}

/**
 * Any logger a host hands in, made to mask what reaches it: the message, each field, and the error
 * (passed on as an Error of the same name whose message and stack are masked).
 */
export function maskingLogger (logger: Logger): Logger {
  if (MASKING.has(logger)) return logger
  const debug = logger.debug?.bind(logger)
  return markMasked({
    info: (message, fields) => logger.info(maskPersonalNumbers(message), fields && maskFields(fields)),
    warn: (message, fields) => logger.warn(maskPersonalNumbers(message), fields && maskFields(fields)),
    error: (message, err) => logger.error(maskPersonalNumbers(message), err === undefined ? undefined : maskedError(err)),
    ...(debug ? { debug: (message: string, fields?: LogFields) => debug(maskPersonalNumbers(message), fields && maskFields(fields)) } : {}),
  })
}

function maskedError (err: unknown): Error {
  const masked = new Error(maskPersonalNumbers(err instanceof Error ? err.message : String(err)))
  if (err instanceof Error) {
    masked.name = err.name
    masked.stack = err.stack === undefined ? undefined : maskPersonalNumbers(err.stack)
  }
  return masked
}

/** Logs nothing: for tests and benchmarks. */
export const silentLogger: Logger = markMasked({ info: () => undefined, warn: () => undefined, error: () => undefined })

/**
 * The level and format named by a person (ASSISTANT_LOG_LEVEL, ASSISTANT_LOG_FORMAT), checked: a typo
 * is refused with the choices rather than silently logging at another level.
 */
export function loggerSettings (level: string | undefined, format: string | undefined): Pick<LoggerOptions, 'level' | 'format'> {
  const problems: string[] = []
  const pick = <T extends string>(value: string | undefined, choices: readonly T[], name: string): T | undefined => {
    if (value === undefined || value === '') return undefined
    const found = choices.find((choice) => choice === value.toLowerCase())
    if (found === undefined) problems.push(`${name}=${value} is not one of ${choices.join(', ')}`)
    return found
  }
  const settings = {
    level: pick(level, LOG_LEVELS, 'ASSISTANT_LOG_LEVEL'),
    format: pick(format, LOG_FORMATS, 'ASSISTANT_LOG_FORMAT'),
  }
  if (problems.length > 0) throw new Error(`${problems.join('; ')}: set it to one of those, or unset it for the default (info, text)`)
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined))
}

function maskFields (fields: LogFields | undefined): Record<string, string | number | boolean> {
  const masked: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value === undefined) continue
    // A number can be a phone number too: it is written as the masked text when masking changes it.
    const text = String(value)
    const hidden = maskPersonalNumbers(text)
    masked[key] = typeof value === 'string' || hidden !== text ? hidden : value
  }
  return masked
}

/** Fields at the end of a text line: ` key=value` each. */
export function fieldsText (fields: LogFields | undefined): string {
  return Object.entries(fields ?? {}).filter(([, value]) => value !== undefined).map(([key, value]) => ` ${key}=${String(value)}`).join('')
}

export function describeError (err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message
  return String(err)
}
