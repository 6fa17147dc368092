// How the assistant behaves as a chat partner: menus, rooms, non-text, duplicates, order, failures.
import test from 'ava'
import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { FileBox } from 'file-box'
import { embeddedOnly, worldFor } from './fixture.js'

test('帮助, 菜单 and help show the menu; an admin also hears which accounts they administer', async (t) => {
  const w = await worldFor(t)
  const operatorMenu = await w.ask('u_zhangwei', '帮助')
  for (const command of ['绑定查询', '解绑 序号', '我的邀请', '续期', '取消', '帮助']) t.true(operatorMenu.includes(command), command)
  t.false(operatorMenu.includes('管理员:'))
  t.is(await w.ask('u_zhangwei', '菜单'), operatorMenu)
  t.is(await w.ask('u_zhangwei', 'help'), operatorMenu)
  const adminMenu = await w.ask('u_wangfang', '帮助')
  t.true(adminMenu.includes('你是「晨光茶馆」「青禾书店」的管理员'), adminMenu)
  for (const command of ['绑定运营者', '运营者列表', '解绑运营者', '撤销邀请', '重发邀请', '同意 编号', '允许 编号', '风险操作保护', '风险操作提醒', '操作记录']) t.true(adminMenu.includes(command), command)
})

const UNKNOWN = '没看懂这条消息。发送 帮助 查看可用命令;查询绑定请发送 绑定查询。'

test('an unknown text gets a pointer to the menu, without quoting the text back', async (t) => {
  const w = await worldFor(t)
  t.is(await w.ask('u_zhangwei', '你好'), UNKNOWN)
  t.is(await w.ask('u_zhangwei', 'helpful'), UNKNOWN)
})

test('a phone or ID number typed where it does not belong is never quoted back whole', async (t) => {
  const w = await worldFor(t)
  t.is(await w.ask('u_zhangwei', '13800138000'), UNKNOWN)
  await w.ask('u_zhangwei', '绑定查询 13800138000')
  const bad = await w.ask('u_zhangwei', '解绑 13800138000')
  t.true(bad.startsWith('解绑 后面请写查询结果里的序号(共 2 个)'), bad)
  const notAWechatId = await w.ask('u_liqiang', '撤销邀请 510107199208150069')
  t.true(notAWechatId.startsWith('微信号格式不对:应以字母开头。') && notAWechatId.includes('重新发送 撤销邀请 微信号'), notAWechatId)
  for (const spelling of ['138/0013/8000', '138,0013,8000', '138:0013:8000']) {
    t.false((await w.ask('u_liqiang', `解绑运营者 ${spelling}`)).includes(spelling), 'a typed WeChat ID that cannot be one is never quoted')
  }
  t.false((await w.ask('u_liqiang', '操作记录 138/0013/8000')).includes('138/0013/8000'), 'nor an account name that does not exist')
  t.false([...w.inbox('u_zhangwei'), ...w.inbox('u_liqiang')].some((text) => /13800138000|510107199208150069/.test(text)))
})

test('in a group chat the assistant shows no account data and asks for a private chat', async (t) => {
  const w = await worldFor(t)
  const room = w.mocker.createRoom({ topic: '运营交流群', memberIdList: [w.botContact.id, w.contact('u_zhangwei').id, w.contact('u_wangfang').id] })
  const replies: string[] = []
  const replied = new Promise<void>((resolve) => {
    room.on('message', (message) => {
      if (message.payload.talkerId !== w.botContact.id) return
      replies.push(message.payload.text ?? '')
      resolve()
    })
  })
  w.contact('u_zhangwei').say('大家好').to(room) // chatter not addressed to the assistant is left alone
  w.contact('u_zhangwei').say('绑定查询 13800138000').to(room)
  await replied
  await w.settled()
  t.deepEqual(replies, ['为保护隐私,公众号绑定信息只在私聊中提供。请私聊我,发送 帮助 开始。'])
  t.deepEqual(w.inbox('u_zhangwei'), [], 'nothing was sent privately either')
})

