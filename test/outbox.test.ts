// Pushes through the outbox: retry with back-off, give-up, the send rate, logout and restart.
import test from 'ava'
import { hours, minutes } from '../src/domain/calendar.js'
import { startWorld, worldFor } from './fixture.js'
import type { World } from './fixture.js'

interface SendablePuppet { messageSendText: (conversationId: string, text: string) => Promise<string | void> }
const puppetOf = (w: World): SendablePuppet => (w.mocker as unknown as { puppet: SendablePuppet }).puppet

/** Makes the chat refuse texts to `contactId` until the returned function is called. */
function refuseSendsTo (w: World, contactId: string): () => void {
  const puppet = puppetOf(w)
  const send = puppet.messageSendText.bind(puppet)
  puppet.messageSendText = async (conversationId, text) => {
    if (conversationId === contactId) throw new Error('network unreachable')
    return send(conversationId, text)
  }
  return () => { puppet.messageSendText = send }
}

/** 李强 removes 张伟 from 城西社区报: one notice to 张伟. */
async function removeZhangWei (w: World): Promise<void> {
  await w.ask('u_liqiang', '解绑运营者 zhangwei_ops')
  await w.ask('u_liqiang', '确认')
  await w.settled()
}
const notice = '「城西社区报」的管理员 李强 已于'

test('a push that fails is retried after a back-off and delivered once', async (t) => {
  const w = await worldFor(t)
  const restore = refuseSendsTo(w, w.contact('u_zhangwei').id)
  await removeZhangWei(w)
  const [message] = (await w.db.unsentMessages())
  t.like(message, { toUserId: 'u_zhangwei', attempts: 1, lastError: 'network unreachable', nextAttemptAt: '2026-11-21T02:01:00.000Z' })
  restore()
  await w.assistant.jobs.outbox(w.clock.at)
  t.deepEqual(w.inbox('u_zhangwei'), [], 'not before the back-off')
  w.clock.advance(minutes(1))
  await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  t.is(w.inbox('u_zhangwei').filter((text) => text.startsWith(notice)).length, 1)
  t.truthy((await w.db.message(message!.id))!.sentAt)
})

test('a failed push is retried within its back-off after the clock is set back by hours, not once the clock has caught up', async (t) => {
  const w = await worldFor(t)
  const restore = refuseSendsTo(w, w.contact('u_zhangwei').id)
  await removeZhangWei(w)
  const [message] = (await w.db.unsentMessages())
  t.like(message, { attempts: 1, nextAttemptAt: '2026-11-21T02:01:00.000Z' })
  restore()
  w.clock.advance(-hours(3)) // the machine's clock corrected by three hours
  t.is((await w.db.outboxBacklog(w.clock.at)).due, 1, 'the health check counts it as due')
  await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  t.is(w.inbox('u_zhangwei').filter((text) => text.startsWith(notice)).length, 1)
  t.truthy((await w.db.message(message!.id))!.sentAt)
})

test('after the last attempt a push is given up on and the account\'s admin is told what did not arrive', async (t) => {
  const w = await worldFor(t, { plugin: { outbox: { rate: { perMinute: 60, burst: 20 }, maxAttempts: 3 } } })
  refuseSendsTo(w, w.contact('u_zhangwei').id)
  await removeZhangWei(w)
  for (const wait of [1, 2]) {
    w.clock.advance(minutes(wait))
    await w.assistant.jobs.outbox(w.clock.at)
    await w.settled()
  }
  const message = (await w.db.document()).outbox.find((m) => m.toUserId === 'u_zhangwei')!
  t.like(message, { attempts: 3, failedAt: '2026-11-21T02:03:00.000Z' })
  const told = w.inbox('u_liqiang').find((text) => text.startsWith('一条发给 张伟 的「城西社区报」通知多次发送失败,已停止重试(network unreachable)'))
  t.truthy(told, w.inbox('u_liqiang').join('\n'))
  t.true(told!.includes(notice))
  w.clock.advance(minutes(60))
  await w.assistant.jobs.outbox(w.clock.at)
  t.is((await w.db.document()).outbox.find((m) => m.toUserId === 'u_zhangwei')!.attempts, 3, 'no attempt after giving up')
})

test('a burst of 500 notices drains at the send rate with none dropped or doubled', async (t) => {
  const w = await worldFor(t, { plugin: { outbox: { rate: { perMinute: 60, burst: 20 }, maxAttempts: 8 } } })
  await w.db.change(async (tx) => {
    for (let i = 0; i < 500; i++) await tx.enqueue({ toUserId: 'u_zhangwei', text: `通知 ${i}`, createdAt: '2026-11-21T02:00:00.000Z', accountId: 'acc_news' })
  })
  // the outbox job runs every 10 seconds
  const delivered: number[] = []
  for (let step = 0; delivered.at(-1) !== 500 && step < 100; step++) {
    await w.assistant.jobs.outbox(w.clock.at)
    await w.settled()
    delivered.push(w.inbox('u_zhangwei').length)
    w.clock.advance(10_000)
  }
  t.deepEqual(delivered.slice(0, 4), [20, 30, 40, 50], 'the burst, then 60 a minute')
  t.true(delivered.every((n, i) => i === 0 || n - delivered[i - 1]! <= 10), 'never faster than the rate')
  t.is(delivered.length, 49)
  t.is(delivered.at(-1), 500)
  t.is(new Set(w.inbox('u_zhangwei')).size, 500, 'each once')
  t.is((await w.db.unsentMessages()).length, 0)
})

