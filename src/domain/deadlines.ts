// Deadlines and waits kept as an absolute time, "the moment it was set + its length", read with a clock
// that may have been set back since (a wrong NTP step, a VM restored from a snapshot, an operator's
// mistake). While the clock only moves forward, such a time lies at most its length after now; one lying
// further out was set before the clock went back, and taken as it stands it would last as long as the
// jump (hours of a confirmable 确认, of a crashed process's claim, of a push's back-off). Pure: the time
// is an argument.
import type { Millis } from './calendar.js'
import { minutes } from './calendar.js'

/**
 * How far a deadline may lie beyond its length before it counts as set before the clock went back: the
 * clocks of processes sharing one database differ a little, and NTP steps a clock by fractions of a
 * second. A jump is hours. Processes sharing one database keep their clocks within this of each other.
 */
export const CLOCK_SLACK: Millis = minutes(1)

/**
 * Later than any stored time (years 0–9999): a deadline index read up to it gives every entry, those whose
 * deadline lies hours ahead only because it was set before the clock went back included.
 */
export const END_OF_TIME: Millis = Date.parse('9999-12-31T23:59:59.999Z')

/** The latest a deadline or wait `length` long, set at or before `now`, can end. */
export function latestEnd (length: Millis, now: Millis): Millis {
  return now + length + CLOCK_SLACK
}

/** The deadline, set `length` after some moment, lies further than that after `now`: the clock went back since. */
function setBeforeClockWentBack (deadline: Millis, length: Millis, now: Millis): boolean {
  return deadline > latestEnd(length, now)
}

/**
 * A short answer window (a dialog step, a login confirmation, an approval request) is still open at `now`.
 * One set before the clock went back has lapsed: the person asks again, rather than having the jump's
 * hours to confirm.
 */
export function windowOpen (deadline: Millis, length: Millis, now: Millis): boolean {
  return deadline > now && !setBeforeClockWentBack(deadline, length, now)
}

/**
 * A wait at most `length` long (a claim's lease, a retry's back-off) is over at `now`. One set before the
 * clock went back is over too: what waited is due now, not once the clock has caught up.
 */
export function waitOver (end: Millis, length: Millis, now: Millis): boolean {
  return end <= now || setBeforeClockWentBack(end, length, now)
}
