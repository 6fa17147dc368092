// One process per data file: a lock file beside it naming the owner.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { kill, pid } from 'node:process'
import { StoreError } from './errors.js'

/** Locks this process holds: a lock naming this pid but not in here was left by an earlier process that had the same pid. */
const held = new Set<string>()

interface Owner { pid: number, host: string, since: string }

export class FileLock {
  private constructor (readonly path: string) {}

  static acquire (dataFile: string): FileLock {
    const path = `${dataFile}.lock`
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(path, JSON.stringify({ pid, host: hostname(), since: new Date().toISOString() }), { flag: 'wx' })
        held.add(path)
        return new FileLock(path)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const seen = readText(path)
      if (seen === undefined) continue // removed meanwhile: try again
      const owner = parseOwner(seen)
      if (owner && inUse(path, owner)) {
        throw new StoreError(
          `The data file ${dataFile} is in use by another running assistant (process ${owner.pid} on ${owner.host}, since ${owner.since}). ` +
          `Stop that one first, or give this one another data file. If no assistant runs on this file any more (say the machine or container was replaced), delete ${path} and start again.`,
        )
      }
      takeOverStale(path, seen)
    }
    throw new StoreError(`Could not lock the data file ${dataFile}: another assistant seems to be starting on it. Check ${path}.`)
  }

  release (): void {
    held.delete(this.path)
    rmSync(this.path, { force: true })
  }
}

function inUse (path: string, owner: Owner): boolean {
  if (owner.host !== hostname()) return true // another machine's process cannot be checked from here
  if (owner.pid === pid) return held.has(path)
  return isAlive(owner.pid)
}

/**
 * Moves the stale lock aside rather than deleting it, and checks it is the one judged stale: if another
 * process replaced it in between, its fresh lock is put back instead of being lost.
 */
function takeOverStale (path: string, seen: string): void {
  const aside = `${path}.${randomBytes(4).toString('hex')}.stale`
  try {
    renameSync(path, aside)
  } catch {
    return // gone already: the next attempt sees what is there now
  }
  if (readText(aside) === seen) rmSync(aside, { force: true })
  else renameSync(aside, path)
}

function readText (path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

function parseOwner (text: string): Owner | undefined {
  try {
    return JSON.parse(text) as Owner
  } catch {
    return undefined // a torn or empty lock file is stale
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
