// The platform's webhook: registered through the API, each outcome POSTed to a receiver on loopback that
// checks the signature, retried with back-off by the moved clock, kept across a restart, delivered once by
// two processes on PostgreSQL, and a bad URL refused with the reason.
import test from 'ava'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import { days, minutes, toIso } from '../src/domain/calendar.js'
import { checkSignature, isReachableWebhookAddress } from '../src/domain/webhook.js'
import { postJson, WebhookDelivery } from '../src/outbox/webhook.js'
import { DEFAULT_WEBHOOK_POLICY } from '../src/domain/webhook.js'
import type { Logger } from '../src/log.js'
import { CLAIM_LEASE } from '../src/store/contract.js'
import { announce } from '../src/services/platform-events.js'
import { api } from './api-fixture.js'
import type { Api } from './api-fixture.js'
import { ENGINE, startDatabaseWorld, startWorld } from './fixture.js'
import type { World } from './fixture.js'
import { freePort } from './helpers/ports.js'

const WANGFANG = 'u_wangfang' // admin of 晨光茶馆 (risk protection on) and 青禾书店
const ZHOUXIAO = 'u_zhouxiao' // follows 晨光茶馆, bound to nothing

interface Received { headers: IncomingHttpHeaders, body: string, event: { id: string, type: string, at: string, data: Record<string, unknown> } }

/** An HTTP receiver on loopback: answers each request with the next status of `statuses` (the last one for ever). */
interface Receiver {
  url: string
  received: Received[]
  /** Resolves once `count` requests have arrived in all. */
  arrived: (count: number) => Promise<Received[]>
  close: () => Promise<void>
}

