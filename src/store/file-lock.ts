// One process per data file: a lock file beside it naming the owner.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { kill, pid } from 'node:process'
import { StoreError } from './errors.js'

/** Locks this process holds: a lock naming this pid but not in here was left by an earlier process that had the same pid. */
const held = new Set<string>()

export class FileLock {
  private constructor (readonly path: string) {}

  static acquire (dataFile: string): FileLock {
    const path = `${dataFile}.lock`
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, JSON.stringify({ pid, host: hostname(), since: new Date().toISOString() }), { flag: 'wx' })
        held.add(path)
        return new FileLock(path)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        const owner = readOwner(path)
        const ownedHere = owner?.pid === pid && owner.host === hostname()
        if (owner && (ownedHere ? held.has(path) : owner.host !== hostname() || isAlive(owner.pid))) {
          throw new StoreError(
            `The data file ${dataFile} is in use by another running assistant (process ${owner.pid}, since ${owner.since}). ` +
            'Stop that one first, or give this one another data file.',
          )
        }
        rmSync(path, { force: true }) // left behind by a process that is gone
      }
    }
    throw new StoreError(`Could not lock the data file ${dataFile} (lock file ${path}).`)
  }

  release (): void {
    held.delete(this.path)
    rmSync(this.path, { force: true })
  }
}

interface Owner { pid: number, host: string, since: string }

function readOwner (path: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Owner
  } catch {
    return undefined
  }
}

function isAlive (ownerPid: number): boolean {
  try {
    kill(ownerPid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
