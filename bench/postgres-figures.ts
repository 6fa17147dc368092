// Issue 9's figures on PostgreSQL for one world size: the world loaded into a fresh database, the tail
// measured in a process of its own, then one and two assistant processes making changes on it.
import { runChild } from './child.js'
import type { LoadFigures } from './pg-load.js'
import type { PostgresTailFigures } from './pg-tail.js'
import type { BenchPostgres } from './postgres.js'
import { tailWorldSize } from './tail.js'
import { measureProcesses } from './two-processes.js'
import type { ProcessesFigures } from './two-processes.js'

export interface PostgresFigures {
  users: number
  load: LoadFigures
  tail: PostgresTailFigures
  oneProcess: ProcessesFigures
  twoProcesses: ProcessesFigures
}

export async function measurePostgres (server: BenchPostgres, users: number, now: number): Promise<PostgresFigures> {
  const { name } = await server.freshDatabase()
  const url = server.url(name)
  const load = await runChild<LoadFigures>('./pg-load.ts', [url, String(users), String(now)])
  const tail = await runChild<PostgresTailFigures>('./pg-tail.ts', [url, String(users), String(now)])
  // People nobody above looked up or changed.
  const firstChanger = tailWorldSize(users, now).accounts + 1_000
  const oneProcess = await measureProcesses(url, 1, firstChanger, now)
  const twoProcesses = await measureProcesses(url, 2, firstChanger, now)
  return { users, load, tail, oneProcess, twoProcesses }
}