async function receiver (t: { teardown: (fn: () => Promise<void>) => void }, statuses: number[] = [200], port = 0, location?: string): Promise<Receiver> {
  const received: Received[] = []
  const waiters: Array<() => void> = []
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const status = statuses[Math.min(received.length, statuses.length - 1)]!
      received.push({ headers: request.headers, body, event: JSON.parse(body) as Received['event'] })
      response.writeHead(status, location ? { location } : {}).end('ok')
      for (const wake of waiters.splice(0)) wake()
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  const close = async (): Promise<void> => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  t.teardown(close)
  return {
    url: `http://127.0.0.1:${address.port}/hooks/assistant`,
    received,
    arrived: (count) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${received.length} of ${count} requests arrived`)), 10_000)
      const check = (): void => {
        if (received.length >= count) {
          clearTimeout(timer)
          resolve(received)
        } else {
          waiters.push(check)
        }
      }
      check()
    }),
    close,
  }
}

/** Registers the webhook and returns its secret. */
async function register ({ call }: Api, url: string): Promise<string> {
  const { status, json } = await call('PUT', '/v1/webhook', { url })
  if (status !== 201) throw new Error(`${status} ${JSON.stringify(json)}`)
  return json.secret as string
}

/** What a receiver does: the signature checked against the raw body and the receiver's clock. */
function signed (w: World, secret: string, r: Received): boolean {
  return checkSignature(secret, r.headers['x-assistant-signature'] as string, r.body, Math.floor(w.clock.now() / 1000)).ok
}

test('an approval and a refusal are POSTed as signed JSON the receiver can check; a wrong secret or a replay later fails; nothing holds a phone number', async (t) => {
  const platform = await api(t)
  const { w, call, operation } = platform
  const hook = await receiver(t)
  const secret = await register(platform, hook.url)
  t.regex(secret, /^whsec_[A-Za-z]{40}$/)

  const first = await operation('acc_tea', 'zhangwei_ops', 'login')
  const second = await operation('acc_tea', 'zhaomin_work', 'mass-send')
  const firstCode = (await w.db.approval(String(first.id)))!.code
  const secondCode = (await w.db.approval(String(second.id)))!.code
  t.true((await w.ask(WANGFANG, `允许 ${firstCode}`)).includes('允许'))
  w.clock.advance(minutes(1))
  await w.ask(WANGFANG, `拒绝 ${secondCode}`)
  const [approved, refused] = await hook.arrived(2)

  for (const r of [approved!, refused!]) {
    t.true(signed(w, secret, r), 'the signature checks out')
    t.is(r.headers['content-type'], 'application/json; charset=utf-8')
    t.is(r.headers['x-assistant-event-id'], r.event.id)
    t.is(r.headers['x-assistant-event-type'], r.event.type)
    t.false(/1[3-9]\d{9}|\*\*\*\*/.test(r.body), `no phone number, masked or not: ${r.body}`)
  }
  t.deepEqual(approved!.event.data, {
    operationId: first.id, account: 'acc_tea', operation: 'login', actor: 'zhangwei_ops', decidedBy: 'wangfang_tea', decidedAt: toIso(w.clock.now() - minutes(1)),
  })
  t.is(approved!.event.type, 'operation.approved')
  t.like(refused!.event, { type: 'operation.refused', data: { operationId: second.id, actor: 'zhaomin_work', decidedBy: 'wangfang_tea' } })
  t.not(approved!.event.id, refused!.event.id)

  // A receiver checking with another secret, a tampered body or a stale timestamp refuses it.
  t.false(signed(w, `${secret}x`, approved!))
  t.false(checkSignature(secret, approved!.headers['x-assistant-signature'] as string, approved!.body.replace('login', 'mass-send'), Math.floor(w.clock.now() / 1000)).ok)
  t.like(checkSignature(secret, approved!.headers['x-assistant-signature'] as string, approved!.body, Math.floor((w.clock.now() + minutes(10)) / 1000)), { ok: false, reason: 'stale' })

  await w.assistant.webhooks.idle()
  const listed = await call('GET', '/v1/webhook/deliveries')
  t.is(listed.status, 200)
  const items = listed.json.items as Array<Record<string, unknown>>
  t.deepEqual(items.map((i) => [i.type, i.state, i.attempts]), [['operation.refused', 'delivered', 1], ['operation.approved', 'delivered', 1]])
  t.deepEqual(items[1]!.body, approved!.event)
  const shown = await call('GET', '/v1/webhook')
  t.like(shown.json, { url: hook.url, secret: null, deliveries: { pending: 0, due: 0, failed: 0, oldestQueuedAt: null } })
})

test('binding events: an invitation accepted starts one, a removal and an expiry end one, a lapsed request is announced by the sweep', async (t) => {
  const platform = await api(t)
  const { w, operation } = platform
  const hook = await receiver(t)
  const secret = await register(platform, hook.url)

  t.true((await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆')).startsWith('已发出邀请'))
  t.true((await w.ask(ZHOUXIAO, '同意')).startsWith('你已成为「晨光茶馆」的长期运营者'))
  const [started] = await hook.arrived(1)
  const binding = (await w.db.bindingsOfUser(ZHOUXIAO))[0]!
  t.deepEqual(started!.event.data, { binding: binding.id, account: 'acc_tea', wechatId: 'zhouxiao_new', role: 'long', reason: 'invitation-accepted', boundAt: binding.boundAt, expiresAt: null })

  await w.ask(WANGFANG, '解绑运营者 zhouxiao_new 晨光茶馆')
  t.true((await w.ask(WANGFANG, '确认')).startsWith('已解除'))
  const [, removed] = await hook.arrived(2)
  t.like(removed!.event, { type: 'binding.ended', data: { binding: binding.id, wechatId: 'zhouxiao_new', reason: 'removed', endedBy: 'wangfang_tea' } })

  // 张伟's short-term role on 城西社区报 runs out; a login waits on 晨光茶馆 and nobody answers it.
  const pending = await operation('acc_tea', 'zhangwei_ops', 'login')
  const expiresAt = (await w.db.binding('b_zw_news'))!.expiresAt!
  w.clock.at = Math.max(Date.parse(expiresAt), w.clock.now() + minutes(11)) + minutes(1)
  await w.assistant.jobs.expirySweep(w.clock.now())
  // Two short-term roles ran out meanwhile: 张伟's on 城西社区报, and another.
  const all = await hook.arrived(5)
  await w.assistant.webhooks.idle()
  const ended = all.slice(2).filter((r) => r.event.type === 'binding.ended').map((r) => r.event)
  t.like(ended.find((e) => e.data.binding === 'b_zw_news'), { at: expiresAt, data: { account: 'acc_news', wechatId: 'zhangwei_ops', reason: 'expired', endedBy: null, role: 'short' } })
  t.is(ended.length, 2)
  t.true(ended.every((e) => e.data.reason === 'expired' && e.data.role === 'short'))
  t.like(all.find((r) => r.event.type === 'operation.lapsed')?.event, { data: { operationId: pending.id, actor: 'zhangwei_ops', operation: 'login' } })
  // Each signed when it was sent (the clock has moved since the first ones).
  t.true(all.every((r) => checkSignature(secret, r.headers['x-assistant-signature'] as string, r.body, Number(/t=(\d+)/.exec(r.headers['x-assistant-signature'] as string)![1])).ok))
  t.is(new Set(all.map((r) => r.event.id)).size, 5, 'each event its own id')
})

test('a receiver that fails, redirects, then answers: tried again after each back-off by the clock, the same event and body each time, the redirect never followed', async (t) => {
  const platform = await api(t)
  const { w, call, operation } = platform
  const elsewhere = await receiver(t)
  const hook = await receiver(t, [500, 302, 200], 0, elsewhere.url)
  const secret = await register(platform, hook.url)
  const asked = await operation('acc_tea', 'zhangwei_ops', 'mass-send')
  await w.ask(WANGFANG, `允许 ${(await w.db.approval(String(asked.id)))!.code}`)
  await hook.arrived(1)
  await w.assistant.webhooks.idle()
  let [item] = (await call('GET', '/v1/webhook/deliveries')).json.items as Array<Record<string, unknown>>
  t.like(item, { state: 'pending', attempts: 1, lastError: 'HTTP 500', nextAttemptAt: toIso(w.clock.now() + minutes(1)) })
  t.like((await call('GET', '/v1/webhook')).json, { deliveries: { pending: 1, due: 0 } })

  // Not before its back-off: a pass now sends nothing.
  await w.assistant.webhooks.deliverDue()
  t.is(hook.received.length, 1)
  w.clock.advance(minutes(1))
  await w.assistant.webhooks.deliverDue()
  t.is(hook.received.length, 2)
  ;[item] = (await call('GET', '/v1/webhook/deliveries')).json.items as Array<Record<string, unknown>>
  t.like(item, { state: 'pending', attempts: 2, nextAttemptAt: toIso(w.clock.now() + minutes(2)) })
  t.regex(String(item!.lastError), /HTTP 302: a redirect, which is never followed/)
  t.is(elsewhere.received.length, 0, 'the redirect was not followed')

  w.clock.advance(minutes(1))
  await w.assistant.webhooks.deliverDue()
  t.is(hook.received.length, 2, 'the second back-off is two minutes')
  w.clock.advance(minutes(1))
  await w.assistant.webhooks.deliverDue()
  t.is(hook.received.length, 3)
  ;[item] = (await call('GET', '/v1/webhook/deliveries')).json.items as Array<Record<string, unknown>>
  t.like(item, { state: 'delivered', attempts: 3, deliveredAt: toIso(w.clock.now()), nextAttemptAt: null })
  const [a, b, c] = hook.received
  t.is(a!.body, b!.body)
  t.is(b!.body, c!.body)
  t.true(signed(w, secret, c!))
  await w.assistant.webhooks.deliverDue()
  t.is(hook.received.length, 3, 'delivered once for good')
})

test('given up after the configured attempts: the health check and the listing show it', async (t) => {
  const platform = await api(t, { plugin: { webhook: { maxAttempts: 2 } } })
  const { w, call, operation } = platform
  const hook = await receiver(t, [503])
  await register(platform, hook.url)
  const asked = await operation('acc_tea', 'zhangwei_ops', 'login')
  await w.ask(WANGFANG, `拒绝 ${(await w.db.approval(String(asked.id)))!.code}`)
  await hook.arrived(1)
  await w.assistant.webhooks.idle()
  w.clock.advance(minutes(1))
  await w.assistant.webhooks.deliverDue()
  t.is(hook.received.length, 2)
  const [item] = (await call('GET', '/v1/webhook/deliveries')).json.items as Array<Record<string, unknown>>
  t.like(item, { state: 'failed', attempts: 2, lastError: 'HTTP 503', failedAt: toIso(w.clock.now()) })
  const health = await call('GET', '/healthz', undefined, null)
  t.is(health.status, 200, 'a failing receiver is not the assistant\'s problem')
  t.like(health.json, { status: 'ok', webhook: { pending: 0, failed: 1, lastFailedAt: toIso(w.clock.now()) } })
  w.clock.advance(days(1))
  await w.assistant.webhooks.deliverDue()
  t.is(hook.received.length, 2, 'never tried again')
  // Retention keeps it listed for 30 days, then drops it.
  w.clock.advance(days(30))
  await w.assistant.jobs.retention(w.clock.now())
  t.deepEqual((await call('GET', '/v1/webhook/deliveries')).json.items, [])
})

test('an event queued while the receiver is down is delivered after a restart, as it was queued', async (t) => {
  const port = await freePort() // nothing listens yet
  const first = await startWorld()
  let running: World | undefined = first
  t.teardown(async () => { await running?.stop() })
  const url = `http://127.0.0.1:${port}/hook`
  const { secret } = await first.assistant.platform.webhook.register(url, false) as { secret: string }
  const approval = await first.assistant.platform.operations.request('acc_tea', 'zhangwei_ops', 'login')
  await first.ask(WANGFANG, `允许 ${(await first.db.approval((approval as { id: string }).id))!.code}`)
  await first.assistant.webhooks.idle()
  const [queued] = await first.db.webhookEvents(10)
  t.like(queued, { type: 'operation.approved', attempts: 1 })
  t.truthy(queued!.nextAttemptAt)
  t.regex(queued!.lastError!, /ECONNREFUSED/)
  await first.stop()
  running = undefined

  const hook = await receiver(t, [200], port)
  first.clock.advance(minutes(2))
  running = await startWorld({ storage: first.storage, clock: first.clock })
  await running.assistant.jobs.webhook(running.clock.now()) // what the schedule does, and its catch-up at start
  const [delivered] = await hook.arrived(1)
  t.is(delivered!.body, queued!.body, 'the same event, word for word')
  t.true(signed(running, secret, delivered!))
  await running.assistant.webhooks.idle()
  t.truthy((await running.db.webhookEvents(1))[0]!.deliveredAt)
})

