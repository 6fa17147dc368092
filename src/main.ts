// The runner (`security-assistant start`), and with cli.ts the only file that touches the process:
// environment, standard streams, signals, exit. With --demo (`npm start`) it runs the demo world on the
// mock puppet with an interactive console; without it, production: the puppet WECHATY_PUPPET names, and
// never the demo world (no data yet means an empty start and a word on how to import).
// Standard output is the demo console's; everything else the runner says is a dated log line on stderr.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Pool } from 'pg'
import type { Wechaty } from 'wechaty'
import type { SecurityAssistantPlugin, RunningAssistant } from './mod.js'
import type { RunningApi } from './platform/api.js'
import { dataFileFrom } from './cli/data-file.js'
import { StoreError } from './store/errors.js' // tiny: the heavy modules load after the signal handlers
import { createLogger, loggerSettings } from './log.js' // tiny too
import { MAX_BACKUPS_KEPT } from './domain/backups.js' // imports nothing
import type { Logger } from './log.js'
import type { PuppetWatch } from './puppet-watch.js'

/** What has started so far: a stop closes exactly these. */
interface Parts {
  bot?: Wechaty
  plugin?: SecurityAssistantPlugin
  api?: Promise<RunningApi | undefined>
  chat?: { close: () => void }
  /** The PostgreSQL pool this runner made (ASSISTANT_DATABASE_URL): ended after the plugin closes. */
  pool?: Pool
  /** Restarts a real puppet that cannot reach its server: cancelled before the bot stops. */
  watch?: PuppetWatch
}

// A stop can come at any moment, even while wechaty is still loading: the handlers go in first thing.
const parts: Parts = {}
let started = false
let stopping = false
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())

const env = process.env
/** ASSISTANT_LOG_LEVEL and ASSISTANT_LOG_FORMAT; a wrong one is refused at once (by a default logger). */
let logSettingsProblem: Error | undefined
const log: Logger = createLogger((() => {
  try {
    return loggerSettings(env.ASSISTANT_LOG_LEVEL, env.ASSISTANT_LOG_FORMAT)
  } catch (err) {
    logSettingsProblem = err as Error
    return {}
  }
})())
log.info('Starting 公众平台安全助手…')

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const demo = process.argv.slice(2).includes('--demo')
/** Relative to the working folder, as every command of the CLI reads it (the package's own folder may be node_modules). */
const dataFile = dataFileFrom(env, process.cwd())
/** The demo world starts the demo; production starts from a seed only when one is named. */
const seedFile = env.ASSISTANT_SEED_FILE ? resolve(env.ASSISTANT_SEED_FILE) : demo ? resolve(root, 'data/seed.json') : undefined
const apiToken = env.ASSISTANT_API_TOKEN || undefined
const apiHost = env.ASSISTANT_API_HOST || '127.0.0.1'
const apiPort = env.ASSISTANT_API_PORT || '8787'
/** Production's puppet (the mock one too: a host can serve the demo people over it). */
const realPuppet = env.WECHATY_PUPPET || undefined
/** PostgreSQL instead of the data file when set (ASSISTANT_DATA_FILE is then not used). */
const databaseUrl = env.ASSISTANT_DATABASE_URL || undefined

/** The rest of the runner: importing wechaty alone takes a second or more. */
async function load () {
  const [wechaty, assistant, platformApi, wechatyLogBridge, puppetWatch, connect] = await Promise.all([
    import('wechaty'),
    import('./mod.js'),
    import('./platform/api.js'),
    import('./wechaty-log.js'),
    import('./puppet-watch.js'),
    import('./store/postgres/connect.js'),
  ])
  return {
    WechatyBuilder: wechaty.WechatyBuilder,
    wechatyLog: wechaty.log,
    SecurityAssistant: assistant.SecurityAssistant,
    startPlatformApi: platformApi.startPlatformApi,
    routeWechatyLog: wechatyLogBridge.routeWechatyLog,
    watchPuppet: puppetWatch.watchPuppet,
    createPool: connect.createPool,
    describeDatabaseUrl: connect.describeDatabaseUrl,
  }
}
type Modules = Awaited<ReturnType<typeof load>>

/** The demo's own modules: the mock puppet is a development dependency, loaded only for --demo. */
async function loadDemo () {
  const [puppetMock, demoConsole, world, alerts] = await Promise.all([
    import('wechaty-puppet-mock'),
    import('./demo/console.js'),
    import('./demo/world.js'),
    import('./domain/alerts.js'),
  ])
  return {
    mock: puppetMock.mock,
    PuppetMock: puppetMock.PuppetMock,
    startConsole: demoConsole.startConsole,
    createContacts: world.createContacts,
    everyUser: world.everyUser,
    ASSISTANT_NAME: world.ASSISTANT_NAME,
    nextDigestAt: alerts.nextDigestAt,
  }
}

