// A lowdb adapter that writes durably: unique temp file, fsync, rename, fsync of the folder.
import { open, readFile, rename, rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import type { Adapter } from 'lowdb'
import { StoreError } from './errors.js'

export class DurableJsonFile<T> implements Adapter<T> {
  /** How many times the file has been written: the benchmark's group-commit measure. */
  writes = 0

  constructor (readonly file: string) {}

  /** null when the file does not exist; a StoreError when it is not JSON (the file is left as it is). */
  async read (): Promise<T | null> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw new StoreError(`Cannot read the data file ${this.file}: ${(err as Error).message}`)
    }
    try {
      return JSON.parse(text) as T
    } catch (err) {
      throw new StoreError(
        `The data file ${this.file} is not valid JSON (corrupt or truncated: ${(err as Error).message}). ` +
        'It was left untouched: restore it from a backup, or move it away to start again from the seed.',
      )
    }
  }

  async write (data: T): Promise<void> {
    const text = JSON.stringify(data)
    const dir = dirname(this.file)
    const temp = join(dir, `.${basename(this.file)}.${randomBytes(6).toString('hex')}.tmp`)
    try {
      const handle = await open(temp, 'wx')
      try {
        await handle.writeFile(text)
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

/** Makes the rename itself durable. */
async function syncFolder (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic.
  } finally {
    await handle.close()
  }
}
