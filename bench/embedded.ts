// Issue 9's tail figures on the embedded engine (the JSON data file): the world written to a file, the
// common measurement (bench/tail.ts), and the file writes the default outbox policy needs for 2,000 notices.
import { copyFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Outbox, DEFAULT_OUTBOX_POLICY } from '../src/outbox/outbox.js'
import { Store } from '../src/store/store.js'
import { largeWorld } from './world.js'
import { measureTail, silent, tailWorldSize } from './tail.js'
import type { TailFigures } from './tail.js'

export interface EmbeddedFigures extends TailFigures {
  outboxWrites: number
}

/** One lookup due every 2 ms: a lookup on the embedded engine takes well under that. */
const LOOKUP_EVERY_MS = 2

export async function measureEmbeddedTail (dir: string, users: number, now: number): Promise<EmbeddedFigures> {
  const size = tailWorldSize(users, now)
  const file = join(dir, `tail-${users}.json`)
  await writeFile(file, JSON.stringify(largeWorld(size)))
  const outboxFile = join(dir, `tail-${users}-outbox.json`)
  await copyFile(file, outboxFile)
  const tail = await measureTail({ storage: { dataFile: file }, lookupEveryMs: LOOKUP_EVERY_MS }, users, now)
  return { ...tail, outboxWrites: await outboxFileWrites(outboxFile, size.accounts, now) }
}

/** The default outbox policy, 2,000 notices, time moved on by the policy's own pace: the file writes it takes. */
async function outboxFileWrites (file: string, accounts: number, now: number): Promise<number> {
  const store = await Store.open({ file, now })
  await store.change((tx) => {
    for (let k = 0; k < 2_000; k++) tx.enqueue({ toUserId: `u${accounts + (k % 1000)}`, text: `通知 ${k}`, createdAt: new Date(now).toISOString(), accountId: undefined })
  })
  let clock = now
  const outbox = new Outbox(store.engine(), async () => undefined, () => clock, silent, DEFAULT_OUTBOX_POLICY)
  const before = store.fileWrites
  outbox.setOnline(true)
  while (store.unsentMessages().length > 0) {
    await outbox.deliverDue()
    await outbox.idle()
    clock += 10_000 // the outbox job's schedule
  }
  const writes = store.fileWrites - before
  await store.close()
  return writes
}
