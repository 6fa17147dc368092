// One process per data file: a lock file beside the file's real path, naming the owner.
import { linkSync, lstatSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { kill, pid } from 'node:process'
import { StoreError } from './errors.js'

/** Locks this process holds: a lock naming this pid but not in here was left by an earlier process that had the same pid. */
const held = new Set<string>()

interface Owner { pid: number, host: string, since: string }

export class FileLock {
  private constructor (
    /** The data file's real path: read and write through it, so a rename replaces the file, not a symlink to it. */
    readonly dataFile: string,
    readonly path: string,
    private readonly content: string,
  ) {}

  static acquire (dataFile: string): FileLock {
    const real = realDataFile(dataFile)
    const path = `${real}.lock`
    const content = JSON.stringify({ pid, host: hostname(), since: new Date().toISOString() })
    for (let attempt = 0; attempt < 3; attempt++) {
      if (placeLock(path, content)) {
        held.add(path)
        return new FileLock(real, path, content)
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

  /**
   * Lets another process have the file. Never throws, as it runs at shutdown: returns what went wrong
   * (say a read-only file system), its message complete for the log. A lock file that is no longer this
   * one's is left alone: removing it would let a third assistant in beside its owner.
   */
  release (): StoreError | undefined {
    held.delete(this.path)
    try {
      if (readFileSync(this.path, 'utf8') !== this.content) {
        return new StoreError(`The lock file ${this.path} was replaced by another process's lock while this assistant ran; it was left as it is.`)
      }
      rmSync(this.path)
      return undefined
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      return new StoreError(`Could not remove the lock file ${this.path} (${(err as Error).message}); delete it before the next start if it is still there.`)
    }
  }
}

/**
 * The file's real identity: a second assistant started through a symlink must meet the same lock,
 * and a file with other hard links cannot be locked by all its names.
 */
function realDataFile (dataFile: string): string {
  let real: string
  try {
    real = realpathSync(dataFile)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreError(`Cannot use the data file ${dataFile}: ${(err as Error).message}`)
    if (isLink(dataFile)) {
      throw new StoreError(`The data file ${dataFile} is a symbolic link to a file that does not exist. Point it at the data file, or remove the link to start from the seed.`)
    }
    try {
      return join(realpathSync(dirname(dataFile)), basename(dataFile))
    } catch (err) {
      throw new StoreError(`The folder of the data file ${dataFile} cannot be used: ${(err as Error).message}. Create it first.`)
    }
  }
  const stat = statSync(real)
  if (!stat.isFile()) throw new StoreError(`The data file ${dataFile} is not a file. Give the path of a JSON file (it is created when missing).`)
  const links = stat.nlink
  if (links > 1) {
    throw new StoreError(
      `The data file ${dataFile} has ${links} hard links: another assistant could be using it under another name, ` +
      'and the first write would split it from the other names anyway. Use one name for it and remove the extra links.',
    )
  }
  return real
}

function isLink (path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

/**
 * Writes the whole lock to a temp file, then links it into place: the lock file never exists half written,
 * so whoever reads it sees a complete owner. False when another lock is there.
 */
function placeLock (path: string, content: string): boolean {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    writeFileSync(temp, content, { flag: 'wx' })
    linkSync(temp, path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new StoreError(`Cannot create the lock file ${path}: ${(err as Error).message}`)
  } finally {
    try {
      rmSync(temp, { force: true })
    } catch {
      // a temp file left behind is clutter, not a reason to fail: the lock itself is settled
    }
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

/** Undefined for a lock that cannot be read as an owner: never a write in progress (see placeLock), so damage, and stale. */
function parseOwner (text: string): Owner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<Owner> | null
    const complete = typeof owner?.pid === 'number' && typeof owner.host === 'string' && typeof owner.since === 'string'
    return complete ? owner as Owner : undefined
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
