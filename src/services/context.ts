// What every service is handed: the store, the clock and a way to get queued pushes delivered.
import type { Millis } from '../domain/calendar.js'
import type { StoreEngine } from '../store/contract.js'
import type { Logger } from '../log.js'

/** What became of one push tried at once. */
export type Delivery =
  | { sent: true }
  | { sent: false, reason: 'no-contact' | 'offline' | 'busy' | 'failed', error?: string }

export interface ServiceContext {
  /** The store contract: every decision reads and writes in one `engine.transaction`. */
  engine: StoreEngine
  now: () => Millis
  /** Called after a change that queued pushes is on disk. */
  deliver: () => void
  /** Tries one queued push now and says whether it reached the recipient. */
  deliverNow: (messageId: string) => Promise<Delivery>
  log: Logger
}