test('while logged out nothing is sent; after login the waiting pushes go out', async (t) => {
  const w = await worldFor(t)
  const loggedOut = new Promise((resolve) => w.bot.once('logout', resolve))
  await w.bot.logout()
  await loggedOut
  await w.db.change((tx) => tx.enqueue({ toUserId: 'u_zhangwei', text: '离线时排队的通知', createdAt: '2026-11-21T02:00:00.000Z', accountId: 'acc_news' }))
  await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  t.deepEqual(w.inbox('u_zhangwei'), [])
  t.is((await w.db.unsentMessages())[0]!.attempts, 0, 'not even tried')
  const loggedIn = new Promise((resolve) => w.bot.once('login', resolve))
  w.mocker.login(w.botContact)
  await loggedIn
  await w.settled()
  t.deepEqual(w.inbox('u_zhangwei'), ['离线时排队的通知'])
})

test('pushes pending at a restart are sent after it, and ones already sent are not sent again', async (t) => {
  const first = await startWorld()
  await first.ask('u_zhangwei', '绑定查询 13800138000')
  await first.ask('u_zhangwei', '解绑 1')
  await first.ask('u_zhangwei', '确认')
  await first.settled()
  t.is(first.inbox('u_wangfang').length, 1, 'the admin got the unbind notice')
  refuseSendsTo(first, first.contact('u_zhangwei').id)
  await removeZhangWei(first)
  await first.stop()

  const second = await worldFor(t, { storage: first.storage, clock: first.clock })
  second.clock.advance(minutes(1))
  await second.assistant.jobs.outbox(second.clock.at)
  await second.settled()
  t.is(second.inbox('u_zhangwei').filter((text) => text.startsWith(notice)).length, 1, 'the pending notice arrives after the restart')
  t.deepEqual(second.inbox('u_wangfang'), [], 'the unbind notice is not sent twice')
})

test('a push the delivery pass under way has claimed is sent by it, not reported busy to the one who asked for it now', async (t) => {
  const w = await worldFor(t)
  const queued = await w.db.change(async (tx) => {
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await tx.enqueue({ toUserId: 'u_zhangwei', text: `通知 ${i}`, createdAt: '2026-11-21T02:00:00.000Z', accountId: 'acc_news' })).id)
    return ids
  })
  const pass = w.assistant.jobs.outbox(w.clock.at) // claims all three, sends them one after another
  const asked = await w.assistant.outbox.deliverNow(queued[2]!)
  await pass
  t.deepEqual(asked, { sent: true })
  await w.settled()
  t.deepEqual(w.inbox('u_zhangwei'), ['通知 0', '通知 1', '通知 2'], 'each once')
})

test('after the clock is set back by hours, pushes still go out at the send rate, not hours later', async (t) => {
  const w = await worldFor(t, { plugin: { outbox: { rate: { perMinute: 60, burst: 20 }, maxAttempts: 8 } } })
  await w.db.change(async (tx) => {
    for (let i = 0; i < 40; i++) await tx.enqueue({ toUserId: 'u_zhangwei', text: `通知 ${i}`, createdAt: '2026-11-21T02:00:00.000Z', accountId: 'acc_news' })
  })
  await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  t.is(w.inbox('u_zhangwei').length, 20, 'the burst')
  w.clock.advance(-3 * 3_600_000) // the machine's clock corrected by three hours
  for (let step = 0; step < 4; step++) {
    w.clock.advance(10_000)
    await w.assistant.jobs.outbox(w.clock.at)
    await w.settled()
  }
  t.is(w.inbox('u_zhangwei').length, 40, 'the rest within 40 seconds of the corrected clock')
})

test('a send the chat never answers is given up on after the send time-out: pushes to everyone else still go out', async (t) => {
  const w = await worldFor(t, { plugin: { outbox: { rate: { perMinute: 60, burst: 20 }, maxAttempts: 8, sendTimeoutMs: 50 } } })
  const puppet = puppetOf(w)
  const send = puppet.messageSendText.bind(puppet)
  const stuck = w.contact('u_zhangwei').id
  // A chat connection that hangs for this one recipient: the send neither succeeds nor fails.
  puppet.messageSendText = async (conversationId, text) => conversationId === stuck ? new Promise(() => undefined) : send(conversationId, text)
  await w.db.change(async (tx) => {
    await tx.enqueue({ toUserId: 'u_zhangwei', text: '发给张伟的通知', createdAt: '2026-11-21T02:00:00.000Z', accountId: 'acc_news' })
    await tx.enqueue({ toUserId: 'u_wangfang', text: '发给王芳的通知', createdAt: '2026-11-21T02:00:00.000Z', accountId: 'acc_news' })
  })
  const ceiling = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5_000))
  t.not(await Promise.race([w.assistant.jobs.outbox(w.clock.at), ceiling]), 'hung', 'the delivery pass ends')
  await w.settled()
  t.deepEqual(w.inbox('u_wangfang'), ['发给王芳的通知'])
  const [waiting] = await w.db.unsentMessages()
  t.like(waiting, { toUserId: 'u_zhangwei', attempts: 1, lastError: 'no answer from the chat within 0.05 s', nextAttemptAt: '2026-11-21T02:01:00.000Z' })
  puppet.messageSendText = send
})
