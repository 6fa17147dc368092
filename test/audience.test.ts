// A good neighbour in someone else's bot: whom the assistant answers (`contacts`), whether it answers in
// rooms (`rooms`), whether it accepts friend requests (`acceptFriendRequests`). Through the mock puppet;
// a message left unanswered is waited for by its arrival at the bot and the assistant settling, never a sleep.
import test from 'ava'
import { readFile } from 'node:fs/promises'
import type { Contact, Room } from 'wechaty'
import type { Logger } from '../src/log.js'
import type { Seed } from '../src/store/schema.js'
import { SEED_FILE, startWorld, worldFor } from './fixture.js'
import type { World } from './fixture.js'

const WANGFANG = 'u_wangfang' // admin of 晨光茶馆
const ZHANGWEI = 'u_zhangwei'
const ZHOUXIAO = 'u_zhouxiao'
const ROOM_HINT = '为保护隐私,公众号绑定信息只在私聊中提供。请私聊我,发送 帮助 开始。'
const FRIENDSHIP_RECEIVE = 2
const FRIENDSHIP_CONFIRM = 1

/** Resolves once the bot has received a message from this contact (and so the assistant has taken it in). */
function arrival (w: World, contactId: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (message: { talker: () => { id: string } }): void => {
      if (message.talker().id !== contactId) return
      w.bot.off('message', listener)
      resolve()
    }
    w.bot.on('message', listener)
  })
}

/** Sends from a contact that is not a demo user's, and resolves with whatever the assistant said back once settled. */
async function sayAsStranger (w: World, stranger: ReturnType<World['mocker']['createContact']>, text: string): Promise<string[]> {
  const replies: string[] = []
  stranger.on('message', (message) => { if (message.payload.talkerId === w.botContact.id) replies.push(message.payload.text ?? '') })
  const arrived = arrival(w, stranger.id)
  stranger.say(text).to(w.botContact)
  await arrived
  await w.settled()
  return replies
}

/** Says `text` in the room as the user and resolves with the assistant's messages in the room once settled. */
async function sayInRoom (w: World, room: Room | ReturnType<World['mocker']['createRoom']>, userId: string, text: string): Promise<string[]> {
  const replies: string[] = []
  const mockRoom = room as ReturnType<World['mocker']['createRoom']>
  mockRoom.on('message', (message) => { if (message.payload.talkerId === w.botContact.id) replies.push(message.payload.text ?? '') })
  const arrived = arrival(w, w.contact(userId).id)
  w.contact(userId).say(text).to(mockRoom)
  await arrived
  await w.settled()
  return replies
}

interface FriendshipPuppet {
  emit: (event: string, payload: unknown) => void
  friendshipRawPayload: (id: string) => Promise<unknown>
  friendshipAccept: (id: string) => Promise<void>
}

/** Friend requests (and confirmations) from contacts, through the puppet; returns the ids the assistant accepted. */
function friendRequests (w: World) {
  const puppet = (w.mocker as unknown as { puppet: FriendshipPuppet }).puppet
  const payloads = new Map<string, { contactId: string, type: number }>()
  const accepted: string[] = []
  puppet.friendshipRawPayload = async (id) => ({ id, hello: '你好', timestamp: Date.now(), ...payloads.get(id) })
  puppet.friendshipAccept = async (id) => { accepted.push(id) }
  return {
    accepted,
    /** Emits the event and resolves once every listener has seen it. */
    send: (id: string, contactId: string, type: number): Promise<void> => {
      payloads.set(id, { contactId, type })
      const seen = new Promise<void>((resolve) => w.bot.once('friendship', () => resolve()))
      puppet.emit('friendship', { friendshipId: id })
      return seen
    },
  }
}

async function demoSeed (): Promise<Seed> {
  return JSON.parse(await readFile(SEED_FILE, 'utf8')) as Seed
}

