// Child process: builds a tail world of `users` users and imports it into the (empty) database at `url`
// with the product's own import (importDocument: validation, then every table in one transaction), then
// VACUUM ANALYZE, what autovacuum does by itself soon after a bulk load (done now, so it does not run in
// the middle of a measurement). Answers with the times.
import pg from 'pg'
import { migrate } from '../src/store/postgres/migrate.js'
import { importDocument } from '../src/store/postgres/copy.js'
import { answer } from './child.js'
import { tailWorldSize } from './tail.js'
import { largeWorld } from './world.js'

export interface LoadFigures { generateMs: number, importMs: number, vacuumMs: number, databaseMb: number }

const [url, users, now] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])]
const pool = new pg.Pool({ connectionString: url })
let started = performance.now()
const world = largeWorld(tailWorldSize(users, now))
const generateMs = performance.now() - started
await migrate(pool)
started = performance.now()
await importDocument(pool, world)
const importMs = performance.now() - started
started = performance.now()
await pool.query('vacuum analyze')
const vacuumMs = performance.now() - started
const { rows } = await pool.query<{ bytes: string }>('select pg_database_size(current_database()) as bytes')
await pool.end()
answer({ generateMs, importMs, vacuumMs, databaseMb: Number(rows[0]!.bytes) / 1e6 } satisfies LoadFigures)