test('the clock jumps forward under a batch to near the end of its claims: the rest waits for its claims to end instead of being sent while another deliverer takes it, and each event goes out once', async (t) => {
  const platform = await api(t)
  const w = platform.w
  const received: string[] = []
  let firstPass = true
  const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined }
  // A second deliverer on the same store: another process, whose claims are the store's.
  const other = new WebhookDelivery(w.assistant.engine, () => w.clock.now(), quiet, DEFAULT_WEBHOOK_POLICY)
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push((JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['event']).data.login as string)
      // The first event's answer comes after an NTP step of the lease less two seconds; the second event's
      // takes five seconds, while the other deliverer runs.
      const answer = async (): Promise<void> => {
        if (received.length === 1) w.clock.advance(CLAIM_LEASE - 2_000)
        else if (received.length === 2 && firstPass) {
          w.clock.advance(5_000)
          await other.deliverDue()
        }
        response.writeHead(200).end('ok')
      }
      void answer()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  await register(platform, `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`)
  const at = toIso(w.clock.now())
  await w.db.change(async (tx) => {
    for (let i = 0; i < 3; i++) {
      await announce(tx, { type: 'login.confirmed', at, data: { login: `login_${i}`, account: 'acc_tea', wechatId: 'zhangwei_ops', confirmedAt: at, result: 'allowed', reason: null, operationId: null } })
    }
  })
  await w.assistant.webhooks.deliverDue()
  firstPass = false
  t.deepEqual(received, ['login_0'], 'the rest waits: its claims end in two seconds, less than an attempt may take')
  w.clock.advance(3_000) // the next runs of the job, the claims over
  await Promise.all([other.deliverDue(), w.assistant.webhooks.deliverDue()])
  await Promise.all([other.deliverDue(), w.assistant.webhooks.deliverDue()])
  t.deepEqual([...received].sort(), ['login_0', 'login_1', 'login_2'], `each once: ${received.join(', ')}`)
})

