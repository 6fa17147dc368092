// The pure rules of 风险操作提醒 that does not flood (domain/alerts.ts), table-driven.
import test from 'ava'
import { digestDueAt, routeAlert, summarise, topicOf } from '../src/domain/alerts.js'
import type { AlertChoices, AlertFacts, AlertRoute } from '../src/domain/alerts.js'
import type { Decision, Operation } from '../src/domain/permissions.js'
import type { Role } from '../src/domain/roles.js'

const allowed: Decision = { kind: 'allowed' }
const pending: Decision = { kind: 'pending' }
const notPermitted: Decision = { kind: 'denied', reason: 'role-not-permitted' }
const notBound: Decision = { kind: 'denied', reason: 'not-bound' }
const expired: Decision = { kind: 'denied', reason: 'binding-expired' }
const DIGEST_ALL: AlertChoices = { login: 'digest', massSend: 'digest', serverConfig: 'digest', appSecret: 'digest' }
const OFF_ALL: AlertChoices = { login: 'off', massSend: 'off', serverConfig: 'off', appSecret: 'off' }

const cases: Array<[string, boolean, AlertChoices | undefined, Operation, Role | undefined, Decision, AlertRoute]> = [
  // the master switch off: nothing, whatever else
  ['master off, allowed', false, undefined, 'login', 'long', allowed, { route: 'none', why: 'alerts-off' }],
  ['master off, denied', false, undefined, 'login', undefined, notBound, { route: 'none', why: 'alerts-off' }],
  // no choices (every account before this): at once, as before
  ['no choices, long-term login', true, undefined, 'login', 'long', allowed, { route: 'immediate', why: 'chosen' }],
  ['no choices, short-term mass send', true, {}, 'mass-send', 'short', allowed, { route: 'immediate', why: 'chosen' }],
  // the admin's own operations and requests waiting for the admin are not alerts
  ['the admin\'s own login', true, undefined, 'login', 'admin', allowed, { route: 'none', why: 'own-operation' }],
  ['the admin\'s own rename', true, undefined, 'rename-account', 'admin', pending, { route: 'none', why: 'own-operation' }],
  ['waits for approval', true, undefined, 'login', 'long', pending, { route: 'none', why: 'waits-for-admin' }],
  // as chosen per kind
  ['login in the digest', true, { login: 'digest' }, 'login', 'long', allowed, { route: 'digest', why: 'chosen' }],
  ['mass send off', true, { massSend: 'off' }, 'mass-send', 'short', allowed, { route: 'none', why: 'chosen-off' }],
  ['login digest leaves mass send at once', true, { login: 'digest' }, 'mass-send', 'long', allowed, { route: 'immediate', why: 'chosen' }],
  ['explicitly at once', true, { login: 'immediate' }, 'login', 'short', allowed, { route: 'immediate', why: 'chosen' }],
  // denied attempts and people not bound: always at once
  ['operator trying AppSecret, digest chosen', true, DIGEST_ALL, 'view-appsecret', 'long', notPermitted, { route: 'immediate', why: 'denied' }],
  ['operator trying server config, off chosen', true, OFF_ALL, 'modify-server-config', 'short', notPermitted, { route: 'immediate', why: 'denied' }],
  ['someone not bound logging in, off chosen', true, OFF_ALL, 'login', undefined, notBound, { route: 'immediate', why: 'not-bound' }],
  ['a lapsed short-term operator, digest chosen', true, DIGEST_ALL, 'mass-send', undefined, expired, { route: 'immediate', why: 'not-bound' }],
]

for (const [name, alertsOn, choices, operation, role, decision, expected] of cases) {
  test(`alert route: ${name}`, (t) => {
    const facts: AlertFacts = { alertsOn, choices, operation, role, decision }
    t.deepEqual(routeAlert(facts), expected)
  })
}

test('修改 and 查看 AppSecret are one kind; rename and delete have none', (t) => {
  t.is(topicOf('reset-appsecret'), 'appSecret')
  t.is(topicOf('view-appsecret'), 'appSecret')
  t.is(topicOf('modify-server-config'), 'serverConfig')
  t.is(topicOf('rename-account'), undefined)
  t.is(topicOf('delete-article'), undefined)
})

const SH = (local: string): number => Date.parse(`${local}+08:00`)
const dueCases: Array<[string, string]> = [
  ['2026-11-22T08:00:00.000', '2026-11-22T08:00:00.000'],
  ['2026-11-22T07:59:59.999', '2026-11-21T08:00:00.000'],
  ['2026-11-22T08:00:00.001', '2026-11-22T08:00:00.000'],
  ['2026-11-22T23:59:00.000', '2026-11-22T08:00:00.000'],
  ['2026-11-23T00:30:00.000', '2026-11-22T08:00:00.000'], // after midnight, before 08:00: still yesterday's
  ['2026-03-01T09:00:00.000', '2026-03-01T08:00:00.000'],
  ['2028-02-29T07:00:00.000', '2028-02-28T08:00:00.000'],
]
for (const [now, due] of dueCases) {
  test(`the digest due at ${now} Shanghai covers what came before ${due}`, (t) => {
    t.is(digestDueAt(SH(now)), SH(due))
  })
}

test('a digest counts per person and operation, in order of first appearance, and caps its lines', (t) => {
  const entries = [
    { personKey: 'a', person: 'A', operation: 'login' as const, at: 1 },
    { personKey: 'b', person: 'B', operation: 'mass-send' as const, at: 2 },
    { personKey: 'a', person: 'A', operation: 'mass-send' as const, at: 3 },
    { personKey: 'a', person: 'A', operation: 'login' as const, at: 4 },
    { personKey: 'c', person: 'C', operation: 'login' as const, at: 5 },
  ]
  t.deepEqual(summarise(entries, 10), {
    total: 5,
    more: 0,
    lines: [
      { person: 'A', counts: [{ operation: 'login', count: 2 }, { operation: 'mass-send', count: 1 }], total: 3, last: 4 },
      { person: 'B', counts: [{ operation: 'mass-send', count: 1 }], total: 1, last: 2 },
      { person: 'C', counts: [{ operation: 'login', count: 1 }], total: 1, last: 5 },
    ],
  })
  const capped = summarise(entries, 2)
  t.is(capped.lines.length, 2)
  t.is(capped.more, 1)
  t.is(capped.total, 5)
  t.deepEqual(summarise([], 10), { lines: [], more: 0, total: 0 })
  // a person key that is a word of Object.prototype is just a key
  t.is(summarise([{ personKey: '__proto__', person: 'X', operation: 'login', at: 1 }], 10).lines.length, 1)
})
