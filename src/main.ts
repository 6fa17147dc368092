// The runner, and the only file that touches the process: environment, standard streams, signals, exit.
// Without WECHATY_PUPPET it runs the demo world on the mock puppet with an interactive console.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WechatyBuilder, log as wechatyLog } from 'wechaty'
import { log } from './log.js'
import type { Wechaty } from 'wechaty'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { SecurityAssistant, StoreError } from './mod.js'
import type { SecurityAssistantPlugin } from './mod.js'
import { startConsole } from './demo/console.js'
import { ASSISTANT_NAME, createContacts } from './demo/world.js'
import { startPlatformApi } from './platform/api.js'
import type { RunningApi } from './platform/api.js'
import type { RunningAssistant } from './mod.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const env = process.env
const dataFile = resolve(env.ASSISTANT_DATA_FILE ?? resolve(root, 'data/assistant.json'))
const seedFile = resolve(env.ASSISTANT_SEED_FILE ?? resolve(root, 'data/seed.json'))
const apiToken = env.ASSISTANT_API_TOKEN || undefined
const apiPort = Number(env.ASSISTANT_API_PORT ?? 8787)
const realPuppet = env.WECHATY_PUPPET && env.WECHATY_PUPPET !== 'wechaty-puppet-mock' ? env.WECHATY_PUPPET : undefined

// The console is for chatting: wechaty's info lines would drown it unless asked for.
if (!realPuppet && env.WECHATY_LOG === undefined) wechatyLog.level('warn')

async function main (): Promise<void> {
  mkdirSync(dirname(dataFile), { recursive: true })
  const plugin = SecurityAssistant({ dataFile, seedFile })
  if (realPuppet) await runOnPuppet(plugin)
  else await runDemo(plugin)
}

async function runOnPuppet (plugin: SecurityAssistantPlugin): Promise<void> {
  const bot = WechatyBuilder.build({ name: 'security-assistant' }) // wechaty reads WECHATY_PUPPET itself
  bot.on('scan', (qrcode) => console.log(`Scan to log in: https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}`))
  bot.on('login', (user) => console.log(`Logged in as ${user.name()}`))
  bot.on('error', (err) => console.error(`wechaty: ${err.message}`))
  bot.use(plugin)
  await bot.start()
  const assistant = await openOrExit(bot, plugin)
  const api = await startApi(assistant)
  console.log(`公众平台安全助手 running on ${realPuppet}, data file ${dataFile}. Ctrl-C stops it.`)
  onSignals(() => shutdown(bot, plugin, api))
}

async function runDemo (plugin: SecurityAssistantPlugin): Promise<void> {
  const mocker = new mock.Mocker()
  const bot = WechatyBuilder.build({ name: 'security-assistant-demo', puppet: new PuppetMock({ mocker }) })
  bot.on('error', () => undefined) // the mock puppet reports room events as errors; nothing to act on
  bot.use(plugin)
  await bot.start()
  const assistant = await openOrExit(bot, plugin)
  // The demo people exist before the assistant logs in, so pushes queued at start-up reach them.
  const contacts = createContacts(mocker, assistant.store.data.users)
  const botContact = mocker.createContact({ name: ASSISTANT_NAME })

  const interactive = Boolean(process.stdin.isTTY)
  console.log(`公众平台安全助手 demo on the mock puppet. Data file: ${dataFile}`)
  const api = await startApi(assistant)
  const chat = startConsole({
    bot,
    mocker,
    botContact,
    contacts,
    store: assistant.store,
    platform: assistant.platform,
    input: process.stdin,
    write: (line) => console.log(line),
    onQuit: () => void shutdown(bot, plugin, api, chat),
    ...(interactive ? { prompt: (text: string) => process.stdout.write(text) } : {}),
  })
  mocker.login(botContact)
  // Piped input may end; without a terminal the demo keeps running until a signal.
  onSignals(() => shutdown(bot, plugin, api, chat))
}

/** The platform's HTTP API, when a token is configured. */
async function startApi (assistant: RunningAssistant): Promise<RunningApi | undefined> {
  if (!apiToken) {
    console.log('Platform API not started: set ASSISTANT_API_TOKEN (and optionally ASSISTANT_API_PORT) to enable it.')
    return undefined
  }
  try {
    const api = await startPlatformApi(assistant.platform, { token: apiToken, port: apiPort, log })
    console.log(`Platform API on ${api.url} (bearer token from ASSISTANT_API_TOKEN).`)
    return api
  } catch (err) {
    console.error(`Platform API not started: ${(err as Error).message}`)
    return undefined
  }
}

async function openOrExit (bot: Wechaty, plugin: SecurityAssistantPlugin) {
  try {
    return await plugin.ready()
  } catch (err) {
    console.error(err instanceof StoreError ? `Cannot start: ${err.message}` : err)
    await bot.stop().catch(() => undefined)
    process.exit(1)
  }
}

let stopping = false
async function shutdown (bot: Wechaty, plugin: SecurityAssistantPlugin, api?: RunningApi, chat?: { close: () => void }): Promise<void> {
  if (stopping) return
  stopping = true
  chat?.close()
  await api?.close()
  await bot.stop().catch((err) => console.error(`stopping the bot: ${(err as Error).message}`))
  await plugin.close()
  console.log('Stopped; every change is saved.')
  process.exit(0)
}

function onSignals (stop: () => Promise<void>): void {
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
