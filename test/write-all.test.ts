// Writing the data file's buffers: every byte in order, however few of them each call takes.
import test from 'ava'
import { writeAll } from '../src/store/write-all.js'

/** A file that takes at most `takes()` bytes a call, and never more than 1024 buffers (as writev). */
function shortFile (takes: () => number) {
  const written: Buffer[] = []
  let calls = 0
  return {
    written,
    calls: () => calls,
    handle: {
      writev: async <T extends readonly NodeJS.ArrayBufferView[]>(buffers: T) => {
        calls++
        if (buffers.length > 1024) throw new Error('EINVAL: too many buffers')
        const all = Buffer.concat(buffers as unknown as Buffer[])
        const taken = all.subarray(0, Math.min(all.length, takes()))
        written.push(taken)
        return { bytesWritten: taken.length, buffers }
      },
    },
  }
}

test('every byte arrives in order, through short writes and more buffers than one call takes', async (t) => {
  const buffers = Array.from({ length: 3000 }, (_, k) => Buffer.from(k % 7 === 0 ? '' : `第${k}块,`))
  let n = 0
  const file = shortFile(() => [1, 5, 100_000, 3, 17][n++ % 5]!)
  await writeAll(file.handle, buffers)
  t.is(Buffer.concat(file.written).toString(), Buffer.concat(buffers).toString())
})

test('a file that takes nothing is an error, not a loop', async (t) => {
  const file = shortFile(() => 0)
  await t.throwsAsync(writeAll(file.handle, [Buffer.from('x')]), { message: /took none of the bytes/ })
})

test('whole buffers go in as few calls as the limit allows', async (t) => {
  const file = shortFile(() => Infinity)
  await writeAll(file.handle, Array.from({ length: 2500 }, () => Buffer.from('ab')))
  t.is(file.calls(), 3)
  t.is(Buffer.concat(file.written).length, 5000)
})
