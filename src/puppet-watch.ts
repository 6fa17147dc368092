// A real puppet that cannot reach its server is reported once, with what to check, and then retried
// with back-off, quietly. Without this, wechat4u offline prints `getaddrinfo ENOTFOUND` about 160 times
// a minute and never says what is wrong, and a puppet-service client that finds no server gives up
// after one try and says nothing more.
//
// Puppets fail in three ways: one keeps running and retries by itself (wechat4u: its lines are kept
// quiet; stopping it is no cure, since puppet-wechat4u 1.x throws from its logout handler when stopped
// before a login); one gives up and stops itself (a puppet-service client that finds no server); one
// keeps running but is stuck (a puppet-service client whose server went away). The last two are started
// again here, after waits that double each time.
// The puppet alone is restarted, never the bot: the bot's 'stop' closes its plugins.
import type { Logger } from './log.js'

/** What this watches: the bot's events, and its puppet to stop and start again. */
export interface WatchedBot {
  on (event: string, listener: (...args: any[]) => void): unknown
  off (event: string, listener: (...args: any[]) => void): unknown
  readonly puppet: {
    start: () => Promise<void>
    stop: () => Promise<void>
    /** wechaty-puppet's service state: a puppet that gave up has stopped itself. */
    state?: { inactive: () => unknown }
  }
}

export interface PuppetWatchOptions {
  log: Logger
  /** The puppet's package name (WECHATY_PUPPET), for the message and what to check. */
  puppetName: string
  /** What it is set to now, for the report (never a secret): e.g. `WECHATY_PUPPET_SERVICE_ENDPOINT=10.0.0.5:8788`. */
  settings?: string
  /** The wait before each look (and restart, if the puppet gave up): doubling from `firstMs` up to `maxMs` (1 s, 5 minutes). */
  backoff?: { firstMs: number, maxMs: number }
  /** How long another error is kept quiet after it was logged (10 minutes). */
  repeatQuietMs?: number
  /** A puppet still running but silent this long after its last failure is restarted too (30 s). */
  quietBeforeRestartMs?: number
}

export interface PuppetWatch {
  /** Whether the server is out of reach now (reported, and not yet reached again): other lines about the puppet can wait. */
  outage: () => boolean
  /**
   * Cancels any pending restart; a runner that stops calls this before stopping the bot. The error
   * listener stays (a bot with no 'error' listener throws): errors while stopping are logged at debug level.
   */
  stop: () => void
}

const DEFAULT_BACKOFF = { firstMs: 1_000, maxMs: 5 * 60_000 }
const DEFAULT_REPEAT_QUIET_MS = 10 * 60_000
const DEFAULT_QUIET_BEFORE_RESTART_MS = 30_000
/** A puppet that emits one of these has reached its server. */
const ALIVE_EVENTS = ['scan', 'login', 'ready']
/** Distinct other errors remembered for quieting repeats; past this the memory starts over. */
const MAX_REMEMBERED_ERRORS = 1_000

/**
 * Errors that mean the server was not reached, or was lost: DNS, refused or reset connections, gRPC's
 * UNAVAILABLE, and the CANCELLED a gRPC client's event stream ends with when its server goes away.
 */
const UNREACHABLE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENETDOWN|socket hang up|\b14 UNAVAILABLE\b|No connection established|\b1 CANCELLED\b|重启时网络错误/

