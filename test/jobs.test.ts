// The scheduled jobs, run by hand at chosen times; one test runs them through the real schedule.
import test from 'ava'
import cron from 'node-cron'
import { days, minutes } from '../src/domain/calendar.js'
import { runExpirySweep } from '../src/jobs/expiry-sweep.js'
import { Scheduler } from '../src/jobs/scheduler.js'
import type { Logger } from '../src/log.js'
import { startWorld, TestClock, worldFor } from './fixture.js'
import type { World } from './fixture.js'

const expiryOf = async (w: World, bindingId: string): Promise<number> =>
  Date.parse((await w.db.binding(bindingId))!.expiresAt!)
const count = (texts: string[], part: string): number => texts.filter((text) => text.includes(part)).length

test('a short-term binding is expired by the first sweep at or after its expiry, not before; both sides told once', async (t) => {
  const w = await worldFor(t)
  const expiresAt = await expiryOf(w, 'b_zw_news') // 张伟 on 城西社区报, admin 李强
  w.clock.at = expiresAt - minutes(1)
  await w.assistant.jobs.expirySweep(w.clock.at)
  t.is((await w.db.binding('b_zw_news'))!.endedAt, undefined, 'not before')

  w.clock.at = expiresAt + 20_000
  await w.assistant.jobs.expirySweep(w.clock.at)
  t.like((await w.db.binding('b_zw_news')), { endReason: 'expired', endedAt: new Date(expiresAt).toISOString() })
  w.clock.advance(minutes(1))
  await w.assistant.jobs.expirySweep(w.clock.at)
  await w.settled()
  t.is(count(w.inbox('u_zhangwei'), '在「城西社区报」的短期运营者身份已于'), 1)
  t.true(w.inbox('u_zhangwei')[0]!.includes('30 天内可以发送 续期 向管理员 李强 申请'))
  t.is(count(w.inbox('u_liqiang'), '张伟(微信号 zhangwei_ops)在「城西社区报」的短期运营者身份已于'), 1)
  t.true((await w.db.document()).history.some((h) => h.action === 'binding.expired' && h.accountId === 'acc_news'))
})

test('a sweep is one transaction (one file write) however much expired, plus the notices it queues', async (t) => {
  const w = await worldFor(t)
  let transactions = 0
  const engine = { ...w.assistant.engine, transaction: <T>(work: Parameters<typeof w.assistant.engine.transaction<T>>[0]) => { transactions++; return w.assistant.engine.transaction(work) } }
  const deps = { engine, now: w.clock.now, deliver: () => undefined, deliverNow: () => Promise.reject(new Error('unused')), log: silent }
  const writesBefore = w.store?.fileWrites
  const result = await runExpirySweep(deps, w.clock.at + days(40))
  t.deepEqual(result, { bindings: 3, invitations: 1, renewals: 0, approvals: 0, logins: 0, pruned: 0 })
  t.is(transactions, 1)
  if (w.store) t.is(w.store.fileWrites - writesBefore!, 1, 'one file write')
  t.is((await w.db.unsentMessages()).length, 7, 'two notices a binding, one a lapsed invitation')
  t.deepEqual(await runExpirySweep(deps, w.clock.at + days(40)), { bindings: 0, invitations: 0, renewals: 0, approvals: 0, logins: 0, pruned: 0 })
  if (w.store) t.is(w.store.fileWrites - writesBefore!, 1, 'nothing to do: no write')
})

test('reminders go out 3 days and 1 day before expiry, once each, also across a restart', async (t) => {
  const first = await startWorld()
  const expiresAt = await expiryOf(first, 'b_zm_ride') // 赵敏 on 山野骑行 (admin 陈静), about 20 days ahead
  const at = async (w: typeof first, time: number): Promise<void> => {
    w.clock.at = time
    await w.assistant.jobs.reminders(time)
    await w.settled()
  }
  await at(first, expiresAt - days(4))
  t.is(count(first.inbox('u_zhaomin'), '提醒'), 0)
  await at(first, expiresAt - days(3) + minutes(1))
  t.is(count(first.inbox('u_zhaomin'), '提醒:你在「山野骑行」的短期运营者身份将于'), 1)
  t.is(count(first.inbox('u_chenjing'), '提醒:赵敏(微信号 zhaomin_work)在「山野骑行」'), 1)
  await at(first, expiresAt - days(2))
  await first.stop()

  const second = await worldFor(t, { storage: first.storage, clock: first.clock })
  await at(second, expiresAt - days(2) + minutes(5))
  t.is(count(second.inbox('u_zhaomin'), '提醒'), 0, 'the 3-day reminder is not repeated after the restart')
  await at(second, expiresAt - days(1) + minutes(1))
  await at(second, expiresAt - minutes(30))
  t.is(count(second.inbox('u_zhaomin'), '不到 1 天'), 1)
  t.is(count(second.inbox('u_chenjing'), '不到 1 天'), 1)
  t.is(count(second.inbox('u_zhaomin'), '提醒'), 1)
})