async function main (): Promise<void> {
  if (logSettingsProblem) throw new StartRefused(logSettingsProblem.message)
  const m = await load()
  if (stopping) return
  // One kind of line from the whole process: wechaty's and its puppet's go through this logger too
  // (at debug level while a real puppet's server is out of reach: the watch has said so once).
  m.routeWechatyLog(m.wechatyLog, log, () => parts.watch?.outage() ?? false)
  // The console is for chatting: wechaty's info lines would drown it unless asked for.
  if (demo && env.WECHATY_LOG === undefined) m.wechatyLog.level('warn')
  if (demo) await runDemo(m, await loadDemo())
  else if (realPuppet) await runOnPuppet(m)
  else throw new StartRefused('Name the puppet: set WECHATY_PUPPET (e.g. wechaty-puppet-service with WECHATY_PUPPET_SERVICE_TOKEN), or run the demo world with --demo (npm start).')
}

async function runOnPuppet (m: Modules): Promise<void> {
  const bot = m.WechatyBuilder.build({ name: 'security-assistant' }) // wechaty reads WECHATY_PUPPET itself
  bot.on('scan', (qrcode) => log.info(`Scan to log in: https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}`))
  bot.on('login', (user) => log.info(`Logged in as ${user.name()}`))
  // A server out of reach is said once with what to check, then retried quietly; other errors once each.
  parts.watch = m.watchPuppet(bot, { log, puppetName: realPuppet!, settings: puppetServiceSettings() })
  const assistant = await startAssistant(m, bot)
  if (!assistant) return
  await startApi(m, assistant)
  if (stopping) return
  started = true
  log.info(`公众平台安全助手 running on ${realPuppet}, ${assistant.storage}. Ctrl-C stops it.`)
  if ((await assistant.engine.counts()).accounts === 0) {
    log.info('No accounts yet: import your accounts, admins, operators and people with `security-assistant import <file>` (formats in the README, examples in data/examples/), or create them through the platform API.')
  }
}

/** The demo world on either engine: an empty data file or database starts from data/seed.json. */
async function runDemo (m: Modules, d: Awaited<ReturnType<typeof loadDemo>>): Promise<void> {
  const mocker = new d.mock.Mocker()
  const bot = m.WechatyBuilder.build({ name: 'security-assistant-demo', puppet: new d.PuppetMock({ mocker }) })
  bot.on('error', () => undefined) // the mock puppet reports room events as errors; nothing to act on
  const assistant = await startAssistant(m, bot)
  if (!assistant) return
  // The demo people exist before the assistant logs in, so pushes queued at start-up reach them.
  const reads = assistant.engine // the store contract: the data file and PostgreSQL alike
  const contacts = d.createContacts(mocker, await d.everyUser(reads))
  if (stopping) return
  const botContact = mocker.createContact({ name: d.ASSISTANT_NAME })

  const interactive = Boolean(process.stdin.isTTY)
  console.log(`公众平台安全助手 demo on the mock puppet. ${databaseUrl ? `Database: ${m.describeDatabaseUrl(databaseUrl)}` : `Data file: ${dataFile}`}`)
  await startApi(m, assistant)
  if (stopping) return
  parts.chat = d.startConsole({
    bot,
    mocker,
    botContact,
    contacts,
    reads,
    platform: assistant.platform,
    // The digest that would go at the next 08:00, now: a person trying it need not wait for the morning.
    digest: () => assistant.jobs.alertDigest(d.nextDigestAt(Date.now())),
    input: process.stdin,
    write: (line) => console.log(line),
    onQuit: () => void stop(),
    ...(interactive ? { prompt: (text: string) => process.stdout.write(text) } : {}),
  })
  mocker.login(botContact)
  // Piped input may end; without a terminal the demo keeps running until a signal.
  started = true
}

/** What a puppet-service client is set to, for the report when it cannot reach its server; the token is only said to be there. */
function puppetServiceSettings (): string | undefined {
  if (realPuppet !== 'wechaty-puppet-service') return undefined
  return [
    `WECHATY_PUPPET_SERVICE_ENDPOINT=${env.WECHATY_PUPPET_SERVICE_ENDPOINT || '(not set)'}`,
    `WECHATY_PUPPET_SERVICE_TOKEN ${env.WECHATY_PUPPET_SERVICE_TOKEN ? 'set' : 'not set'}`,
    `TLS ${env.WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT === 'true' ? 'off' : 'on'}`,
  ].join(', ')
}

