// Writing a list of buffers to a file in order, as few system calls as the platform allows.
import type { FileHandle } from 'node:fs/promises'

/** At most this many buffers per writev call (IOV_MAX is 1024 on Linux). */
const BUFFERS_PER_CALL = 1024

/** Writes the buffers one after another from the handle's position, going on after a short write. */
export async function writeAll (handle: Pick<FileHandle, 'writev'>, buffers: readonly Buffer[]): Promise<void> {
  let next = 0
  let head: Buffer | undefined // what is left of a buffer written in part
  while (head !== undefined || next < buffers.length) {
    const batch = head ? [head] : []
    while (batch.length < BUFFERS_PER_CALL && next < buffers.length) batch.push(buffers[next++]!)
    let { bytesWritten } = await handle.writev(batch)
    if (bytesWritten === 0 && batch.some((b) => b.length > 0)) throw new Error('the file took none of the bytes written to it')
    head = undefined
    for (let i = 0; i < batch.length; i++) {
      if (bytesWritten >= batch[i]!.length) {
        bytesWritten -= batch[i]!.length
        continue
      }
      // Short write: the rest of this buffer first, then the ones after it that the call did not reach.
      head = batch[i]!.subarray(bytesWritten)
      next -= batch.length - i - 1
      break
    }
  }
}
