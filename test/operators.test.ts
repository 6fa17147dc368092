// The admin managing operators: the list, removal with confirmation, and who may do it.
import test from 'ava'
import { worldFor } from './fixture.js'

const WANGFANG = 'u_wangfang'
const LIQIANG = 'u_liqiang'

test('运营者列表 shows the admin, operators with masked phone, dates, expiry, invitations and the counts', async (t) => {
  const w = await worldFor(t)
  await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 短期 晨光茶馆')
  const list = await w.ask(WANGFANG, '运营者列表 晨光茶馆')
  const lines = list.split('\n')
  t.is(lines[0], '「晨光茶馆」的运营者(长期 2/5,短期 1/20,均含待回复的邀请):')
  t.is(lines[1], '管理员:王芳(微信号 wangfang_tea)')
  t.true(list.includes('长期运营者:\n1. 张伟(微信号 zhangwei_ops,手机 138****8000),2026-05-25 绑定\n2. 赵敏(微信号 zhaomin_work,手机 139****9001)'), list)
  t.true(list.includes('短期运营者:\n(无)'), list)
  t.true(/· 周晓\(微信号 zhouxiao_new\)短期,邀请码 [A-Z0-9]{4,5}:待回复,2026-11-22 10:00 前有效,已送达/.test(list), list)
  t.false(/1[3-9]\d{9}/.test(list), 'no whole phone number')

  // a short-term operator shows the expiry; one past it is gone from the list without any sweep
  const news = await w.ask(LIQIANG, '运营者列表')
  t.true(/短期运营者:\n1\. 张伟\(微信号 zhangwei_ops,手机 138\*\*\*\*8000\),2026-10-23 绑定,2026-11-23 \d\d:\d\d 到期/.test(news), news)
  const books = await w.ask(WANGFANG, '运营者列表 青禾书店')
  t.true(books.includes('短期运营者:\n(无)'), '孙丽\'s lapsed binding is not listed')
})

test('解绑运营者 asks for confirmation, ends the binding, tells the operator and records who and when', async (t) => {
  const w = await worldFor(t)
  const confirm = await w.ask(WANGFANG, '解绑运营者 zhangwei_ops 晨光茶馆')
  t.is(confirm, '确认解除 张伟(微信号 zhangwei_ops)在「晨光茶馆」的长期运营者身份吗?对方将不能再登录和群发,并会收到通知。\n回复 确认 解除,回复 取消 保留(5 分钟内有效)。')
  t.is(await w.ask(WANGFANG, '确认'), '已解除 张伟 在「晨光茶馆」的长期运营者身份,对方会收到通知。')
  const [notice] = await w.inboxOf('u_zhangwei', 1)
  t.is(notice, '「晨光茶馆」的管理员 王芳 已于 2026-11-21 10:00 解除了你的长期运营者身份,你已不能再登录和群发这个公众号。如有疑问请联系管理员。')
  t.true((await w.ask(WANGFANG, '运营者列表 晨光茶馆')).includes('长期 1/5'))
  t.true((await w.ask(WANGFANG, '解绑运营者 zhangwei_ops 晨光茶馆')).startsWith('张伟(微信号 zhangwei_ops)现在不是「晨光茶馆」的运营者'))
  const onDisk = await w.db.document()
  t.like(onDisk.bindings.find((b) => b.id === 'b_zw_tea'), { endReason: 'removed', endedBy: WANGFANG })
  t.like(onDisk.history.at(-1), { accountId: 'acc_tea', actorUserId: WANGFANG, action: 'binding.removed', at: '2026-11-21T02:00:00.000Z' })
})

test('取消 keeps the operator', async (t) => {
  const w = await worldFor(t)
  await w.ask(LIQIANG, '解绑运营者 zhangwei_ops')
  t.is(await w.ask(LIQIANG, '取消'), '已取消,没有做任何修改。')
  t.true((await w.ask(LIQIANG, '运营者列表')).includes('短期 1/20'))
  await w.settled()
  t.deepEqual(w.inbox('u_zhangwei'), [])
})

