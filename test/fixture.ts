// One way to start the assistant for a test: a fresh Mocker, a temp data file, and ask(user, text).
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WechatyBuilder } from 'wechaty'
import type { Wechaty } from 'wechaty'
import { mock, PuppetMock } from 'wechaty-puppet-mock'
import { SecurityAssistant } from '../src/mod.js'
import type { RunningAssistant, SecurityAssistantOptions, SecurityAssistantPlugin } from '../src/mod.js'
import { createContacts, ASSISTANT_NAME } from '../src/demo/world.js'
import type { MockContact } from '../src/demo/world.js'
import type { Seed, User } from '../src/store/schema.js'
import { SeedSchema } from '../src/store/schema.js'
import type { Store } from '../src/store/store.js'
import { readFileSync } from 'node:fs'

export const SEED_FILE = new URL('../data/seed.json', import.meta.url).pathname
const REPLY_TIMEOUT = 5_000

export class TestClock {
  constructor (public at: number) {}
  now = (): number => this.at
  advance (ms: number): void { this.at += ms }
}

/** The assistant on the embedded engine: its store is there for tests to look into. */
export type EmbeddedAssistant = RunningAssistant & { store: Store }

export interface WorldOptions {
  /** An existing data file (restart tests); otherwise a new one in a temp folder. */
  dataFile?: string
  /** PostgreSQL instead of a data file (startDatabaseWorld): seeded from the seed when empty. */
  database?: SecurityAssistantOptions['database']
  /** A seed other than the demo world. */
  seed?: Seed
  clock?: TestClock
  plugin?: Partial<SecurityAssistantOptions>
}

export interface World<A extends RunningAssistant = EmbeddedAssistant> {
  clock: TestClock
  /** The data file ('' on PostgreSQL). */
  dataFile: string
  plugin: SecurityAssistantPlugin
  assistant: A
  mocker: mock.Mocker
  bot: Wechaty
  botContact: MockContact
  contact: (userId: string) => MockContact
  /** Sends `text` as the user and resolves with the assistant's reply to them. */
  ask: (userId: string, text: string) => Promise<string>
  /** Sends without waiting for a reply. */
  send: (userId: string, text: string) => void
  /** Every text the assistant has sent to the user so far. */
  inbox: (userId: string) => string[]
  /** Resolves with the inbox once it holds at least `count` texts. */
  inboxOf: (userId: string, count: number) => Promise<string[]>
  /** Waits until the assistant has answered everything and delivered every push. */
  settled: () => Promise<void>
  stop: () => Promise<void>
}

/** Starts a world that the test stops when it ends. */
export async function worldFor (t: { teardown: (fn: () => Promise<void>) => void }, options: WorldOptions = {}): Promise<World> {
  const world = await startWorld(options)
  t.teardown(world.stop)
  return world
}

export async function startWorld (options: Omit<WorldOptions, 'database'> = {}): Promise<World> {
  const world = await launch(options)
  const { store } = world.assistant
  if (!store) throw new Error('startWorld runs on a data file')
  return { ...world, assistant: Object.assign(world.assistant, { store }) }
}

/** A world on PostgreSQL (options.database): the demo people come from the seed, not from a store. */
export async function startDatabaseWorld (options: WorldOptions & { database: NonNullable<WorldOptions['database']> }): Promise<World<RunningAssistant>> {
  return launch(options)
}

async function launch (options: WorldOptions): Promise<World<RunningAssistant>> {
  const clock = options.clock ?? new TestClock(Date.parse('2026-11-21T02:00:00Z'))
  const dir = await mkdtemp(join(tmpdir(), 'assistant-test-'))
  let seedFile = SEED_FILE
  if (options.seed) {
    seedFile = join(dir, 'seed.json')
    await writeFile(seedFile, JSON.stringify(options.seed))
  }
  const dataFile = options.database ? '' : options.dataFile ?? join(dir, 'assistant.json')

  const mocker = new mock.Mocker()
  const bot = WechatyBuilder.build({ puppet: new PuppetMock({ mocker }) })
  bot.on('error', () => undefined) // the mock emits errors for room events; the assistant logs its own
  // No schedule unless a test asks for one: jobs run when a test calls them, at the test's time.
  const storage = options.database ? { database: options.database } : { dataFile }
  const plugin = SecurityAssistant({ ...storage, seedFile, clock: clock.now, schedules: false, ...options.plugin })
  bot.use(plugin)
  await bot.start()
  let assistant: RunningAssistant
  try {
    assistant = await plugin.ready()
  } catch (err) {
    await bot.stop()
    throw err
  }
  // The people exist before the assistant logs in, so pushes queued at start-up can reach them.
  const users: readonly User[] = assistant.store?.data.users ?? SeedSchema.parse(options.seed ?? JSON.parse(readFileSync(seedFile, 'utf8'))).users
  const contacts = createContacts(mocker, users)
  const botContact = mocker.createContact({ name: ASSISTANT_NAME })
  const received = new Map<string, string[]>()
  const waiters = new Map<string, Array<() => void>>()
  for (const [userId, contact] of contacts) {
    received.set(userId, [])
    contact.on('message', (message) => {
      const payload = message.payload
      if (payload.talkerId !== botContact.id) return
      received.get(userId)!.push(payload.text ?? '')
      for (const wake of waiters.get(userId)?.splice(0) ?? []) wake()
    })
  }

  const loggedIn = new Promise((resolve) => bot.once('login', resolve))
  mocker.login(botContact)
  await loggedIn

  const contact = (userId: string): MockContact => {
    const found = contacts.get(userId)
    if (!found) throw new Error(`no demo user ${userId}`)
    return found
  }
  const inbox = (userId: string): string[] => received.get(userId) ?? []
  const nextMessage = (userId: string, after: number): Promise<string> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${userId} within ${REPLY_TIMEOUT} ms`)), REPLY_TIMEOUT)
    const check = (): void => {
      const list = inbox(userId)
      if (list.length > after) {
        clearTimeout(timer)
        resolve(list[after]!)
      } else {
        const queue = waiters.get(userId) ?? []
        queue.push(check)
        waiters.set(userId, queue)
      }
    }
    check()
  })
  const send = (userId: string, text: string): void => { contact(userId).say(text).to(botContact) }

  return {
    clock,
    dataFile,
    plugin,
    assistant,
    mocker,
    bot,
    botContact,
    contact,
    send,
    inbox,
    inboxOf: async (userId, count) => {
      if (count > 0) await nextMessage(userId, count - 1)
      return inbox(userId)
    },
    ask: async (userId, text) => {
      await assistant.settled() // pushes already under way are not taken for the reply
      const reply = nextMessage(userId, inbox(userId).length)
      send(userId, text)
      return reply
    },
    settled: () => assistant.settled(),
    stop: async () => {
      await bot.stop()
      await plugin.close()
    },
  }
}
