// The stale locks the stale lock race (test/lock.test.ts, test/helpers/lock-racer.ts) starts its rounds from.
import { hostname } from 'node:os'

/** A pid above Linux's highest (2^22): no process has it, so a lock naming it on this host is stale. */
export const DEAD_PID = 2 ** 22 + 12345

/** Alternately a lock naming a dead process on this host, and an empty (damaged) one. */
export function staleLock (round: number): string {
  return round % 2 === 0 ? JSON.stringify({ pid: DEAD_PID, host: hostname(), since: new Date().toISOString() }) : ''
}