test('the defaults answer anyone, in private and in rooms, and accept friend requests', async (t) => {
  const w = await worldFor(t)
  const stranger = w.mocker.createContact({ id: 'wx-stranger', name: '陌生人', handle: 'stranger_01' })
  t.is((await sayAsStranger(w, stranger, '帮助')).length, 1, 'a stranger gets the menu')
  const room = w.mocker.createRoom({ topic: '运营交流群', memberIdList: [w.botContact.id, w.contact(ZHANGWEI).id] })
  t.deepEqual(await sayInRoom(w, room, ZHANGWEI, '绑定查询'), [ROOM_HINT])
  const requests = friendRequests(w)
  await requests.send('f-1', stranger.id, FRIENDSHIP_RECEIVE)
  await w.ask(ZHANGWEI, '帮助') // whatever the request started has finished by the time this is answered
  t.deepEqual(requests.accepted, ['f-1'])
})

test('contacts: \'known\' answers the assistant\'s users only: a stranger hears nothing, in private or in a room, and is not befriended', async (t) => {
  const seed = await demoSeed()
  delete seed.users.find((u) => u.id === ZHOUXIAO)!.contactId // known by WeChat ID only, not yet by contact
  const w = await worldFor(t, { seed, plugin: { contacts: 'known' } })
  const stranger = w.mocker.createContact({ id: 'wx-stranger', name: '陌生人', handle: 'stranger_01' })
  t.deepEqual(await sayAsStranger(w, stranger, '帮助'), [])
  t.deepEqual(await sayAsStranger(w, stranger, '绑定查询 13800138000'), [])

  const room = w.mocker.createRoom({ topic: '运营交流群', memberIdList: [w.botContact.id, stranger.id, w.contact(ZHANGWEI).id] })
  const strangerInRoom: string[] = []
  room.on('message', (message) => { if (message.payload.talkerId === w.botContact.id) strangerInRoom.push(message.payload.text ?? '') })
  const arrived = arrival(w, stranger.id)
  stranger.say('绑定查询').to(room)
  await arrived
  await w.settled()
  t.deepEqual(strangerInRoom, [], 'not in a room either')
  t.deepEqual(await sayInRoom(w, room, ZHANGWEI, '绑定查询'), [ROOM_HINT], 'a known user is still told to chat privately')

  t.true((await w.ask(ZHANGWEI, '绑定查询 13800138000')).includes('共 2 个'), 'a known user is answered')
  const zhouxiao = w.mocker.createContact({ id: 'wx-zhouxiao', name: '周晓', handle: 'zhouxiao_new' })
  t.is((await sayAsStranger(w, zhouxiao, '帮助')).length, 1, 'a user first met by WeChat ID is known')

  const requests = friendRequests(w)
  await requests.send('f-stranger', stranger.id, FRIENDSHIP_RECEIVE)
  await requests.send('f-zhangwei', w.contact(ZHANGWEI).id, FRIENDSHIP_RECEIVE)
  await w.ask(ZHANGWEI, '帮助')
  t.deepEqual(requests.accepted, ['f-zhangwei'], 'only a known contact\'s request is accepted')
})

test('contacts: a function of the contact decides, async or not; one that throws answers no and is logged', async (t) => {
  const asked: string[] = []
  const w = await worldFor(t, {
    plugin: {
      contacts: async (contact: Contact) => {
        asked.push(contact.handle() ?? '')
        return contact.name() !== '张伟'
      },
    },
  })
  const arrived = arrival(w, w.contact(ZHANGWEI).id)
  w.send(ZHANGWEI, '帮助')
  await arrived
  await w.settled()
  t.deepEqual(w.inbox(ZHANGWEI), [], '张伟 is left to the host bot')
  t.true((await w.ask(WANGFANG, '帮助')).length > 0, '王芳 is answered')
  t.deepEqual(asked, ['zhangwei_ops', 'wangfang_tea'], 'the matcher sees the chat contact')

  const errors: string[] = []
  const log: Logger = { info: () => undefined, warn: () => undefined, error: (message) => errors.push(message) }
  const failing = await worldFor(t, { plugin: { log, contacts: () => { throw new Error('the host\'s records are down') } } })
  const failed = arrival(failing, failing.contact(WANGFANG).id)
  failing.send(WANGFANG, '帮助')
  await failed
  await failing.settled()
  t.deepEqual(failing.inbox(WANGFANG), [])
  t.deepEqual(errors, [`the contacts matcher failed for contact ${failing.contact(WANGFANG).id}; not answering`])
})

