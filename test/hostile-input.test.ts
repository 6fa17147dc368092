// No chat message can damage the stored state: typed words are never looked up in plain objects, and a
// change that would make the document invalid is undone and never written.
import test from 'ava'
import { embeddedOnly, startWorld, worldFor } from './fixture.js'

const WANGFANG = 'u_wangfang'
const ZHANGWEI = 'u_zhangwei'
const OBJECT_WORDS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'prototype']

for (const word of OBJECT_WORDS) {
  test(`"${word}" typed as 开/关, as 长期/短期 or as a menu choice is refused as the wrong word, and the stored state still loads`, async (t) => {
    const w = await startWorld()
    const settingsBefore = JSON.stringify((await w.db.document()).accounts)
    t.is(await w.ask(WANGFANG, `风险操作保护 ${word} 青禾书店`), '用法:风险操作保护 开|关 [公众号],例如 风险操作保护 开。')
    t.is(await w.ask(WANGFANG, '确认'), '当前没有等待确认的操作。发送 帮助 查看可用命令。', 'no confirmation was asked for')
    t.is(await w.ask(WANGFANG, `风险操作提醒 ${word}`), '用法:风险操作提醒 开|关 [公众号](总开关),或 风险操作提醒 登录|群发|修改服务器配置|AppSecret 即时|汇总|关 [公众号](每类操作分别设置),例如 风险操作提醒 登录 汇总。')
    t.true((await w.ask(WANGFANG, `风险操作提醒 登录 ${word} 青禾书店`)).startsWith('「登录」后面请写提醒方式'))
    t.true((await w.ask(WANGFANG, `绑定运营者 zhouxiao_new ${word} 晨光茶馆`)).startsWith('请说明邀请 zhouxiao_new 做长期还是短期运营者'))
    t.true((await w.ask(ZHANGWEI, '绑定查询')).startsWith('请选择查询方式'))
    t.true((await w.ask(ZHANGWEI, word)).startsWith('请回复 1、2 或 3 选择查询方式'))
    await w.stop()
    const again = await worldFor(t, { storage: w.storage, clock: w.clock })
    t.true((await again.ask(WANGFANG, '帮助')).includes('你是「晨光茶馆」「青禾书店」的管理员'))
    t.is(JSON.stringify((await again.db.document()).accounts), settingsBefore, 'no setting changed')
  })
}

test('a change that would make the document invalid is refused, undone, and never stored', async (t) => {
  const w = await worldFor(t)
  const before = await w.db.document()
  const err = await t.throwsAsync(w.db.change(async (tx) => {
    await tx.addHistory({ accountId: 'acc_tea', at: '2026-11-21T02:00:00.000Z', action: 'settings.riskProtection', detail: '开启' })
    await tx.updateAccount('acc_tea', { riskProtection: 'constructor' as unknown as boolean })
  }), { name: 'InvalidChange' })
  t.regex(err!.message, /accounts acc_tea: riskProtection/)
  t.true((await w.db.account('acc_tea'))!.riskProtection, 'the account is as it was')
  t.false((await w.db.historyOf('acc_tea')).some((h) => h.at === '2026-11-21T02:00:00.000Z'), 'the history entry of the same change is gone too')
  t.deepEqual(await w.db.document(), before, 'nothing was stored')

  // The embedded engine names the record; PostgreSQL names the constraint that refused it.
  await t.throwsAsync(w.db.change((tx) => tx.addHistory({ accountId: 'acc_nowhere', at: '2026-11-21T02:00:00.000Z', action: 'x', detail: '' })), { name: 'InvalidChange', message: /history (entry h_\w+ names an unknown account acc_nowhere|.*history_account_id_fkey)/ })
  await t.throwsAsync(w.db.change((tx) => tx.updateUser('u_zhouxiao', { wechatId: 'ZHANGWEI_OPS' })), { name: 'InvalidChange', message: /WeChat ID ZHANGWEI_OPS is another user's|users_wechat_id_key/ })
  t.is((await w.db.userByWechatId('zhouxiao_new'))?.id, 'u_zhouxiao', 'lookups find each user as before')
  t.is((await w.db.userByWechatId('zhangwei_ops'))?.id, 'u_zhangwei')

  const thrown = await t.throwsAsync(w.db.change(async (tx) => {
    await tx.updateAccount('acc_tea', { riskAlerts: false })
    throw new Error('a service bug after its first write')
  }))
  t.is(thrown!.message, 'a service bug after its first write')
  t.deepEqual(await w.db.document(), before, 'a throwing change is undone too')

  await w.db.change((tx) => tx.updateAccount('acc_tea', { riskProtection: false }))
  t.false((await w.db.document()).accounts.find((a) => a.id === 'acc_tea')!.riskProtection, 'valid changes still go through')
})

embeddedOnly('undoing a refused change while another change is being written keeps that change\'s pushes back until its write is done', async (t) => {
  const w = await worldFor(t)
  const store = w.store!
  let queued: { id: string } | undefined
  const first = store.change((tx) => { queued = tx.enqueue({ toUserId: 'u_zhangwei', text: '通知', createdAt: '2026-11-21T02:00:00.000Z', accountId: 'acc_tea' }) })
  await new Promise((resolve) => setImmediate(resolve)) // the write of `first` is now under way
  await t.throwsAsync(store.change(() => { throw new Error('refused') }))
  t.false(store.isDeliverable(store.message(queued!.id)!), 'not deliverable while its write is under way')
  await first
  t.true(store.isDeliverable(store.message(queued!.id)!), 'deliverable once written')
})

test('a NUL character typed where an account name, a WeChat ID or a code goes is answered as any unknown word, on either engine', async (t) => {
  const w = await worldFor(t)
  const failure = '抱歉,处理你的消息时出错了'
  for (const text of ['操作记录 \u0000', '运营者列表 晨光\u0000茶馆', '解绑运营者 zhang\u0000wei', '权限复核 \u0000', '提醒设置 \u0000', '允许 \u0000ABCDE', '绑定查询 wx\u0000id_1']) {
    const reply = await w.ask(WANGFANG, text)
    t.false(reply.startsWith(failure), `${JSON.stringify(text)} → ${reply}`)
  }
  t.false((await w.ask(ZHANGWEI, '确认登录 \u0000')).startsWith(failure))
})
