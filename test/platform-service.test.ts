// What a monitor and an integrator get from the platform API besides its routes' work: the health check,
// the OpenAPI description of every route, one masked log line a request, and a user read back masked.
import test from 'ava'
import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'
import { ROUTES } from '../src/platform/api.js'
import { openApiDocument } from '../src/platform/openapi.js'
import { HealthService } from '../src/services/health.js'
import type { ServiceContext } from '../src/services/context.js'
import type { StoreEngine } from '../src/store/contract.js'
import type { Logger } from '../src/log.js'
import { api, TOKEN } from './api-fixture.js'
import { embeddedOnly } from './fixture.js'

test('healthz: 200 without a token when the store answers and the bot is logged in, with the outbox backlog', async (t) => {
  const { call } = await api(t)
  for (const token of [null, 'wrong-token', TOKEN]) {
    const { status, json } = await call('GET', '/healthz', undefined, token)
    t.is(status, 200, String(token))
    t.deepEqual(json, { status: 'ok', store: 'ok', bot: 'logged-in', outbox: { due: 0, oldestQueuedAt: null }, webhook: null, problems: [] })
  }
})

test('healthz: 503 while the bot is logged out, saying so, with the pushes that wait meanwhile', async (t) => {
  const { w, call } = await api(t)
  const loggedOut = new Promise((resolve) => w.bot.once('logout', resolve))
  await w.bot.logout()
  await loggedOut
  await call('PATCH', '/v1/accounts/acc_news', { name: '城西新报' }) // the admin is told: a push that now waits
  const { status, json } = await call('GET', '/healthz', undefined, null)
  t.is(status, 503)
  t.like(json, { status: 'unhealthy', store: 'ok', bot: 'logged-out', outbox: { due: 1, oldestQueuedAt: '2026-11-21T02:00:00.000Z' } })
  t.deepEqual((json.problems as Array<{ kind: string }>).map((p) => p.kind), ['logged-out'])
  t.regex(String((json.problems as Array<{ message: string }>)[0]!.message), /not logged in to WeChat/)

  const loggedIn = new Promise((resolve) => w.bot.once('login', resolve))
  w.mocker.login(w.botContact)
  await loggedIn
  await w.settled()
  t.like((await call('GET', '/healthz')).json, { status: 'ok', outbox: { due: 0 } }, 'logged in again, the push went out')
})

embeddedOnly('healthz: 503 when the data file cannot be written, while every other route refuses with 503 unavailable', async (t) => {
  const { w, call } = await api(t)
  await rm(dirname(w.dataFile), { recursive: true, force: true })
  t.is((await call('PATCH', '/v1/accounts/acc_news', { name: '城西新报' })).status, 503)
  const { status, json } = await call('GET', '/healthz', undefined, null)
  t.is(status, 503)
  t.like(json, { status: 'unhealthy', store: 'failed', bot: 'logged-in' })
  t.regex(String((json.problems as Array<{ message: string }>)[0]!.message), /Restart the assistant/)
  t.false(JSON.stringify(json).includes(w.dataFile), 'an open route does not say where the data lives')
  t.is((await call('GET', '/v1/accounts')).status, 503)
  t.is((await call('GET', '/openapi.json', undefined, null)).status, 200, 'the description still answers')
})

test('health: a store that does not answer in time is unreachable', async (t) => {
  const never = new Promise<never>(() => undefined)
  const engine = { failure: () => undefined, outboxBacklog: () => never } as unknown as StoreEngine
  const health = new HealthService({ engine, now: () => 0 } as unknown as ServiceContext, () => true, 5)
  t.deepEqual(await health.check(), { problems: ['store-unreachable'], loggedIn: true, backlog: undefined, webhook: undefined })
})