test('rooms: false leaves every room alone; a function of the room picks rooms; private chat goes on', async (t) => {
  const w = await worldFor(t, { plugin: { rooms: false } })
  const room = w.mocker.createRoom({ topic: '运营交流群', memberIdList: [w.botContact.id, w.contact(ZHANGWEI).id] })
  t.deepEqual(await sayInRoom(w, room, ZHANGWEI, '绑定查询 13800138000'), [], 'a command in a room')
  const mention = w.mocker.createRoom({ topic: '闲聊群', memberIdList: [w.botContact.id, w.contact(ZHANGWEI).id] })
  const replies: string[] = []
  mention.on('message', (message) => { if (message.payload.talkerId === w.botContact.id) replies.push(message.payload.text ?? '') })
  const arrived = arrival(w, w.contact(ZHANGWEI).id)
  w.contact(ZHANGWEI).say('@公众平台安全助手 你好', [w.botContact]).to(mention)
  await arrived
  await w.settled()
  t.deepEqual(replies, [], 'an @-mention in a room')
  t.true((await w.ask(ZHANGWEI, '绑定查询 13800138000')).includes('共 2 个'), 'private chat is answered')

  const picky = await worldFor(t, { plugin: { rooms: async (r: Room) => (await r.topic()) === '运营交流群' } })
  const chosen = picky.mocker.createRoom({ topic: '运营交流群', memberIdList: [picky.botContact.id, picky.contact(ZHANGWEI).id] })
  const other = picky.mocker.createRoom({ topic: '闲聊群', memberIdList: [picky.botContact.id, picky.contact(ZHANGWEI).id] })
  t.deepEqual(await sayInRoom(picky, other, ZHANGWEI, '绑定查询'), [])
  t.deepEqual(await sayInRoom(picky, chosen, ZHANGWEI, '绑定查询'), [ROOM_HINT])
})

test('acceptFriendRequests: false leaves requests to the host; once the host accepts, the waiting invitation goes out', async (t) => {
  const seed = await demoSeed()
  delete seed.users.find((u) => u.id === ZHOUXIAO)!.contactId
  const w = await worldFor(t, { seed, plugin: { acceptFriendRequests: false } })
  t.true((await w.ask(WANGFANG, '绑定运营者 zhouxiao_new 长期 晨光茶馆')).includes('但邀请暂时没有送达'))
  const zhouxiao = w.mocker.createContact({ id: 'wx-zhouxiao', name: '周晓', handle: 'zhouxiao_new' })
  const invitation = new Promise<string>((resolve) => {
    zhouxiao.on('message', (message) => { if (message.payload.talkerId === w.botContact.id) resolve(message.payload.text ?? '') })
  })
  const requests = friendRequests(w)
  await requests.send('f-1', zhouxiao.id, FRIENDSHIP_RECEIVE)
  await w.ask(WANGFANG, '帮助')
  t.deepEqual(requests.accepted, [], 'not accepted by the assistant')

  await requests.send('f-2', zhouxiao.id, FRIENDSHIP_CONFIRM) // the host accepted it
  t.true((await invitation).includes('邀请你成为「晨光茶馆」的长期运营者'))
})

test('options about whom to answer, and the logger, are checked at start, each wrong one named with what it takes', async (t) => {
  const error = await t.throwsAsync(startWorld({ plugin: { contacts: 'konwn', rooms: 'no', acceptFriendRequests: 'yes', log: { info: () => undefined } } as never }))
  t.is(error?.message, 'SecurityAssistant: invalid options (' +
    "contacts: 'all', 'known', or a function (contact) => boolean (or a Promise of one); " +
    'rooms: true, false, or a function (room) => boolean (or a Promise of one); ' +
    'acceptFriendRequests: true or false; ' +
    'log: an object with info, warn and error functions (createLogger() makes one))')
})
