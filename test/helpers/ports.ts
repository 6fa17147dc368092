// Loopback ports for tests that run servers (or need a port nothing listens on).
import { createServer } from 'node:net'

/** A port nobody listens on right now (the kernel picks it). */
export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')))
    })
  })
}
