// One process per data file: a lock file beside the file's real path, naming the owner.
import { linkSync, lstatSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
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
      if (placeFile(path, content, 'lock file')) {
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
 * Writes the whole file to a temp file, then links it into place: it never exists half written, so whoever
 * reads it sees a complete owner, and a file already there is never replaced. False when one is there.
 */
function placeFile (path: string, content: string, what: string): boolean {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    writeFileSync(temp, content, { flag: 'wx' })
    linkSync(temp, path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new StoreError(`Cannot create the ${what} ${path}: ${(err as Error).message}`)
  } finally {
    try {
      rmSync(temp, { force: true })
    } catch {
      // a temp file left behind is clutter, not a reason to fail: the file itself is settled
    }
  }
}

function inUse (path: string, owner: Owner): boolean {
  if (owner.host !== hostname()) return true // another machine's process cannot be checked from here
  if (owner.pid === pid) return held.has(path)
  return isAlive(owner.pid)
}

/** How long a takeover mutex may stay the same, watched by one waiting for it, before it counts as left by a process that stopped while holding it. */
const MUTEX_STALE_MS = 5_000
/** How long to wait for the takeover mutex at all: past this, something other than a stopped holder is wrong. */
const MUTEX_GIVE_UP_MS = 2 * MUTEX_STALE_MS

/**
 * Removes the lock judged stale, so that the next attempt can link a lock into its place. Nothing but this
 * (and release, of a process's own lock) ever removes a lock file, and only a process holding the takeover
 * mutex (`<lock>.takeover`) does it here, after reading under the mutex that the lock still holds exactly what
 * it judged stale. A lock is only ever placed by link, which never replaces a file, so while the mutex is
 * held nothing can turn the stale lock into a fresh one between that read and the removal: a fresh lock is
 * never removed. Whoever links first after the removal holds the lock; the others, the remover included, meet
 * it on their next attempt and judge it like any other. Taking the lock when there is none never involves
 * the mutex.
 *
 * A mutex is cleared as left by a process that stopped while holding it when it is damaged (it is never
 * written half), when it names a process on this host that no longer runs (or this process, which never
 * holds it while waiting for it), or when it has stayed the same for MUTEX_STALE_MS while waited for: a
 * holder releases it after a few file operations, so that long means stopped, not slow. Watching it rather
 * than reading its time keeps another host's clock out of it. Just before removing the lock, a holder checks
 * that the mutex is still its own, and leaves the lock alone if not.
 *
 * The window left: that check and the removal are two system calls, not one. A holder suspended between
 * them for over MUTEX_STALE_MS (a stopped process, a frozen machine), while another process clears its mutex
 * and takes the stale lock over, removes the fresh lock when it resumes. And when a process died holding the
 * mutex (it holds it for microseconds), two processes clearing it at the same moment can both come to hold
 * a mutex, if one is suspended between re-reading the mutex and removing it while the other removes it and
 * places its own; the check above then catches it unless a holder is also suspended between its check and
 * its removal. File systems offer no removal that depends on a file's content, so a lock made of files alone
 * keeps a window of this kind; this one needs a process suspended at one exact point, on top of a stale lock.
 */
function takeOverStale (path: string, seen: string): void {
  const mutex = `${path}.takeover`
  const mine = takeMutex(mutex, path, seen)
  if (mine === undefined) return // the lock changed meanwhile (or the wait was given up): the next attempt sees what is there now
  try {
    if (readText(path) === seen && readText(mutex) === mine) rmSync(path)
  } catch {
    // gone already, or it cannot be removed: the next attempt sees what is there now
  } finally {
    removeIf(mutex, mine)
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4))

/** The mutex's content once this process holds it; undefined when the lock stopped holding `seen` first, as then there is nothing to take over. */
function takeMutex (mutex: string, path: string, seen: string): string | undefined {
  const content = JSON.stringify({ pid, host: hostname(), since: new Date().toISOString() })
  const giveUp = performance.now() + MUTEX_GIVE_UP_MS
  let watched: { text: string, since: number } | undefined
  for (;;) {
    if (readText(path) !== seen) return undefined
    if (placeFile(mutex, content, 'takeover file')) return content
    const now = performance.now()
    if (now > giveUp) return undefined
    const text = readText(mutex)
    if (text !== undefined) {
      if (watched?.text !== text) watched = { text, since: now }
      if (mutexLeft(text, now - watched.since) && removeIf(mutex, text)) continue
    }
    Atomics.wait(pause, 0, 0, 1) // its holder is a few file operations from releasing it
  }
}

/** Whether a takeover mutex was left by a process that stopped while holding it (see takeOverStale). */
function mutexLeft (text: string, watchedMs: number): boolean {
  const owner = parseOwner(text)
  if (!owner) return true
  if (owner.host === hostname() && (owner.pid === pid || !isAlive(owner.pid))) return true
  return watchedMs > MUTEX_STALE_MS
}

/** Removes the file if it still holds `content`; never throws. False when it was not removed (gone already, replaced, or it cannot be). */
function removeIf (path: string, content: string): boolean {
  try {
    if (readFileSync(path, 'utf8') !== content) return false
    rmSync(path)
    return true
  } catch {
    return false
  }
}

function readText (path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Undefined for a lock that cannot be read as an owner: never a write in progress (see placeFile), so damage, and stale. */
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