test('a picture gets a short hint, and the chat goes on', async (t) => {
  const w = await worldFor(t)
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='
  const hint = new Promise<string>((resolve) => {
    w.contact('u_zhangwei').on('message', (message) => {
      if (message.payload.talkerId === w.botContact.id) resolve(message.payload.text ?? '')
    })
  })
  w.contact('u_zhangwei').say(FileBox.fromBase64(png, 'photo.png')).to(w.botContact)
  t.is(await hint, '我只能识别文字消息。发送 帮助 查看可用命令。')
  t.true((await w.ask('u_zhangwei', '绑定查询 13800138000')).includes('共 2 个'))
})

test('a duplicate delivery of one message is answered once, and the assistant ignores its own messages', async (t) => {
  const w = await worldFor(t)
  const puppet = (w.mocker as unknown as { puppet: { emit: (event: string, payload: unknown) => void } }).puppet
  let helpId = ''
  w.contact('u_zhangwei').on('message', (message) => {
    if (message.payload.talkerId === w.contact('u_zhangwei').id && message.payload.text === '帮助') helpId = message.id
  })
  await w.ask('u_zhangwei', '帮助')
  t.truthy(helpId)
  puppet.emit('message', { messageId: helpId })
  w.botContact.say('帮助').to(w.contact('u_zhangwei'))
  await w.ask('u_zhangwei', '取消')
  await w.settled()
  const inbox = w.inbox('u_zhangwei')
  t.is(inbox.length, 3, inbox.join(' | '))
  t.true(inbox[0]!.startsWith('公众平台安全助手可以帮你'))
  t.is(inbox[1], '帮助', 'the assistant\'s own message, not answered')
  t.true(inbox[2]!.startsWith('当前没有进行中的操作'))
})

test('one person\'s messages are answered in the order they were sent', async (t) => {
  const w = await worldFor(t)
  const texts = ['绑定查询', '1', '13800138000', '解绑 2', '确认']
  for (const text of texts) w.send('u_zhangwei', text)
  const inbox = await w.inboxOf('u_zhangwei', texts.length)
  t.true(inbox[0]!.startsWith('请选择查询方式'))
  t.true(inbox[1]!.startsWith('请输入你的 11 位手机号'))
  t.true(inbox[2]!.includes('共 2 个'))
  t.true(inbox[3]!.startsWith('确认解除你在「城西社区报」'))
  t.true(inbox[4]!.startsWith('已解除你在「城西社区报」'))
})

embeddedOnly('a data file that cannot be written: out of service from the first failed change, nothing acknowledged or pushed, no crash', async (t) => {
  const w = await worldFor(t)
  await w.ask('u_zhangwei', '绑定查询 13800138000')
  await w.ask('u_zhangwei', '解绑 1')
  await rm(dirname(w.dataFile), { recursive: true, force: true }) // the disk is gone
  const outOfService = '抱歉,公众平台安全助手暂时无法保存数据,已暂停服务,你的请求没有被处理。维护人员重启后即可恢复,请稍后再试。'
  t.is(await w.ask('u_zhangwei', '确认'), outOfService, 'the change whose write failed is answered like every later one')
  for (let i = 0; i < 3; i++) await w.assistant.jobs.outbox(w.clock.at)
  await w.settled()
  t.deepEqual(w.inbox('u_wangfang'), [], 'the admin is not told of an unbind that never reached the file')
  t.is(await w.ask('u_zhangwei', '绑定查询 13800138000'), outOfService, 'no answers from memory that is ahead of the file')
  t.is(await w.ask('u_liqiang', '帮助'), outOfService)
})

test('a person the assistant does not know can chat but finds no bindings', async (t) => {
  const w = await worldFor(t)
  const stranger = w.mocker.createContact({ name: '路人', handle: 'passer_by01' })
  const reply = new Promise<string>((resolve) => {
    stranger.on('message', (message) => {
      if (message.payload.talkerId === w.botContact.id) resolve(message.payload.text ?? '')
    })
  })
  stranger.say('绑定查询 13800138000').to(w.botContact)
  t.is(await reply, await w.ask('u_zhouxiao', '绑定查询 13911119001').then((r) => r.replace('139****9001', '138****8000')))
})
