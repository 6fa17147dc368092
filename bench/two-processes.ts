// Acknowledged changes a second with several assistant processes on one database: each process a real OS
// process (bench/pg-changer.ts) with its own pool, all started together, their acknowledgements summed.
import { nextMessage, startChild } from './child.js'
import type { ChangerFigures } from './pg-changer.js'
import { KINDS } from './pg-watch.js'
import type { Kind } from './pg-watch.js'

export interface ProcessesFigures {
  processes: number
  perSecond: number
  /** Per transaction, averaged over every process: getting a connection, the lock (with BEGIN), the statements, the commit, the flush wait. */
  perTransactionMs: Record<Kind, number>
  /** CPU time the assistant processes spent per acknowledged change (this machine has 2 cores for everything). */
  cpuMsPerChange: number
}

/** `processes` processes, `inFlight` changes in flight in each, for `seconds`; people from `firstUser` on. */
export async function measureProcesses (url: string, processes: number, firstUser: number, now: number, inFlight = 50, seconds = 5): Promise<ProcessesFigures> {
  const children = Array.from({ length: processes }, (_, p) =>
    startChild('./pg-changer.ts', [url, String(firstUser + p * inFlight), String(inFlight), String(seconds), String(now)]))
  await Promise.all(children.map((child) => nextMessage(child)))
  const results = children.map((child) => nextMessage<ChangerFigures>(child))
  for (const child of children) child.send('go')
  const figures = await Promise.all(results)
  await Promise.all(children.map((child) => new Promise((resolve) => child.exitCode === null ? child.once('exit', resolve) : resolve(undefined))))

  const perSecond = figures.reduce((sum, f) => sum + f.acknowledged / f.seconds, 0)
  const total = Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<Kind, number>
  let transactions = 0
  let cpuMs = 0
  let acknowledged = 0
  for (const f of figures) {
    cpuMs += f.cpuMs
    acknowledged += f.acknowledged
    for (const kind of KINDS) total[kind] += f.watch.ms[kind]
    transactions += f.watch.count.commit
  }
  return {
    processes,
    perSecond,
    perTransactionMs: Object.fromEntries(KINDS.map((kind) => [kind, total[kind] / transactions])) as Record<Kind, number>,
    cpuMsPerChange: cpuMs / acknowledged,
  }
}