export function isUnreachable (err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${(err as { code?: unknown }).code ?? ''}` : String(err)
  return UNREACHABLE.test(text)
}

/** What a person should check, for this puppet. */
export function whatToCheck (puppetName: string): string {
  const network = 'that this machine has a network connection and can resolve and reach the server (DNS, firewall, proxy)'
  if (puppetName === 'wechaty-puppet-service') {
    return `${network}; WECHATY_PUPPET_SERVICE_TOKEN (the token your puppet service provider gave you); ` +
      'WECHATY_PUPPET_SERVICE_ENDPOINT (host:port of the service, when you run it yourself; without it the token is looked up ' +
      'at WECHATY_PUPPET_SERVICE_AUTHORITY, api.chatie.io by default); and TLS: a server without TLS needs ' +
      'WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT=true here'
  }
  return `${network}; and the settings ${puppetName} takes (its token or endpoint, if it has one)`
}

export function watchPuppet (bot: WatchedBot, options: PuppetWatchOptions): PuppetWatch {
  const { log, puppetName } = options
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const repeatQuietMs = options.repeatQuietMs ?? DEFAULT_REPEAT_QUIET_MS
  const quietBeforeRestartMs = options.quietBeforeRestartMs ?? DEFAULT_QUIET_BEFORE_RESTART_MS
  const debug = (message: string): void => log.debug?.(message)

  /** From the first unreachable error until the puppet shows life (a QR code, a login, ready). */
  let unreachable = false
  /** Unreachable errors since the last look, the last one and when, for the quiet summary and the restart rule. */
  let failures = 0
  let lastFailure = ''
  let lastFailureAt = 0
  let restarts = 0
  let nextWaitMs = backoff.firstMs
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  const otherErrors = new Map<string, number>()

  const onError = (err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err)
    // A bot being stopped cancels its calls: expected, and nothing more to do about anything.
    if (stopped) return debug(`${puppetName} while stopping: ${message}`)
    if (isUnreachable(err)) {
      lastFailure = message
      lastFailureAt = Date.now()
      failures += 1
      if (unreachable) return // counted: the next look says how many, at debug level
      unreachable = true
      const now = options.settings ? ` (now: ${options.settings})` : ''
      log.error(`${puppetName} cannot reach its server (${message}). Check ${whatToCheck(puppetName)}${now}. ` +
        `Retrying quietly, waiting longer each time (up to ${Math.round(backoff.maxMs / 1000)} s); ` +
        'ASSISTANT_LOG_LEVEL=debug shows the attempts. Meanwhile nothing is answered and pushes wait in the outbox.')
      scheduleLook()
      return
    }
    // While the server is out of reach, the puppet's other complaints are consequences of it.
    if (unreachable) return debug(`${puppetName}: ${message}`)
    const now = Date.now()
    const last = otherErrors.get(message)
    if (last !== undefined && now - last < repeatQuietMs) return debug(`${puppetName} (again): ${message}`)
    if (otherErrors.size >= MAX_REMEMBERED_ERRORS) otherErrors.clear()
    otherErrors.set(message, now)
    log.warn(`${puppetName}: ${message}`)
  }

  const onAlive = (): void => {
    if (!unreachable) return
    unreachable = false
    log.info(`${puppetName} reached its server again${restarts > 0 ? ` (after ${restarts} restart${restarts === 1 ? '' : 's'})` : ''}`)
    restarts = 0
    failures = 0
    nextWaitMs = backoff.firstMs
    if (timer) clearTimeout(timer)
    timer = undefined
  }

  function scheduleLook (): void {
    if (stopped || timer) return
    const wait = nextWaitMs
    nextWaitMs = Math.min(nextWaitMs * 2, backoff.maxMs)
    timer = setTimeout(() => { timer = undefined; void look(wait) }, wait)
  }

  async function look (waitedMs: number): Promise<void> {
    if (stopped || !unreachable) return
    const puppet = bot.puppet
    const gaveUp = puppet.state?.inactive() === true
    // Running but silent for a while without reaching anything: stuck (a gRPC client whose server went away).
    const stuck = !gaveUp && failures === 0 && Date.now() - lastFailureAt >= quietBeforeRestartMs
    if (gaveUp || stuck) {
      restarts += 1
      debug(`${puppetName} ${gaveUp ? 'gave up' : 'went quiet'}: starting it again (restart ${restarts})`)
      failures = 0
      try {
        if (!gaveUp) await puppet.stop()
        if (stopped) return
        await puppet.start()
        // Started without a failure: the server answered (a puppet-service client's start opens its stream).
        if (failures === 0) return onAlive()
      } catch (err) {
        debug(`${puppetName}: restart ${restarts} failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    } else if (failures > 0) {
      // Still retrying by itself (wechat4u): left be.
      debug(`${puppetName} still cannot reach its server: ${failures} failed tries in the last ${Math.round(waitedMs / 1000)} s (last: ${lastFailure})`)
    }
    failures = 0
    scheduleLook()
  }

  bot.on('error', onError)
  for (const event of ALIVE_EVENTS) bot.on(event, onAlive)
  return {
    outage: () => unreachable,
    stop: () => {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = undefined
      for (const event of ALIVE_EVENTS) bot.off(event, onAlive)
    },
  }
}