const onPostgres = ENGINE === 'postgres' ? test : test.skip
onPostgres('two processes on one database deliver each event once', async (t) => {
  const platform = await api(t)
  const one = platform.w
  const hook = await receiver(t)
  const secret = await register(platform, hook.url)
  const two = await startDatabaseWorld({ database: (one.storage as { database: { url: string } }).database, clock: one.clock })
  t.teardown(two.stop)
  // Events queued behind both processes' backs (as the login flow will queue them: announce in its transaction).
  const at = toIso(one.clock.now())
  await one.db.change(async (tx) => {
    for (let i = 0; i < 30; i++) {
      await announce(tx, { type: 'login.confirmed', at, data: { login: `login_${i}`, account: 'acc_tea', wechatId: 'zhangwei_ops', confirmedAt: at, result: 'allowed', reason: null, operationId: null } })
    }
  })
  await Promise.all([one.assistant.webhooks.deliverDue(), two.assistant.webhooks.deliverDue()])
  await hook.arrived(30)
  await Promise.all([one.assistant.webhooks.deliverDue(), two.assistant.webhooks.deliverDue()])
  t.is(hook.received.length, 30, 'none twice')
  t.deepEqual(hook.received.map((r) => r.event.data.login).sort(), Array.from({ length: 30 }, (_, i) => `login_${i}`).sort())
  t.true(hook.received.every((r) => signed(one, secret, r)))
  t.like(await one.db.webhookBacklog(one.clock.now()), { pending: 0, failed: 0 })
})

