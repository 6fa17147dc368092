// The logger: dated lines at a level, text or JSON lines, every line masked; the settings a person names
// checked; wechaty's lines routed through it, and the plugin's default going through wechaty's.
import test from 'ava'
import { log as brolog } from 'wechaty'
import { createLogger, loggerSettings, maskingLogger } from '../src/log.js'
import type { Logger } from '../src/log.js'
import type { LoggerOptions } from '../src/log.js'
import { routeWechatyLog, wechatyLogger } from '../src/wechaty-log.js'

const AT = new Date('2026-11-21T02:00:00.123Z')

function capture (options: LoggerOptions = {}) {
  const lines: string[] = []
  const log = createLogger({ now: () => AT, write: (line) => lines.push(line), ...options })
  return { log, lines }
}

test('a text line is the ISO time, the level and the message, with fields after it', (t) => {
  const { log, lines } = capture()
  log.info('platform API request', { method: 'POST', status: 200, ms: 3 })
  log.warn('a warning')
  log.error('a failure', new Error('boom'))
  t.is(lines[0], '2026-11-21T02:00:00.123Z INFO  platform API request method=POST status=200 ms=3')
  t.is(lines[1], '2026-11-21T02:00:00.123Z WARN  a warning')
  t.true(lines[2]!.startsWith('2026-11-21T02:00:00.123Z ERROR a failure: Error: boom\n    at '), lines[2])
})

test('levels: info by default, debug only when asked, silent writes nothing', (t) => {
  const byDefault = capture()
  byDefault.log.debug?.('detail')
  byDefault.log.info('news')
  t.deepEqual(byDefault.lines.map((line) => line.slice(25)), ['INFO  news'])

  const warnOnly = capture({ level: 'warn' })
  warnOnly.log.info('news')
  warnOnly.log.warn('careful')
  warnOnly.log.error('broken')
  t.deepEqual(warnOnly.lines.map((line) => line.slice(25)), ['WARN  careful', 'ERROR broken'])

  const debug = capture({ level: 'debug' })
  debug.log.debug?.('detail')
  t.deepEqual(debug.lines.map((line) => line.slice(25)), ['DEBUG detail'])

  const silent = capture({ level: 'silent' })
  silent.log.error('broken')
  t.deepEqual(silent.lines, [])
})

test('JSON lines carry time, level, msg, the fields and the error, one object a line', (t) => {
  const { log, lines } = capture({ format: 'json' })
  log.info('request', { method: 'GET', status: 404, msg: 'a field named like a key', skipped: undefined })
  log.error('failed', new Error('boom'))
  const [request, failure] = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
  t.deepEqual(request, { time: '2026-11-21T02:00:00.123Z', level: 'info', msg: 'request', method: 'GET', status: 404, _msg: 'a field named like a key' })
  t.is(failure!.level, 'error')
  t.true(String(failure!.err).startsWith('Error: boom\n'), 'the stack is one JSON string')
  t.false(lines.some((line) => line.includes('\n')), 'one line each')
})

test('every part of every line is masked: the message, string and number fields, the error', (t) => {
  for (const format of ['text', 'json'] as const) {
    const { log, lines } = capture({ format })
    log.info('lookup by 13800138000', { phone: '138 0013 8000', number: 13800138000 })
    log.error('failed for 110101199003070012', new Error('no user 13800138000'))
    const all = lines.join('\n')
    t.false(/13800138000|138 0013 8000|110101199003070012/.test(all), all)
    t.true(all.includes('138****8000'), all)
    t.true(all.includes('2026-11-21T02:00:00.123Z'), 'the time stamp is left alone')
  }
})

test('a level or format a person names is checked, case aside, and a typo is refused with the choices', (t) => {
  t.deepEqual(loggerSettings(undefined, undefined), {})
  t.deepEqual(loggerSettings('', ''), {})
  t.deepEqual(loggerSettings('DEBUG', 'Json'), { level: 'debug', format: 'json' })
  const error = t.throws(() => loggerSettings('loud', 'xml'))
  t.is(error?.message, 'ASSISTANT_LOG_LEVEL=loud is not one of silent, error, warn, info, debug; ASSISTANT_LOG_FORMAT=xml is not one of text, json: ' +
    'set it to one of those, or unset it for the default (info, text)')
})

