// A lowdb adapter that writes durably: unique temp file, fsync, rename, fsync of the folder.
import { open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import type { Adapter } from 'lowdb'
import { StoreError } from './errors.js'
import { IncrementalJson } from './incremental-json.js'
import { writeAll } from './write-all.js'

export class DurableJsonFile<T> implements Adapter<T> {
  /** How many times the file has been written: the benchmark's group-commit measure. */
  writes = 0
  private readonly json = new IncrementalJson()

  constructor (readonly file: string) {}

  /** What the file holds, told apart from no file at all (a file may hold `null`); a StoreError when it is not JSON. */
  async load (): Promise<{ exists: false } | { exists: true, value: unknown }> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false }
      throw new StoreError(`Cannot read the data file ${this.file}: ${(err as Error).message}`)
    }
    try {
      // A byte-order mark (some editors add one) is not damage: the next write leaves it out.
      return { exists: true, value: JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) }
    } catch (err) {
      throw new StoreError(
        `The data file ${this.file} is not valid JSON (corrupt or truncated: ${(err as Error).message}). ` +
        'It was left untouched: repair it, or move it aside (rename it, do not delete it) so the assistant starts again from the seed.',
      )
    }
  }

  /** lowdb's Adapter: null both for no file and for a file holding null; use `load` to tell them apart. */
  async read (): Promise<T | null> {
    const loaded = await this.load()
    return loaded.exists ? loaded.value as T : null
  }

  /**
   * Removes temp files that `write` left when the process died mid-write, and only those. Call it while
   * holding the lock, before the first write: a write in progress has a temp file of the same kind.
   */
  async removeLeftovers (): Promise<string[]> {
    const dir = dirname(this.file)
    const removed: string[] = []
    for (const name of await readdir(dir)) {
      if (!isTempOf(this.file, name)) continue
      await rm(join(dir, name), { force: true })
      removed.push(join(dir, name))
    }
    return removed
  }

  /**
   * Call for every record of the document changed in place, before the next write: only the parts of the
   * document holding such records are encoded again (added, dropped and moved records are seen without it).
   */
  changedInPlace (record: object): void {
    this.json.changedInPlace(record)
  }

  /** Encodes what the next write will need until `deadline` (performance.now()); true once all is ready. */
  prepare (data: T, deadline: number): boolean {
    return this.json.prepare(data, deadline)
  }

  /** Encodes `data` before its first await (callers rely on that to write a consistent state), then writes it. */
  async write (data: T): Promise<void> {
    const bytes = this.json.encode(data)
    const dir = dirname(this.file)
    const temp = join(dir, tempName(this.file, randomBytes(6).toString('hex')))
    try {
      const handle = await open(temp, 'wx')
      try {
        await writeAll(handle, bytes)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temp, this.file)
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    }
    await syncFolder(dir)
    this.writes++
  }
}

function tempName (file: string, id: string): string {
  return `.${basename(file)}.${id}.tmp`
}

/** `.<basename>.<12 hex>.tmp`, exactly what `write` makes: a look-alike of another file or another shape is not ours. */
function isTempOf (file: string, name: string): boolean {
  const id = name.slice(basename(file).length + 2, -'.tmp'.length)
  return /^[0-9a-f]{12}$/.test(id) && name === tempName(file, id)
}

/** Makes the rename itself durable. */
export async function syncFolder (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic.
  } finally {
    await handle.close()
  }
}