test('a bad URL is refused with the reason; no webhook, no events; a new secret only when asked; DELETE drops what waits', async (t) => {
  const platform = await api(t)
  const { w, call, operation } = platform
  t.like((await call('GET', '/v1/webhook')).json, { error: 'no-webhook' })
  for (const [url, reason] of [
    ['ftp://platform.example/hook', /only http:\/\/ and https:\/\/ URLs/],
    ['https://user:pw@platform.example/hook', /no user name or password/],
    ['platform.example/hook', /not an absolute URL/],
    ['https://platform.example/hook#x', /#fragment/],
    ['https://platform.example/ho ok', /not an absolute URL/],
    [`https://platform.example/${'a'.repeat(2100)}`, /longer than 2048/],
  ] as const) {
    const { status, json } = await call('PUT', '/v1/webhook', { url })
    t.is(status, 400, url)
    t.is(json.error, 'bad-webhook-url')
    t.regex(String(json.message), reason)
  }
  t.like((await call('PUT', '/v1/webhook', { url: 'https://platform.example/hook', extra: 1 })).json, { error: 'invalid-body' })
  t.is((await call('PUT', '/v1/webhook', { url: 'https://platform.example/hook' }, 'wrong-token')).status, 401)

  // Without a webhook nothing is queued.
  const asked = await operation('acc_tea', 'zhangwei_ops', 'login')
  await w.ask(WANGFANG, `允许 ${(await w.db.approval(String(asked.id)))!.code}`)
  t.deepEqual(await w.db.webhookEvents(10), [])

  const port = await freePort()
  const secret = await register(platform, `http://127.0.0.1:${port}/hook`)
  const moved = await call('PUT', '/v1/webhook', { url: `http://127.0.0.1:${port}/other` })
  t.is(moved.status, 200)
  t.like(moved.json, { secret: null, url: `http://127.0.0.1:${port}/other` })
  t.is((await w.db.webhook())!.secret, secret, 'the secret stays')
  const rotated = await call('PUT', '/v1/webhook', { url: `http://127.0.0.1:${port}/other`, rotateSecret: true })
  t.not(rotated.json.secret, secret)
  t.is((await w.db.webhook())!.secret, rotated.json.secret as string)

  const again = await operation('acc_tea', 'zhangwei_ops', 'login')
  await w.ask(WANGFANG, `拒绝 ${(await w.db.approval(String(again.id)))!.code}`)
  await w.assistant.webhooks.idle()
  t.is((await w.db.webhookEvents(10)).length, 1)
  t.like((await call('DELETE', '/v1/webhook')).json, { removed: true, droppedEvents: 1 })
  t.deepEqual(await w.db.webhookEvents(10), [])
  t.is((await call('DELETE', '/v1/webhook')).status, 404)
})

test('a handover ends the new admin\'s operator role: announced as handed-over, and the request they asked as operator as closed', async (t) => {
  const platform = await api(t)
  const { w, call, operation } = platform
  const hook = await receiver(t)
  await register(platform, hook.url)
  const asked = await operation('acc_tea', 'zhangwei_ops', 'login')
  t.is((await call('PATCH', '/v1/accounts/acc_tea', { admin: 'zhangwei_ops' })).status, 200)
  const events = (await hook.arrived(2)).map((r) => r.event)
  t.like(events.find((e) => e.type === 'binding.ended'), { data: { binding: 'b_zw_tea', wechatId: 'zhangwei_ops', reason: 'handed-over', endedBy: null } })
  t.like(events.find((e) => e.type === 'operation.closed'), { data: { operationId: asked.id, reason: 'removed' } })
  await w.assistant.webhooks.idle()
})

test('a login confirmed by the person is POSTed with what the rules decided, then the admin\'s 允许 under 风险操作保护', async (t) => {
  const platform = await api(t)
  const { w, call } = platform
  const hook = await receiver(t)
  const secret = await register(platform, hook.url)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  const [push] = await w.inboxOf('u_zhangwei', 1)
  const code = /确认登录 ([A-Z0-9]{5})/.exec(push!)![1]!
  t.true((await w.ask('u_zhangwei', `确认登录 ${code}`)).includes('还要等管理员'))
  const [confirmed] = await hook.arrived(1)
  t.true(signed(w, secret, confirmed!))
  const login = (await w.db.login(id))!
  t.deepEqual(confirmed!.event, {
    id: confirmed!.event.id,
    type: 'login.confirmed',
    at: toIso(w.clock.now()),
    data: { login: id, account: 'acc_tea', wechatId: 'zhangwei_ops', confirmedAt: toIso(w.clock.now()), result: 'pending', reason: null, operationId: login.approvalId },
  })
  const approval = (await w.db.approval(login.approvalId!))!
  await w.ask(WANGFANG, `允许 ${approval.code}`)
  const [, approved] = await hook.arrived(2)
  t.like(approved!.event, { type: 'operation.approved', data: { operationId: approval.id, operation: 'login', actor: 'zhangwei_ops', decidedBy: 'wangfang_tea' } })
})

test('an address a webhook may never reach (cloud metadata, link-local, 0.0.0.0, multicast) is refused when registered and when connecting', async (t) => {
  const { call } = await api(t)
  for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/', 'http://0.0.0.0:22/', 'http://[fe80::1]/']) {
    const { status } = await call('PUT', '/v1/webhook', { url })
    t.is(status, 400, url)
  }
  // What a name resolves to is judged the same way when the attempt connects.
  const cases: Array<[string, boolean]> = [
    ['169.254.169.254', false], ['::ffff:169.254.169.254', false], ['::ffff:a9fe:a9fe', false], ['0.0.0.0', false], ['::', false],
    ['fe80::1', false], ['224.0.0.1', false], ['ff02::1', false], ['255.255.255.255', false],
    ['127.0.0.1', true], ['::1', true], ['10.1.2.3', true], ['192.168.1.10', true], ['203.0.113.7', true], ['2001:db8::1', true], ['not-an-ip', false],
  ]
  for (const [address, reachable] of cases) t.is(isReachableWebhookAddress(address), reachable, address)
  // Alibaba Cloud's metadata service (an assistant for WeChat accounts is often hosted there), and 169.254
  // written inside IPv6: NAT64 (64:ff9b::/96, which a DNS64 resolver hands out), IPv4-compatible, 6to4.
  for (const address of ['100.100.100.200', '64:ff9b::a9fe:a9fe', '64:ff9b::169.254.169.254', '::a9fe:a9fe', '2002:a9fe:a9fe::1']) {
    t.false(isReachableWebhookAddress(address), address)
  }
  t.true(isReachableWebhookAddress('100.100.100.201'), 'the rest of 100.64/10 stays a private network')
  t.is((await call('PUT', '/v1/webhook', { url: 'http://100.100.100.200/latest/meta-data/' })).status, 400)
  await t.throwsAsync(postJson('http://169.254.169.254/hook', '{}', {}, 1000), { message: /may never reach/ })
})