/** Installs the plugin and starts the bot; undefined when a stop was asked for meanwhile. */
async function startAssistant (m: Modules, bot: Wechaty): Promise<RunningAssistant | undefined> {
  let storage: { dataFile: string } | { database: { pool: Pool } }
  if (databaseUrl) {
    const where = m.describeDatabaseUrl(databaseUrl)
    log.info(`Engine: database ${where}`)
    // A dropped idle connection (a restarted server) is reported, not a crash: the next query reconnects.
    parts.pool = m.createPool(databaseUrl, (err) => log.warn(`database ${where}: an idle connection failed: ${err.message}`))
    storage = { database: { pool: parts.pool } }
  } else {
    log.info(`Engine: data file ${dataFile}`)
    mkdirSync(dirname(dataFile), { recursive: true })
    storage = { dataFile }
  }
  // Daily backups: beside the data file by default; a folder and a count from the environment when given.
  const backupDir = env.ASSISTANT_BACKUP_DIR ? resolve(env.ASSISTANT_BACKUP_DIR) : undefined
  const keptSetting = env.ASSISTANT_BACKUPS_KEPT
  if (keptSetting !== undefined && keptSetting !== '' && !(/^[1-9]\d{0,3}$/.test(keptSetting) && Number(keptSetting) <= MAX_BACKUPS_KEPT)) {
    throw new StartRefused(`ASSISTANT_BACKUPS_KEPT must be how many daily backups to keep, from 1 to ${MAX_BACKUPS_KEPT}, not "${keptSetting}".`)
  }
  const kept = keptSetting ? Number(keptSetting) : undefined
  const backups = backupDir !== undefined || kept !== undefined ? { ...(backupDir ? { dir: backupDir } : {}), ...(kept !== undefined ? { keep: kept } : {}) } : undefined
  const plugin = m.SecurityAssistant({ ...storage, seedFile, log, ...(backups ? { backups } : {}) })
  parts.plugin = plugin
  bot.use(plugin)
  // ready() is asked at once: a refusal is then this runner's to report, and the plugin does not log it too.
  const assistant = await plugin.ready()
  if (stopping) return undefined
  // The data file first: a refused start never starts the bot, so there is none to stop.
  parts.bot = bot
  await bot.start()
  return stopping ? undefined : assistant
}

/**
 * The platform's HTTP API, when a token is configured. An API that was asked for and cannot listen (the
 * port is taken) stops start-up: an assistant running on without it would leave the platform's every
 * call failing while the runner looked healthy.
 */
async function startApi (m: Modules, assistant: RunningAssistant): Promise<void> {
  if (!apiToken) {
    log.info('Platform API not started: set ASSISTANT_API_TOKEN (and optionally ASSISTANT_API_HOST, ASSISTANT_API_PORT) to enable it.')
    return
  }
  const port = Number(apiPort)
  if (!/^\d+$/.test(apiPort) || port < 1 || port > 65535) throw new StartRefused(`ASSISTANT_API_PORT must be a port number from 1 to 65535, not "${apiPort}".`)
  const starting = m.startPlatformApi(assistant.platform, { token: apiToken, host: apiHost, port, log })
  parts.api = starting.catch(() => undefined) // what a stop closes: nothing, if it never listened
  let api: RunningApi
  try {
    api = await starting
  } catch (err) {
    throw new StartRefused(`The platform API cannot listen: ${(err as Error).message}`)
  }
  log.info(`Platform API on ${api.url} (bearer token from ASSISTANT_API_TOKEN; GET /healthz and /openapi.json need none).`)
}

/** SIGINT, SIGTERM or /quit, at any moment: stops whatever has started, once. */
async function stop (): Promise<void> {
  if (stopping) return // a second signal while stopping: the first stop finishes the job
  stopping = true
  const duringStartUp = !started
  if (!await stopParts()) process.exit(1)
  log.info(duringStartUp ? `Stopped during start-up; ${databaseUrl ? 'nothing is left open' : 'the data file is not left locked'}.` : 'Stopped; every change is saved.')
  process.exit(0)
}

/** Start-up failed: one message saying why, whatever had started is stopped (releasing the data file), exit 1. */
async function refuse (err: unknown): Promise<void> {
  if (stopping) return // a stop was asked for meanwhile and reports itself
  stopping = true
  if (err instanceof StoreError || err instanceof StartRefused) log.error(`Cannot start: ${err.message}`)
  else log.error('Start-up failed unexpectedly', err)
  await stopParts()
  process.exit(1)
}

/** Closes what has started, newest first, saying what failed; returns whether the data file closed cleanly. */
async function stopParts (): Promise<boolean> {
  parts.chat?.close()
  parts.watch?.stop()
  await attempt('stopping the platform API', async () => (await parts.api)?.close())
  await attempt('stopping the bot', () => parts.bot?.stop())
  // Waits for an opening still under way, then finishes the writes and releases the data file (or the database).
  const closed = await attempt(databaseUrl ? 'closing the assistant' : 'closing the data file', () => parts.plugin?.close())
  // The pool is this runner's: the plugin leaves a pool it was given open.
  return await attempt('closing the database connections', () => parts.pool?.end()) && closed
}

/** A start-up this runner refuses on its own account (a combination of settings it does not run). */
class StartRefused extends Error {}

async function attempt (what: string, step: () => Promise<unknown> | undefined): Promise<boolean> {
  try {
    await step()
    return true
  } catch (err) {
    log.error(`${what} failed`, err)
    return false
  }
}

main().catch(refuse)
