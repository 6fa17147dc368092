// A wait with a limit: `work` or, after `ms`, a rejection with `message`. The work itself goes on; only the
// waiting stops (a hung send, a job stuck on I/O, a database that does not answer a health check).
export function within<T> (work: Promise<T>, ms: number, message = 'no answer in time'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(message)), ms) })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}
