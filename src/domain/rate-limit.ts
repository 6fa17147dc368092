// A sliding-window limit on how often one person may do something. Pure: the caller keeps the state.
import type { Millis } from './calendar.js'

export interface WindowLimit {
  max: number
  windowMs: Millis
}

export type LimitDecision =
  | { allowed: true, hits: Millis[] }
  | { allowed: false, hits: Millis[], retryAt: Millis }

/** Given the times of earlier hits, decides on one more at `now` and returns the hits to keep. */
export function takeHit (limit: WindowLimit, earlier: readonly Millis[], now: Millis): LimitDecision {
  const recent = earlier.filter((at) => at > now - limit.windowMs)
  if (recent.length >= limit.max) {
    return { allowed: false, hits: recent, retryAt: recent[0]! + limit.windowMs }
  }
  return { allowed: true, hits: [...recent, now] }
}
