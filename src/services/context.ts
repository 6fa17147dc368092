// What every service is handed: the store, the clock and a way to get queued pushes delivered.
import type { Millis } from '../domain/calendar.js'
import type { Store } from '../store/store.js'
import type { Logger } from '../log.js'

export interface ServiceContext {
  store: Store
  now: () => Millis
  /** Called after a change that queued pushes is on disk. */
  deliver: () => void
  log: Logger
}
