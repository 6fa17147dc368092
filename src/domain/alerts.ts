// 风险操作提醒 that does not flood: per kind of operation the admin chooses at once, in the daily digest
// (08:00 Asia/Shanghai) or not at all; denied attempts and operations by someone not bound are always at
// once. 风险操作提醒 开|关 stays the master switch. Pure: time is an argument.
import { days, hours, startOfShanghaiDay } from './calendar.js'
import type { Millis } from './calendar.js'
import type { Decision, Operation } from './permissions.js'
import type { Role } from './roles.js'

/** What the admin chooses per kind of operation. Absent (every account before the choice existed) is 'immediate'. */
export const ALERT_MODES = ['immediate', 'digest', 'off'] as const
export type AlertMode = typeof ALERT_MODES[number]

/** The kinds of operation an admin chooses for (修改 and 查看 AppSecret are one). */
export const ALERT_TOPICS = ['login', 'massSend', 'serverConfig', 'appSecret'] as const
export type AlertTopic = typeof ALERT_TOPICS[number]

export type AlertChoices = Partial<Record<AlertTopic, AlertMode>>

const TOPIC_OF: Partial<Record<Operation, AlertTopic>> = {
  login: 'login',
  'mass-send': 'massSend',
  'modify-server-config': 'serverConfig',
  'reset-appsecret': 'appSecret',
  'view-appsecret': 'appSecret',
}

/** The kind of operation an admin's choice covers; rename and delete (always confirmed by the admin) have none. */
export function topicOf (operation: Operation): AlertTopic | undefined {
  return TOPIC_OF[operation]
}

export function modeOf (choices: AlertChoices | undefined, topic: AlertTopic): AlertMode {
  return choices?.[topic] ?? 'immediate'
}

export interface AlertFacts {
  /** 风险操作提醒 (the master switch). */
  alertsOn: boolean
  choices: AlertChoices | undefined
  operation: Operation
  /** The actor's role on the account now; undefined for someone not (or no longer) bound. */
  role: Role | undefined
  decision: Decision
}

/**
 * Where an alert about one operation goes, and the rule that sent it there:
 * nowhere while the master switch is off, for the admin's own operations, and while it waits for the
 * admin (the approval request is the news); at once for a denied attempt or someone not bound, whatever
 * the choice; otherwise as the admin chose for that kind of operation.
 */
export type AlertRoute =
  | { route: 'none', why: 'alerts-off' | 'own-operation' | 'waits-for-admin' | 'chosen-off' }
  | { route: 'immediate', why: 'denied' | 'not-bound' | 'no-choice' | 'chosen' }
  | { route: 'digest', why: 'chosen' }

export function routeAlert (facts: AlertFacts): AlertRoute {
  if (!facts.alertsOn) return { route: 'none', why: 'alerts-off' }
  if (facts.role === 'admin') return { route: 'none', why: 'own-operation' }
  if (facts.decision.kind === 'pending') return { route: 'none', why: 'waits-for-admin' }
  if (facts.role === undefined) return { route: 'immediate', why: 'not-bound' }
  if (facts.decision.kind === 'denied') return { route: 'immediate', why: 'denied' }
  const topic = topicOf(facts.operation)
  if (topic === undefined) return { route: 'immediate', why: 'no-choice' }
  const mode = modeOf(facts.choices, topic)
  if (mode === 'off') return { route: 'none', why: 'chosen-off' }
  return mode === 'digest' ? { route: 'digest', why: 'chosen' } : { route: 'immediate', why: 'chosen' }
}

/** The daily digest goes out at 08:00 Asia/Shanghai (UTC+8, no daylight saving). */
const DIGEST_HOUR_SHANGHAI = 8
/** The scheduler's schedule for it (node-cron runs it in Asia/Shanghai). */
export const DIGEST_CRON = `0 ${DIGEST_HOUR_SHANGHAI} * * *`
/** The most people a digest lists one by one; the rest are counted ("…还有 N 条"). */
export const DIGEST_MAX_LINES = 10

/** The latest 08:00 Shanghai at or before `now`: the digest due now covers everything before it. */
export function digestDueAt (now: Millis): Millis {
  return startOfShanghaiDay(now - hours(DIGEST_HOUR_SHANGHAI)) + hours(DIGEST_HOUR_SHANGHAI)
}

/** The next 08:00 Shanghai after `now` (strictly): when the digest of what happens now goes. */
export function nextDigestAt (now: Millis): Millis {
  return digestDueAt(now) + days(1)
}

/** One line of a digest: a person and how often they did each kind of operation. */
export interface DigestLine<P> {
  person: P
  counts: Array<{ operation: Operation, count: number }>
  total: number
  last: Millis
}

/**
 * Entries grouped per person (in the order each first appears), counted per operation (in the order
 * each first appears for them); at most `maxLines` lines, the rest counted in `more`.
 */
export function summarise<P> (entries: ReadonlyArray<{ personKey: string, person: P, operation: Operation, at: Millis }>, maxLines: number): { lines: Array<DigestLine<P>>, more: number, total: number } {
  const byPerson = new Map<string, DigestLine<P>>()
  for (const entry of entries) {
    let line = byPerson.get(entry.personKey)
    if (!line) byPerson.set(entry.personKey, line = { person: entry.person, counts: [], total: 0, last: entry.at })
    const count = line.counts.find((c) => c.operation === entry.operation)
    if (count) count.count++
    else line.counts.push({ operation: entry.operation, count: 1 })
    line.total++
    line.last = Math.max(line.last, entry.at)
  }
  const all = [...byPerson.values()]
  return { lines: all.slice(0, maxLines), more: Math.max(0, all.length - maxLines), total: entries.length }
}