test('a reminder still waiting to go out is taken back when the operator unbinds first', async (t) => {
  const w = await worldFor(t)
  // the chat refuses reminders for now: they wait for a retry
  const puppet = (w.mocker as unknown as { puppet: { messageSendText: (to: string, text: string) => Promise<unknown> } }).puppet
  const send = puppet.messageSendText.bind(puppet)
  puppet.messageSendText = async (to, text) => { if (text.startsWith('提醒')) throw new Error('busy'); return send(to, text) }
  await w.assistant.jobs.reminders(w.clock.at) // 张伟's short-term role on 城西社区报 expires within 3 days
  await w.settled()
  t.is((await w.db.unsentMessages()).filter((m) => m.topic === 'reminder').length, 2)
  await w.ask('u_zhangwei', '绑定查询 13800138000')
  await w.ask('u_zhangwei', '解绑 2')
  await w.ask('u_zhangwei', '确认')
  puppet.messageSendText = send
  w.clock.advance(minutes(5))
  await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  t.is(count(w.inbox('u_zhangwei'), '提醒'), 0, 'no reminder to renew a role given up')
  t.is(count(w.inbox('u_liqiang'), '提醒'), 0)
  t.is((await w.db.unsentMessages()).length, 0)
})

test('after 40 days down, start-up catches up: everything due expires and each notice goes out once', async (t) => {
  const first = await startWorld()
  await first.stop()
  const clock = new TestClock(first.clock.at + days(40))
  const w = await worldFor(t, { storage: first.storage, clock, plugin: { schedules: {} } })
  await w.settled()
  t.is(count(w.inbox('u_zhangwei'), '在「城西社区报」的短期运营者身份已于'), 1)
  t.is(count(w.inbox('u_zhaomin'), '在「山野骑行」的短期运营者身份已于'), 1)
  t.is(count(w.inbox('u_sunli'), '在「青禾书店」的短期运营者身份已于'), 1)
  t.is(count(w.inbox('u_liqiang'), '张伟(微信号 zhangwei_ops)在「城西社区报」的短期运营者身份已于'), 1)
  t.is(count(w.inbox('u_chenjing'), '赵敏(微信号 zhaomin_work)在「山野骑行」的短期运营者身份已于'), 1)
  t.is(count(w.inbox('u_wangfang'), '孙丽(微信号 sunli_design)在「青禾书店」的短期运营者身份已于'), 1)
  t.is(count(w.inbox('u_liuyang'), '的「海风摄影」短期运营者邀请(邀请码 HX7Q)已过期'), 1)
  // 续期 is offered only where it is still possible (30 days after expiry)
  t.is(count(w.inbox('u_zhaomin'), '到期 30 天内可以发送 续期'), 1, 'expired 20 days ago')
  t.is(count(w.inbox('u_zhangwei'), '续期'), 0, 'expired 38 days ago')
  t.is(count(w.inbox('u_zhangwei'), '请管理员 李强 重新邀请你'), 1)
  t.is(count(w.inbox('u_zhaomin'), '提醒'), 0, 'no reminder for what has already expired')
  await w.assistant.scheduler!.runNow('expirySweep')
  await w.settled()
  t.is(count(w.inbox('u_zhangwei'), '短期运营者身份已于'), 1, 'a second run sends nothing again')
})

test('the real schedule is wired: named tasks on the configured patterns, and the sweep task does its job', async (t) => {
  const w = await worldFor(t, { plugin: { schedules: { reminders: '0 * * * *' } } })
  const scheduler = w.assistant.scheduler!
  t.is(scheduler.task('expirySweep')!.getPattern(), '* * * * *')
  t.is(scheduler.task('reminders')!.getPattern(), '0 * * * *')
  t.is(scheduler.task('outbox')!.getPattern(), '*/10 * * * * *')
  t.is(scheduler.task('retention')!.getPattern(), '30 3 * * *')
  const ids = ['expirySweep', 'reminders', 'outbox', 'retention'].map((name) => scheduler.task(name)!.id)
  t.true(ids.every((id) => cron.getTask(id) !== undefined), 'registered with node-cron')
  w.clock.at = await expiryOf(w, 'b_zw_news') + 1
  await scheduler.task('expirySweep')!.execute()
  t.is((await w.db.binding('b_zw_news'))!.endReason, 'expired')
  await w.stop()
  t.true(ids.every((id) => cron.getTask(id) === undefined), 'destroyed on stop')
})

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined }

test('a job that fails is logged and runs again next time; runs never overlap', async (t) => {
  const errors: string[] = []
  let calls = 0
  let release!: () => void
  const scheduler = new Scheduler([{
    name: 'flaky',
    schedule: '0 0 1 1 *',
    run: async () => {
      calls++
      if (calls === 1) throw new Error('disk on fire')
      await new Promise<void>((resolve) => { release = resolve })
    },
  }], () => 0, { ...silent, error: (message) => errors.push(message) })
  await scheduler.runNow('flaky')
  t.deepEqual(errors, ['job flaky failed'])
  const second = scheduler.runNow('flaky')
  const third = scheduler.runNow('flaky')
  release()
  await Promise.all([second, third])
  t.is(calls, 2, 'the overlapping run joined the one under way')
  await scheduler.stop()
})

test('a job stuck on I/O that never answers holds up neither start-up nor stop: each waits its patience, then goes on and says so', async (t) => {
  const warnings: string[] = []
  let ran = 0
  const scheduler = new Scheduler([
    { name: 'backup', schedule: '0 0 1 1 *', run: () => new Promise<void>(() => undefined) }, // a folder on a hung mount
    { name: 'sweep', schedule: '0 0 1 1 *', run: async () => { ran++ } },
  ], () => 0, { ...silent, warn: (message) => warnings.push(message) }, 20)
  await scheduler.start()
  t.is(ran, 1, 'the jobs after it still caught up')
  t.deepEqual(warnings, ['job backup is still catching up after 0.02 s; start-up goes on without it'])
  await scheduler.runNow('sweep')
  t.is(ran, 2)
  await scheduler.stop()
  t.deepEqual(warnings.slice(1), ['stopping without waiting any longer for job backup: still running after 0.02 s'])
})

test('an invalid schedule is refused with the job named', (t) => {
  t.throws(() => new Scheduler([{ name: 'sweep', schedule: 'every minute', run: async () => undefined }], () => 0, silent), {
    message: 'The schedule of job sweep is not a valid cron expression: "every minute"',
  })
})

test('retention prunes history and records that ended more than a year ago, keeps what is active, and the file still loads', async (t) => {
  const w = await startWorld()
  let stopped = false
  t.teardown(async () => { if (!stopped) await w.stop() })
  await w.ask('u_zhangwei', '绑定查询 13800138000')
  await w.ask('u_zhangwei', '解绑 1')
  await w.ask('u_zhangwei', '确认') // ends b_zw_tea now
  const activeLong = (await w.db.document()).bindings.find((b) => b.role === 'long' && b.endedAt === undefined)!.id
  w.clock.advance(days(366))
  await w.assistant.jobs.expirySweep(w.clock.at)
  await w.assistant.jobs.retention(w.clock.at)
  t.is(await w.db.binding('b_zw_tea'), undefined, 'the binding that ended a year ago is gone')
  t.truthy(await w.db.binding(activeLong), 'an active binding stays, however old')
  t.truthy(await w.db.binding('b_zw_news'), 'one that expired within the year stays (it is shown and renewable for 30 days)')
  const { history } = await w.db.document()
  t.false(history.some((h) => Date.parse(h.at) < w.clock.at - days(365)), 'no history older than a year')
  t.true(history.some((h) => h.action === 'binding.expired'), 'younger history stays')
  t.is(await w.ask('u_wangfang', '操作记录 晨光茶馆'), '「晨光茶馆」还没有操作记录。', 'its year-old unbind is gone')
  t.true((await w.ask('u_liqiang', '操作记录')).includes('短期运营者到期:zhangwei_ops'), 'the expiry of this year is there')
  const active = (await w.db.bindingsOfUser('u_zhaomin')).filter((b) => b.endedAt === undefined && (b.expiresAt === undefined || Date.parse(b.expiresAt) > w.clock.at)).length
  t.true(active > 0)
  t.true((await w.ask('u_zhaomin', '绑定查询 110105199502280078')).includes(`共 ${active} 个`), 'lookups still find what is active')
  await w.stop()
  stopped = true
  const again = await worldFor(t, { storage: w.storage, clock: w.clock })
  t.is((await again.db.binding('b_zw_tea')), undefined)
})

test('a retention shorter than what the product still reads of the past is refused', async (t) => {
  await t.throwsAsync(startWorld({ plugin: { retention: days(7) } }), { message: /retention: at least 31 days/ })
})
