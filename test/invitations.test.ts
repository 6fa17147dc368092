// Inviting operators and answering by reply, through the mock puppet.
import test from 'ava'
import { readFile } from 'node:fs/promises'
import { hours } from '../src/domain/calendar.js'
import { idCheckDigit } from '../src/domain/identity.js'
import type { Seed } from '../src/store/schema.js'
import { SEED_FILE, startWorld, TestClock, worldFor } from './fixture.js'

const WANGFANG = 'u_wangfang' // admin of 晨光茶馆 and 青禾书店
const LIQIANG = 'u_liqiang' // admin of 城西社区报 only
const ZHOUXIAO = 'u_zhouxiao' // follows 晨光茶馆, protection on, bank card: eligible

const codeIn = (text: string): string => /邀请码 ([A-Z0-9]{4,5})/.exec(text)![1]!

for (const [roleWord, roleLabel] of [['长期', '长期运营者'], ['短期', '短期运营者']] as const) {
  test(`the ${roleWord} happy path: invite, the invitee is told, replies 同意, both sides hear it`, async (t) => {
    const w = await worldFor(t)
    const sent = await w.ask(WANGFANG, `绑定运营者 zhouxiao_new ${roleWord} 晨光茶馆`)
    t.true(sent.startsWith(`已发出邀请:周晓(微信号 zhouxiao_new)成为「晨光茶馆」的${roleLabel}。邀请码 `), sent)
    t.true(sent.includes('2026-11-22 10:00 前有效'), sent)
    t.true(sent.includes('邀请已送达对方'), sent)

    const [invitation] = await w.inboxOf(ZHOUXIAO, 1)
    t.true(invitation!.includes(`王芳(「晨光茶馆」的管理员)邀请你成为「晨光茶馆」的${roleLabel}`), invitation)
    t.true(invitation!.includes('回复 同意 接受,回复 拒绝 谢绝'), invitation)
    t.true(invitation!.includes('2026-11-22 10:00 前有效'))
    if (roleWord === '短期') t.true(invitation!.includes('自你同意起一个月内'), invitation)

    w.clock.advance(hours(2))
    const accepted = await w.ask(ZHOUXIAO, '同意')
    t.true(accepted.startsWith(`你已成为「晨光茶馆」的${roleLabel}`), accepted)
    if (roleWord === '短期') t.true(accepted.includes('短期运营者身份 2026-12-21 12:00 到期'), accepted)
    else t.false(accepted.includes('到期'))

    const notice = (await w.inboxOf(WANGFANG, 2))[1]
    t.true(notice!.startsWith(`周晓(微信号 zhouxiao_new)已接受邀请,成为「晨光茶馆」的${roleLabel}`), notice)

    const lookup = await w.ask(ZHOUXIAO, '绑定查询 zhouxiao_new')
    t.true(lookup.includes(`1. 晨光茶馆 — ${roleLabel},2026-11-21 绑定`), lookup)
    t.true((await w.ask(ZHOUXIAO, '同意')).includes('已经接受过了'), 'an invitation is answered once')
  })
}

