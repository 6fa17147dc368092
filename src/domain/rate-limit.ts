// A sliding-window limit on how often one person may do something. Pure: the caller keeps the state.
import type { Millis } from './calendar.js'
import { hours } from './calendar.js'
import { waitOver } from './deadlines.js'

export interface WindowLimit {
  max: number
  windowMs: Millis
}

export type LimitDecision =
  | { allowed: true, hits: Millis[] }
  | { allowed: false, hits: Millis[], retryAt: Millis }

/**
 * Given the times of earlier hits, decides on one more at `now` and returns the hits to keep. A hit dated
 * after `now` (the clock was set back) counts as made at `now`: the limit lasts its window, not the jump.
 */
export function takeHit (limit: WindowLimit, earlier: readonly Millis[], now: Millis): LimitDecision {
  const recent: Millis[] = []
  for (const at of earlier) if (Math.min(at, now) > now - limit.windowMs) recent.push(Math.min(at, now))
  if (recent.length >= limit.max) {
    return { allowed: false, hits: recent, retryAt: recent[0]! + limit.windowMs }
  }
  return { allowed: true, hits: [...recent, now] }
}

/** A token bucket: `perMinute` tokens a minute, holding at most `burst`. */
export interface BucketLimit {
  perMinute: number
  burst: number
}

export interface Bucket {
  tokens: number
  at: Millis
}

/** How many tokens the bucket holds at `now` (none taken). */
export function tokensAt (limit: BucketLimit, bucket: Bucket, now: Millis): number {
  return Math.min(limit.burst, bucket.tokens + Math.max(0, now - bucket.at) * limit.perMinute / 60_000)
}

/**
 * The bucket as it stands at `now`. A clock set back starts it again from `now` with what it holds: kept
 * at the old time, it would refill only once the clock got there again (hours of nothing sent).
 */
export function bucketAt (limit: BucketLimit, bucket: Bucket, now: Millis): Bucket {
  return { tokens: tokensAt(limit, bucket, now), at: now }
}

/** The bucket at `now`, then whether one token could be taken. */
export function takeToken (limit: BucketLimit, bucket: Bucket, now: Millis): { taken: boolean, bucket: Bucket } {
  const current = bucketAt(limit, bucket, now)
  if (current.tokens < 1) return { taken: false, bucket: current }
  return { taken: true, bucket: { tokens: current.tokens - 1, at: now } }
}

/** The longest back-off before a retry. */
export const LONGEST_RETRY_DELAY: Millis = hours(1)

/**
 * A delivery (a push, a webhook event) is due for an attempt: never tried, or its back-off is over at
 * `now`. A back-off ending more than LONGEST_RETRY_DELAY after now was set before the clock went back:
 * over (domain/deadlines.ts), so a failed push waits at most an hour, not the jump.
 */
export function attemptDue (delivery: { nextAttemptAt?: string | undefined }, now: Millis): boolean {
  return delivery.nextAttemptAt === undefined || waitOver(Date.parse(delivery.nextAttemptAt), LONGEST_RETRY_DELAY, now)
}

/** Wait before retry `attempt` (1-based): one minute, doubling, at most LONGEST_RETRY_DELAY. */
export function retryDelay (attempt: number): Millis {
  return Math.min(60_000 * 2 ** Math.max(0, attempt - 1), LONGEST_RETRY_DELAY)
}