test('only the account\'s admin may manage it; others are told plainly', async (t) => {
  const w = await worldFor(t)
  for (const command of ['运营者列表', '解绑运营者 zhaomin_work', '撤销邀请 zhouxiao_new', '重发邀请 zhouxiao_new']) {
    const word = command.split(' ')[0]!
    t.true((await w.ask('u_zhangwei', command)).startsWith(`只有公众号的管理员才能使用 ${word}`), command)
    t.is(await w.ask(LIQIANG, `${command} 晨光茶馆`),
      `你不是「晨光茶馆」的管理员,不能对它使用 ${word}。只有该公众号的管理员可以管理它的运营者。`)
  }
  t.true((await w.ask(WANGFANG, '解绑运营者')).startsWith('用法:解绑运营者 微信号'))
  t.true((await w.ask(WANGFANG, '解绑运营者 nobody_here 晨光茶馆')).startsWith('没有找到微信号为 nobody_here 的用户'))
  t.true((await w.ask(WANGFANG, '运营者列表')).startsWith('你管理多个公众号,要对哪一个使用 运营者列表?'))
  t.true((await w.ask(WANGFANG, '2')).startsWith('「青禾书店」的运营者'))
})

test('every change is in the account\'s history with who, what and when', async (t) => {
  const w = await worldFor(t)
  await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆')
  await w.ask(WANGFANG, '重发邀请 zhouxiao_new 晨光茶馆')
  await w.ask(WANGFANG, '撤销邀请 zhouxiao_new 晨光茶馆')
  await w.ask(WANGFANG, '重发邀请 zhouxiao_new 晨光茶馆')
  await w.ask('u_zhouxiao', '同意')
  await w.ask(WANGFANG, '解绑运营者 zhouxiao_new 晨光茶馆')
  await w.ask(WANGFANG, '确认')
  const history = (await w.db.document()).history.filter((h) => h.accountId === 'acc_tea' && h.at === '2026-11-21T02:00:00.000Z')
  t.deepEqual(history.map((h) => [h.action, h.actorUserId]), [
    ['invitation.created', WANGFANG],
    ['invitation.resent', WANGFANG],
    ['invitation.cancelled', WANGFANG],
    ['invitation.created', WANGFANG],
    ['binding.created', 'u_zhouxiao'],
    ['binding.removed', WANGFANG],
  ])
  t.true(history.every((h) => h.detail.includes('zhouxiao_new')))
})

test('撤销邀请 says what really happens: an invitation that never reached the invitee is taken back without a notice', async (t) => {
  const w = await worldFor(t)
  // 何晓东's invitation to 海风摄影 was never pushed (no delivery in the demo world's outbox).
  const reply = await w.ask('u_liuyang', '撤销邀请 hexiaodong')
  t.true(reply.includes('这份邀请还没有送达对方,不会再发出,也不会通知对方。'), reply)
  t.false(reply.includes('会收到撤销通知'))
  await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  t.false(w.inbox('u_hexiaodong').some((text) => text.includes('撤销')), 'no notice went out')
})

test('操作记录 is ordered by when things happened, even when a sweep after downtime records an expiry late', async (t) => {
  const w = await worldFor(t)
  const expiresAt = Date.parse((await w.db.binding('b_zw_news'))!.expiresAt!)
  w.clock.at = expiresAt + 2 * 86_400_000 // the assistant was down over the expiry
  await w.ask('u_liqiang', '风险操作提醒 关')
  await w.ask('u_liqiang', '确认')
  await w.assistant.jobs.expirySweep(w.clock.at) // records the expiry as of when it happened
  const lines = (await w.ask('u_liqiang', '操作记录')).split('\n')
  const settings = lines.findIndex((l) => l.includes('风险操作提醒:关闭'))
  const expiry = lines.findIndex((l) => l.includes('短期运营者到期:zhangwei_ops'))
  t.true(settings > 0 && expiry > settings, lines.join('\n'))
})