test('wechaty\'s lines go through the logger: its level titles become levels, its own time stamp is turned off', (t) => {
  const { log, lines } = capture({ level: 'debug' })
  let printer: ((levelTitle: string, text?: string) => void) | undefined
  let stamped: boolean | undefined
  routeWechatyLog({ enableLogging: (p) => { printer = p }, timestamp: (enable) => { stamped = enable } }, log)
  t.false(stamped)
  printer!('ERR', 'ERR PuppetService start() failed for 13800138000')
  printer!('WARN', 'WARN GrpcManager TLS disabled')
  printer!('INFO', 'INFO Wechaty started')
  printer!('VERB', 'VERB Contact load()')
  t.deepEqual(lines.map((line) => line.slice(25)), [
    'ERROR wechaty PuppetService start() failed for 138****8000',
    'WARN  wechaty GrpcManager TLS disabled',
    'INFO  wechaty Wechaty started',
    'DEBUG wechaty Contact load()',
  ])
})

test.serial('the plugin\'s default logger writes through wechaty\'s, masked', (t) => {
  const printed: string[] = []
  const level = brolog.level()
  brolog.enableLogging((_title, text) => printed.push(text ?? ''))
  brolog.level('verbose')
  t.teardown(() => {
    brolog.enableLogging(true)
    brolog.level(level)
  })
  wechatyLogger.info('opened for 13800138000', { accounts: 6 })
  wechatyLogger.error('failed', new Error('boom'))
  t.true(printed[0]!.includes('INFO SecurityAssistant opened for 138****8000 accounts=6'), printed[0])
  t.true(printed[1]!.includes('ERR SecurityAssistant failed: Error: boom'), printed[1])
})

test('a logger the host hands in gets masked lines, errors included; the assistant\'s own loggers are not wrapped twice', (t) => {
  const seen: unknown[][] = []
  const host: Logger = {
    info: (...args) => { seen.push(args) },
    warn: (...args) => { seen.push(args) },
    error: (...args) => { seen.push(args) },
  }
  const log = maskingLogger(host)
  log.info('lookup by 13800138000', { phone: '13800138000' })
  log.warn('no fields')
  log.error('failed for 13800138000', new TypeError('no user 13800138000'))
  t.deepEqual(seen[0], ['lookup by 138****8000', { phone: '138****8000' }])
  t.deepEqual(seen[1], ['no fields', undefined])
  const [message, err] = seen[2] as [string, Error]
  t.is(message, 'failed for 138****8000')
  t.is(err.name, 'TypeError')
  t.is(err.message, 'no user 138****8000')
  t.false(String(err.stack).includes('13800138000'))
  t.is(log.debug, undefined, 'no debug where the host has none')

  const own = createLogger()
  t.is(maskingLogger(own), own)
})

test('while the puppet\'s server is out of reach, wechaty\'s lines are debug lines: each retry would add its warnings', (t) => {
  const { log, lines } = capture({ level: 'debug' })
  let printer: ((levelTitle: string, text?: string) => void) | undefined
  let outage = true
  routeWechatyLog({ enableLogging: (p) => { printer = p }, timestamp: () => undefined }, log, () => outage)
  printer!('WARN', 'WARN ServiceCtl<PuppetServiceMixin> stop() found that is starting...')
  printer!('ERR', 'ERR PuppetService start() rejection')
  outage = false
  printer!('WARN', 'WARN ServiceCtl<PuppetServiceMixin> stop() found that is starting...')
  t.deepEqual(lines.map((line) => line.slice(25)), [
    'DEBUG wechaty ServiceCtl<PuppetServiceMixin> stop() found that is starting...',
    'DEBUG wechaty PuppetService start() rejection',
    'WARN  wechaty ServiceCtl<PuppetServiceMixin> stop() found that is starting...',
  ])
})