test('natural ways of saying yes work: 同意邀请, 同意。, a lower-case code; 允许 points to 同意', async (t) => {
  const w = await worldFor(t)
  const code = codeIn(await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆'))
  t.is(await w.ask(ZHOUXIAO, `允许 ${code}`), `这是发给你的运营者邀请。接受邀请请回复 同意 ${code},谢绝请回复 拒绝 ${code}。`)
  t.true((await w.ask(ZHOUXIAO, '同意邀请')).startsWith('你已成为「晨光茶馆」的长期运营者'))
  // 何晓东's invitation from the demo world, answered with punctuation
  t.true((await w.ask('u_hexiaodong', '同意。')).startsWith('你已成为「海风摄影」的短期运营者'))
})

test('an admin of several accounts is asked which one, numbered', async (t) => {
  const w = await worldFor(t)
  const question = await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期')
  t.is(question, '你管理多个公众号,要对哪一个使用 绑定运营者?回复序号:\n1 晨光茶馆\n2 青禾书店\n(回复 取消 退出)')
  t.true((await w.ask(WANGFANG, '3')).startsWith('请回复 1–2 之间的序号'))
  t.true((await w.ask(WANGFANG, '1')).startsWith('已发出邀请:周晓(微信号 zhouxiao_new)成为「晨光茶馆」的长期运营者'))
  // a refusal after the numbered choice spells the command to send again, account included
  await w.ask(WANGFANG, '绑定运营者 wutian_2025 长期')
  t.true((await w.ask(WANGFANG, '2')).endsWith('处理好后再发送一次 绑定运营者 wutian_2025 长期 青禾书店。'))
  // an admin of one account leaves the account out
  t.true((await w.ask(LIQIANG, '绑定运营者 wutian_2025 短期')).startsWith('暂时不能邀请 吴天'))
})

test('only the account\'s admin may invite, and unknown WeChat IDs are explained', async (t) => {
  const w = await worldFor(t)
  t.true((await w.ask(ZHOUXIAO, '绑定运营者 sunli_design 长期')).startsWith('只有公众号的管理员才能使用 绑定运营者'))
  t.is(await w.ask(LIQIANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆'), '你不是「晨光茶馆」的管理员,不能对它使用 绑定运营者。只有该公众号的管理员可以管理它的运营者。')
  t.true((await w.ask(LIQIANG, '绑定运营者 nobody_here 长期')).startsWith('没有找到微信号为 nobody_here 的用户。请确认填写的是对方的微信号(对方在 微信 → 我 页面'))
  t.true((await w.ask(LIQIANG, '绑定运营者')).startsWith('用法:绑定运营者 微信号 长期|短期'))
  t.true((await w.ask(LIQIANG, '绑定运营者 zhouxiao_new')).startsWith('请说明邀请 zhouxiao_new 做长期还是短期运营者'))
  t.true((await w.ask(LIQIANG, '绑定运营者 zhouxiao_new 永久')).startsWith('请说明邀请 zhouxiao_new 做长期还是短期运营者'))
  const badId = await w.ask(LIQIANG, '绑定运营者 周晓 长期')
  t.true(badId.startsWith('微信号格式不对') && badId.includes('重新发送 绑定运营者') && !badId.includes('绑定查询'), badId)
  t.true((await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 不存在的号')).startsWith('没有找到这个名称的公众号。你管理的公众号:「晨光茶馆」、「青禾书店」'))
  await w.settled()
  t.false(w.inbox(ZHOUXIAO).some((text) => text.includes('邀请你成为')), 'no invitation went out')
})

const refusalCases: Array<[string, string, string, string[]]> = [
  // [admin, command, who, expected lines]
  [LIQIANG, '绑定运营者 zhouxiao_new 长期', '周晓', ['✗ 对方没有关注「城西社区报」']],
  [LIQIANG, '绑定运营者 wutian_2025 长期', '吴天', ['有 2 项条件未满足', '✗ 对方的微信没有开启帐号保护', '✗ 对方的微信没有绑定银行卡']],
  [WANGFANG, '绑定运营者 wutian_2025 短期 晨光茶馆', '吴天', ['有 3 项条件未满足', '✗ 对方没有关注「晨光茶馆」', '✗ 对方的微信没有开启帐号保护', '✗ 对方的微信没有绑定银行卡']],
  [WANGFANG, '绑定运营者 zhangwei_ops 短期 晨光茶馆', '张伟', ['✗ 对方已经是「晨光茶馆」的长期运营者,无需再绑定。如需改变身份,请先 解绑运营者 再邀请。']],
  [LIQIANG, '绑定运营者 liqiang_news 长期', '李强', ['有 1 项条件未满足', '✗ 对方是「城西社区报」的管理员,管理员已拥有全部权限,不能再绑定为运营者。']],
  [WANGFANG, '绑定运营者 zhaomin_home 长期 晨光茶馆', '赵敏(私人号)', ['✗ 对方没有关注「晨光茶馆」', '✗ 对方的微信没有绑定银行卡']],
]
for (const [admin, command, who, expected] of refusalCases) {
  test(`refused: ${command} names each failing condition`, async (t) => {
    const w = await worldFor(t)
    const reply = await w.ask(admin, command)
    t.true(reply.startsWith(`暂时不能邀请 ${who}`), reply)
    for (const line of expected) t.true(reply.includes(line), `${line}\n---\n${reply}`)
    t.true(reply.endsWith(`处理好后再发送一次 ${command}。`), reply)
  })
}

test('an invitee at 5 accounts cannot get a 6th, counting pending invitations', async (t) => {
  const w = await worldFor(t)
  // 赵敏 holds 5 operator bindings
  const full = await w.ask(WANGFANG, '绑定运营者 zhaomin_work 短期 晨光茶馆')
  t.true(full.includes('✗ 对方已绑定或被邀请了 5 个公众号,一个微信号最多只能做 5 个公众号的运营者'), full)
  // 何晓东 holds 0 bindings and 1 pending invitation (海风摄影); four more invitations bring him to 5
  const w2 = await worldFor(t, { seed: worldWithAccounts(6) })
  for (let i = 1; i <= 4; i++) t.true((await w2.ask(`u_admin${i}`, '绑定运营者 invitee_01 长期')).startsWith('已发出邀请'))
  const sixth = await w2.ask('u_admin5', '绑定运营者 invitee_01 长期')
  t.true(sixth.includes('✗ 对方已绑定或被邀请了 5 个公众号'), sixth)
})

test('the 6th long-term and the 21st short-term invitation are refused, pending invitations counting', async (t) => {
  const w = await worldFor(t, { seed: worldWithInvitees(26) })
  for (let i = 1; i <= 5; i++) t.true((await w.ask('u_admin1', `绑定运营者 invitee_${pad(i)} 长期`)).startsWith('已发出邀请'), `long ${i}`)
  const sixth = await w.ask('u_admin1', '绑定运营者 invitee_06 长期')
  t.true(sixth.includes('✗ 「测试号1」的长期运营者名额已满(已用 5/5,含待回复的邀请)。请先 解绑运营者 或 撤销邀请 腾出名额,或改为邀请短期运营者。'), sixth)
  for (let i = 6; i <= 25; i++) t.true((await w.ask('u_admin1', `绑定运营者 invitee_${pad(i)} 短期`)).startsWith('已发出邀请'), `short ${i}`)
  const twentyFirst = await w.ask('u_admin1', '绑定运营者 invitee_26 短期')
  t.true(twentyFirst.includes('短期运营者名额已满(已用 20/20'), twentyFirst)
  // withdrawing one frees its slot
  t.true((await w.ask('u_admin1', '撤销邀请 invitee_25')).startsWith('已撤销'))
  t.true((await w.ask('u_admin1', '绑定运营者 invitee_26 短期')).startsWith('已发出邀请'))
})

test('acceptance checks every condition again: an invitee who unfollowed in between is told, and so is the admin', async (t) => {
  const w = await worldFor(t)
  await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆')
  await w.db.change((tx) => tx.updateUser(ZHOUXIAO, { follows: [] }))
  const reply = await w.ask(ZHOUXIAO, '同意')
  t.true(reply.startsWith('暂时无法成为「晨光茶馆」的长期运营者,有 1 项条件未满足:\n✗ 你没有关注「晨光茶馆」'), reply)
  t.true(reply.includes('邀请仍然有效:处理好后再回复一次 同意'))
  const notice = (await w.inboxOf(WANGFANG, 2))[1]
  t.true(notice!.startsWith('周晓(微信号 zhouxiao_new)想接受「晨光茶馆」的长期运营者邀请,但有 1 项条件现在不满足:\n✗ 对方没有关注「晨光茶馆」'), notice)
  // following again and replying once more completes it
  await w.db.change((tx) => tx.updateUser(ZHOUXIAO, { follows: ['acc_tea'] }))
  t.true((await w.ask(ZHOUXIAO, '同意')).startsWith('你已成为「晨光茶馆」的长期运营者'))
})

test('someone else\'s 同意 changes nothing and reveals nothing', async (t) => {
  const w = await worldFor(t)
  const sent = await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆')
  const code = codeIn(sent)
  t.is(await w.ask('u_sunli', '同意'), '你目前没有待回复的运营者邀请。如果管理员说已经邀请了你,请确认对方填写的是你的微信号 sunli_design,并且邀请没有过期或被撤销。')
  t.is(await w.ask('u_sunli', `同意 ${code}`), await w.ask('u_sunli', '同意 ZZZZ').then((r) => r.replace('ZZZZ', code)))
  t.true((await w.ask('u_sunli', `同意 ${code}`)).startsWith(`没有找到发给你的、邀请码为 ${code} 的邀请`))
  t.true((await w.ask(ZHOUXIAO, '我的邀请')).includes(`${code}:「晨光茶馆」长期运营者`), 'still pending for the invitee')
  const roster = await w.ask(WANGFANG, '运营者列表 晨光茶馆')
  t.true(roster.includes(`周晓(微信号 zhouxiao_new)长期,邀请码 ${code}:待回复`), roster)
})

test('with several pending invitations the reply needs the code; 我的邀请 lists them', async (t) => {
  const w = await worldFor(t)
  const first = codeIn(await w.ask(WANGFANG, '绑定运营者 sunli_design 短期 青禾书店'))
  await w.db.change((tx) => tx.updateUser('u_sunli', { follows: ['acc_books', 'acc_tea'] }))
  const second = codeIn(await w.ask(WANGFANG, '绑定运营者 sunli_design 长期 晨光茶馆'))
  const pushes = await w.inboxOf('u_sunli', 2)
  t.true(pushes[0]!.includes('回复 同意 接受'), 'the first invitation needs no code')
  t.true(pushes[1]!.includes(`请回复 同意 ${second} 接受,或回复 拒绝 ${second} 谢绝`), pushes[1])

  const list = await w.ask('u_sunli', '我的邀请')
  t.true(list.startsWith('你有 2 个待回复的邀请:'), list)
  t.true(list.includes(`· ${first}:「青禾书店」短期运营者,王芳 邀请,2026-11-22 10:00 前有效`), list)
  t.true(list.includes(`· ${second}:「晨光茶馆」长期运营者`), list)

  t.true((await w.ask('u_sunli', '同意')).startsWith('你有 2 个待回复的邀请,请在 同意 后面加上邀请码'))
  t.true((await w.ask('u_sunli', `同意 ${second.toLowerCase()}`)).startsWith('你已成为「晨光茶馆」的长期运营者'))
  t.true((await w.ask('u_sunli', '拒绝')).startsWith('已拒绝「青禾书店」的运营者邀请'), 'one left: no code needed')
  const notices = await w.inboxOf(WANGFANG, 4)
  t.true(notices[2]!.startsWith('孙丽(微信号 sunli_design)已接受邀请'), notices[2])
  t.true(notices[3]!.startsWith('孙丽(微信号 sunli_design)拒绝了「青禾书店」的短期运营者邀请'), notices[1])
  t.true((await w.ask('u_sunli', '我的邀请')).startsWith('你目前没有待回复的运营者邀请'))
})

test('the admin cancels and resends; answering a cancelled invitation gets a clear reply', async (t) => {
  const w = await worldFor(t)
  const code = codeIn(await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆'))
  w.clock.advance(hours(20))
  const resent = await w.ask(WANGFANG, '重发邀请 zhouxiao_new 晨光茶馆')
  t.true(resent.startsWith(`已重新发送邀请:周晓(微信号 zhouxiao_new)成为「晨光茶馆」的长期运营者。邀请码 ${code},2026-11-23 06:00 前有效`), resent)
  t.is((await w.inboxOf(ZHOUXIAO, 2)).length, 2)
  t.true((await w.ask(WANGFANG, '撤销邀请 zhouxiao_new 晨光茶馆')).startsWith(`已撤销发给 周晓 的「晨光茶馆」邀请(邀请码 ${code})`))
  const [, , withdrawn] = await w.inboxOf(ZHOUXIAO, 3)
  t.true(withdrawn!.startsWith('「晨光茶馆」的管理员撤销了发给你的运营者邀请'), withdrawn)
  t.true((await w.ask(ZHOUXIAO, '同意')).startsWith('「晨光茶馆」的管理员已经撤销了这份邀请'))
  t.true((await w.ask(WANGFANG, '撤销邀请 zhouxiao_new 晨光茶馆')).startsWith('「晨光茶馆」没有发给 周晓(微信号 zhouxiao_new)的待回复邀请'))
  // resending a closed invitation issues a new one, checked again
  const again = await w.ask(WANGFANG, '重发邀请 zhouxiao_new 晨光茶馆')
  t.true(again.startsWith('已重新发送邀请') && codeIn(again) !== code, again)
  t.true((await w.ask(ZHOUXIAO, '同意')).startsWith('你已成为「晨光茶馆」的长期运营者'))
  t.true((await w.ask(WANGFANG, '重发邀请 sunli_design 晨光茶馆')).startsWith('「晨光茶馆」还没有邀请过 孙丽'))
})

test('an invitation lapses after 24 hours by the clock alone, and frees its slot', async (t) => {
  const w = await worldFor(t)
  const code = codeIn(await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆'))
  t.true((await w.ask(WANGFANG, '运营者列表 晨光茶馆')).includes('长期 3/5'), 'two operators and one pending invitation')
  w.clock.advance(hours(24))
  const reply = await w.ask(ZHOUXIAO, '同意')
  t.is(reply, '「晨光茶馆」的这份邀请已于 2026-11-22 10:00 过期,没能在有效期内回复。请联系该公众号的管理员重新发送邀请(重发邀请)。')
  t.true((await w.ask(ZHOUXIAO, `同意 ${code}`)).includes('已于 2026-11-22 10:00 过期'))
  const roster = await w.ask(WANGFANG, '运营者列表 晨光茶馆')
  t.true(roster.includes('长期 2/5'), roster)
  t.true(roster.includes(`邀请码 ${code}:已过期`), roster)
  t.true((await w.ask(ZHOUXIAO, '绑定查询 zhouxiao_new')).startsWith('未查询到'))
})

test('a short-term binding accepted on Jan 31 expires at the end of February', async (t) => {
  const w = await worldFor(t, { clock: new TestClock(Date.parse('2026-01-31T10:00:00+08:00')) })
  await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 短期 晨光茶馆')
  const accepted = await w.ask(ZHOUXIAO, '同意')
  t.true(accepted.includes('短期运营者身份 2026-02-28 10:00 到期'), accepted)
  t.true((await w.inboxOf(WANGFANG, 2))[1]!.includes('2026-02-28 10:00 到期'))
})

test('an invitation survives a restart between invite and acceptance', async (t) => {
  const first = await startWorld()
  await first.ask(WANGFANG, '绑定运营者 zhouxiao_new 短期 晨光茶馆')
  await first.stop()
  const second = await worldFor(t, { storage: first.storage, clock: first.clock })
  t.true((await second.ask(ZHOUXIAO, '同意')).startsWith('你已成为「晨光茶馆」的短期运营者'))
  const onDisk = await second.db.document()
  const actions = onDisk.history.filter((h) => h.accountId === 'acc_tea').map((h) => h.action)
  t.deepEqual(actions.slice(-2), ['invitation.created', 'binding.created'])
})

test('an invitee who never added the assistant: the admin is told why, and the invitation arrives once they add it', async (t) => {
  const seed = await demoSeed()
  const zhouxiao = seed.users.find((u) => u.id === ZHOUXIAO)!
  delete zhouxiao.contactId
  const w = await worldFor(t, { seed })
  const sent = await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆')
  t.true(sent.includes('但邀请暂时没有送达:对方还没有添加公众平台安全助手为好友,或还没有和助手说过话,消息发不过去。请对方添加助手并发送 我的邀请 查看并回复'), sent)
  t.true((await w.ask(WANGFANG, '运营者列表 晨光茶馆')).includes('未送达'), 'the list shows it')

  // 周晓 sends a friend request: the assistant accepts it, then delivers the waiting invitation
  const stranger = w.mocker.createContact({ id: 'wx-zhouxiao', name: '周晓', handle: 'zhouxiao_new' })
  const received = new Promise<string>((resolve) => {
    stranger.on('message', (message) => { if (message.payload.talkerId === w.botContact.id) resolve(message.payload.text ?? '') })
  })
  const puppet = (w.mocker as unknown as { puppet: PuppetWithFriendship }).puppet
  const accepted: string[] = []
  puppet.friendshipRawPayload = async (id: string) => ({ id, contactId: stranger.id, hello: '我是周晓', type: 2, timestamp: Date.now() })
  puppet.friendshipAccept = async (id: string) => { accepted.push(id) }
  puppet.emit('friendship', { friendshipId: 'f-1' })
  t.true((await received).includes('邀请你成为「晨光茶馆」的长期运营者'))
  t.deepEqual(accepted, ['f-1'])
})

test('pushes that have not gone out are taken back when their invitation is resent or withdrawn', async (t) => {
  const seed = await demoSeed()
  delete seed.users.find((u) => u.id === ZHOUXIAO)!.contactId
  const w = await worldFor(t, { seed })
  await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆')
  await w.ask(WANGFANG, '重发邀请 zhouxiao_new 晨光茶馆')
  await w.ask(WANGFANG, '撤销邀请 zhouxiao_new 晨光茶馆')
  const toZhouxiao = (await w.db.unsentMessages()).filter((m) => m.toUserId === ZHOUXIAO).map((m) => m.text)
  t.deepEqual(toZhouxiao, [], 'neither invitation, nor news of a withdrawal of one never received')
  // once one had arrived, a withdrawal is news worth sending (covered with a reachable invitee below)
})

test('an invitee who received an invitation hears of its withdrawal, even when a resend never reached them', async (t) => {
  const w = await worldFor(t)
  await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆')
  t.is((await w.inboxOf(ZHOUXIAO, 1)).length, 1, 'the first push arrived')
  const puppet = (w.mocker as unknown as { puppet: { messageSendText: (to: string, text: string) => Promise<unknown> } }).puppet
  const send = puppet.messageSendText.bind(puppet)
  puppet.messageSendText = async (to, text) => { if (to === w.contact(ZHOUXIAO).id) throw new Error('offline'); return send(to, text) }
  t.true((await w.ask(WANGFANG, '重发邀请 zhouxiao_new 晨光茶馆')).includes('但邀请暂时没有送达'))
  await w.ask(WANGFANG, '撤销邀请 zhouxiao_new 晨光茶馆')
  const waiting = (await w.db.unsentMessages()).filter((m) => m.toUserId === ZHOUXIAO).map((m) => m.text)
  t.is(waiting.length, 1, waiting.join('\n---\n'))
  t.true(waiting[0]!.startsWith('「晨光茶馆」的管理员撤销了发给你的运营者邀请'), 'the resend is taken back, the withdrawal is news')
})

interface PuppetWithFriendship {
  emit: (event: string, payload: unknown) => void
  friendshipRawPayload: (id: string) => Promise<unknown>
  friendshipAccept: (id: string) => Promise<void>
}

async function demoSeed (): Promise<Seed> {
  return JSON.parse(await readFile(SEED_FILE, 'utf8')) as Seed
}

const pad = (i: number): string => String(i).padStart(2, '0')

function idNumber (i: number): string {
  const first17 = `11010119900101${pad(i)}1`
  return first17 + idCheckDigit(first17)
}

function person (id: string, wechatId: string, i: number, follows: string[]): Seed['users'][number] {
  return { id, name: `用户${i}`, wechatId, contactId: id, phone: `1390000${String(i).padStart(4, '0')}`, idNumber: idNumber(i), accountProtection: true, bankCard: true, follows }
}

/** One account with `count` eligible invitees. */
function worldWithInvitees (count: number): Seed {
  return {
    version: 6,
    seededAt: '2026-11-21T02:00:00.000Z',
    accounts: [{ id: 'acc_1', name: '测试号1', adminUserId: 'u_admin1', riskProtection: false, riskAlerts: true }],
    users: [
      person('u_admin1', 'admin_01', 99, ['acc_1']),
      ...Array.from({ length: count }, (_, k) => person(`u_invitee${k + 1}`, `invitee_${pad(k + 1)}`, k + 1, ['acc_1'])),
    ],
    bindings: [],
    invitations: [],
    renewals: [],
    approvals: [],
    logins: [],
    history: [],
    outbox: [],
    digestEntries: [],
    lookupNotices: [],
    reviews: [],
    webhooks: [],
    webhookEvents: [],
  }
}

/** `count` accounts with their own admins, and one invitee following them all. */
function worldWithAccounts (count: number): Seed {
  const accountIds = Array.from({ length: count }, (_, k) => `acc_${k + 1}`)
  return {
    version: 6,
    seededAt: '2026-11-21T02:00:00.000Z',
    accounts: accountIds.map((id, k) => ({ id, name: `测试号${k + 1}`, adminUserId: `u_admin${k + 1}`, riskProtection: false, riskAlerts: true })),
    users: [
      ...accountIds.map((id, k) => person(`u_admin${k + 1}`, `admin_${pad(k + 1)}`, 50 + k, [id])),
      person('u_invitee1', 'invitee_01', 1, accountIds),
    ],
    bindings: [],
    invitations: [{ id: 'i_0', code: 'AAAA', accountId: 'acc_6', inviteeUserId: 'u_invitee1', invitedBy: 'u_admin6', role: 'short', createdAt: '2026-11-21T01:00:00.000Z', expiresAt: '2026-11-22T01:00:00.000Z', status: 'pending' }],
    renewals: [],
    approvals: [],
    logins: [],
    history: [],
    outbox: [],
    digestEntries: [],
    lookupNotices: [],
    reviews: [],
    webhooks: [],
    webhookEvents: [],
  }
}

test('re-inviting after an invitation lapsed by the clock: the old one closes then, and no sweep later tells the admin it expired', async (t) => {
  const w = await worldFor(t)
  await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 短期 晨光茶馆')
  w.clock.advance(25 * 3_600_000)
  t.true((await w.ask(WANGFANG, '重发邀请 zhouxiao_new 晨光茶馆')).startsWith('已重新发送邀请'))
  const before = w.inbox(WANGFANG).length
  await w.assistant.jobs.expirySweep(w.clock.at)
  await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  t.false(w.inbox(WANGFANG).slice(before).some((text) => text.includes('已过期')), 'no stale lapse notice')
  t.is((await w.db.document()).invitations.filter((i) => i.inviteeUserId === 'u_zhouxiao' && i.status === 'pending').length, 1)
})