test('openapi.json: open, and describes every route the API answers with its path, query, body and answers', async (t) => {
  const { call } = await api(t)
  const { status, json: doc } = await call('GET', '/openapi.json', undefined, null)
  t.is(status, 200)
  t.is(doc.openapi, '3.1.0')
  t.deepEqual(doc, openApiDocument(ROUTES), 'the last mask changed nothing in it')
  const paths = doc.paths as Record<string, Record<string, { parameters: Array<{ name: string, in: string }>, requestBody?: { content: Record<string, { schema: unknown }> }, responses: Record<string, unknown>, security?: unknown[] }>>
  const described = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
  const declared = ROUTES.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
  t.deepEqual(described.sort(), [...declared].sort())
  for (const expected of ['POST /v1/accounts', 'GET /v1/accounts', 'GET /v1/accounts/{account}', 'PATCH /v1/accounts/{account}',
    'GET /v1/accounts/{account}/operators', 'GET /v1/accounts/{account}/invitations', 'GET /v1/accounts/{account}/history',
    'GET /v1/users/{wechatId}', 'GET /healthz', 'GET /openapi.json', 'POST /v1/operations', 'POST /v1/users']) {
    t.true(described.includes(expected), expected)
  }

  for (const route of ROUTES) {
    const op = paths[route.path.replace(/:(\w+)/g, '{$1}')]![route.method.toLowerCase()]!
    const where = `${route.method} ${route.path}`
    // The body is the very schema that validates it, converted.
    if (route.body) t.deepEqual(op.requestBody!.content['application/json']!.schema, withoutDialect(z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' })), where)
    else t.is(op.requestBody, undefined, where)
    t.truthy(op.responses[String(route.answer.status ?? 200)], where)
    if (!route.open) t.truthy(op.responses['401'], where)
    t.is(route.open === true, Array.isArray(op.security) && op.security.length === 0, where)
    for (const name of Object.keys((route.params as z.ZodObject | undefined)?.shape ?? {})) t.true(op.parameters.some((p) => p.name === name && p.in === 'path'), `${where} ${name}`)
    if (route.query) t.deepEqual(op.parameters.filter((p) => p.in === 'query').map((p) => p.name), Object.keys((route.query as z.ZodObject).shape), where)

    // Every described route is served: with the token, an empty request gets anything but "no such endpoint".
    const answered = await call(route.method, route.path.replace(/:(\w+)/g, 'x_1'), route.body ? {} : undefined)
    t.not(answered.json.error, 'not-found', where)
  }
  const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas
  for (const name of ['Account', 'AccountChanged', 'User', 'UserWithRoles', 'Invitation', 'HistoryEntry', 'Health', 'Error']) t.truthy(schemas[name], name)
  t.false(JSON.stringify(doc).includes('#/$defs/'), 'every reference points into the components')
})

function withoutDialect (schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema
  return rest
}

test('each request is logged once, with its route, status and time, never the token nor the numbers in a path', async (t) => {
  const lines: string[] = []
  const log: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) }
  const { call } = await api(t, {}, log)
  const requests: Array<[string, string, unknown, string | null, RegExp]> = [
    ['GET', '/v1/users/zhangwei_ops', undefined, TOKEN, /^platform API GET \/v1\/users\/:wechatId → 200 in \d+\.\d ms$/],
    ['GET', '/v1/users/13800138000', undefined, TOKEN, /^platform API GET \/v1\/users\/:wechatId → 400 in /],
    ['GET', '/v1/users/%31%33%38%30%30%31%33%38%30%30%30/roles', undefined, TOKEN, /^platform API GET \(no such route\) → 404 in /],
    ['PATCH', '/v1/accounts/acc_news', { name: '城西新报' }, 'wrong-token', /^platform API PATCH \/v1\/accounts\/:account → 401 in /],
    ['POST', '/v1/accounts?page=1', { name: '周记咖啡', admin: 'zhouxiao_new' }, TOKEN, /^platform API POST \/v1\/accounts → 201 in /],
    ['GET', '/healthz', undefined, null, /^platform API GET \/healthz → 200 in /],
  ]
  for (const [method, path, body, token, line] of requests) {
    lines.length = 0
    await call(method, path, body, token)
    t.is(lines.length, 1, `${method} ${path}`)
    t.regex(lines[0]!, line)
  }
  t.false(lines.some((l) => l.includes(TOKEN) || l.includes('13800138000') || l.includes('%31')))
})

test('a user read by WeChat ID: phone and ID number masked, the accounts they administer and their active roles; 404 and 400 otherwise', async (t) => {
  const { call } = await api(t)
  const zhaomin = await call('GET', '/v1/users/ZHAOMIN_WORK')
  t.is(zhaomin.status, 200)
  t.like(zhaomin.json, { wechatId: 'zhaomin_work', name: '赵敏', administers: [], accountProtection: true, bankCard: true })
  t.regex(String(zhaomin.json.phone), /^\d{3}\*{4}\d{4}$/)
  t.regex(String(zhaomin.json.idNumber), /^\d{3}\*{11}[\dX]{4}$/)
  const roles = zhaomin.json.operatorOf as Array<{ account: { id: string }, role: string, expiresAt: string | null }>
  t.deepEqual(roles.map((r) => `${r.account.id} ${r.role}`), ['acc_tea long', 'acc_books long', 'acc_ride short', 'acc_bake long', 'acc_photo long'])
  t.truthy(roles[2]!.expiresAt)
  t.like((await call('GET', '/v1/users/wangfang_tea')).json, { administers: [{ id: 'acc_tea', name: '晨光茶馆' }, { id: 'acc_books', name: '青禾书店' }], operatorOf: [] })
  t.deepEqual((await call('GET', '/v1/users/sunli_design')).json.operatorOf, [], 'an expired short-term role is not active, swept or not')
  t.like((await call('GET', '/v1/users/nobody_here')).json, { error: 'unknown-user' })
  const phone = await call('GET', '/v1/users/13800138000')
  t.like(phone.json, { error: 'invalid-path' })
  t.false(JSON.stringify(phone.json).includes('13800138000'), 'the number is not quoted back')
})