test('a login the person disowned (不是我) is announced as login.rejected', async (t) => {
  const { w, call } = await api(t)
  t.is((await call('PUT', '/v1/webhook', { url: 'http://127.0.0.1:9/hook' })).status, 201)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  const code = /确认登录 ([A-Z0-9]{5})/.exec((await w.inboxOf('u_zhangwei', 1))[0]!)![1]!
  t.true((await w.ask('u_zhangwei', `不是我 ${code}`)).length > 0)
  const events = await w.db.webhookEvents(50)
  t.true(events.some((e) => e.type === 'login.rejected' && e.body.includes(id)), `events: ${events.map((e) => e.type).join(', ')}`)
})

test('a login nobody confirmed in time is announced as login.lapsed when it lapses', async (t) => {
  const { w, call } = await api(t)
  t.is((await call('PUT', '/v1/webhook', { url: 'http://127.0.0.1:9/hook' })).status, 201)
  const id = String((await call('POST', '/v1/logins', { account: 'acc_tea', actor: 'zhangwei_ops' })).json.id)
  w.clock.advance(minutes(6))
  await w.assistant.jobs.expirySweep(w.clock.at)
  t.is((await w.db.login(id))!.status, 'lapsed')
  const events = await w.db.webhookEvents(50)
  t.true(events.some((e) => e.type === 'login.lapsed' && e.body.includes(id)), `events: ${events.map((e) => e.type).join(', ')}`)
})
