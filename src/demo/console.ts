// The interactive console of the demo: a person types as any demo user and sees every message the
// assistant sends, pushes to other users marked with their recipient. It reads the state through the
// store contract only, so it runs on the data file and on PostgreSQL alike.
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { FileBox } from 'file-box'
import type { Message, Wechaty } from 'wechaty'
import type { mock } from 'wechaty-puppet-mock'
import type { Platform } from '../assistant.js'
import { OPERATIONS } from '../domain/permissions.js'
import type { Operation } from '../domain/permissions.js'
import type { StoreReader } from '../store/contract.js'
import type { Account, User } from '../store/schema.js'
import { maskIdNumber, maskPhone } from '../domain/identity.js'
import { contactFor, everyUser } from './world.js'
import type { MockContact } from './world.js'
import { apiTexts, texts } from '../texts.js'
import type { LoginStatusView } from '../services/logins.js'

export interface ConsoleOptions {
  bot: Wechaty
  mocker: mock.Mocker
  botContact: MockContact
  /** Contacts by user id; users added later (through the platform API) get theirs on first use. */
  contacts: Map<string, MockContact>
  /** The state, through the store contract: the data file's engine or PostgreSQL's. */
  reads: StoreReader
  /** The console plays the platform with /op. */
  platform: Platform
  /** /digest: sends the daily digest of 风险操作提醒 that would go at the next 08:00, now; returns how many went. */
  digest?: () => Promise<unknown>
  input: Readable
  write: (line: string) => void
  /** Asked for by /quit. */
  onQuit: () => void
  /** Shows the prompt when a person is typing; absent when lines are piped in. */
  prompt?: (text: string) => void
}

const CONSOLE_HELP = [
  'Type a message to send it to the assistant as the current user.',
  '  /users          the demo users and their roles',
  '  /as <name>      chat as another user (name, WeChat ID or user id)',
  '  /me             the current user\'s own phone, ID number and WeChat ID, to try 绑定查询 with',
  '  /room <text>    say <text> in a group chat with the assistant',
  '  /image          send a picture',
  `  /op <user> <account> <operation>   play the platform: ${OPERATIONS.join(', ')}`,
  '  /digest         send now the daily 风险操作提醒 digest due at the next 08:00 (after 风险操作提醒 登录 汇总)',
  '  /login <user> <account>   play the platform\'s login: the user is asked to confirm it (确认登录); /login <id> reads its state',
  '  /webhook <url>  play the platform: register its webhook (each outcome is POSTed there, signed)',
  '  /webhook        the webhook and its latest events, as POSTed; /webhook off removes it',
  '  /help           this list',
  '  /quit           stop the assistant',
].join('\n')

/** A tiny transparent PNG: the mock turns a png file into an image message. */
const REPLY_WAIT = 5_000
const PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='

export function startConsole (options: ConsoleOptions): { close: () => void } {
  const { bot, mocker, botContact, contacts, reads, write } = options
  /** Said instead of a stack trace when a read fails (a database gone away): the console carries on. */
  const report = (err: unknown): void => write(`(the console could not do that: ${(err as Error).message})`)
  // The first person to chat as: one with an operator binding, to try 绑定查询 with.
  const ready = firstPerson(reads)
  let current: User | undefined
  let room: ReturnType<mock.Mocker['createRoom']> | undefined

  const nameOf = async (contactId: string | undefined): Promise<string> => {
    if (contactId === undefined) return '?'
    return ((await reads.userByContact(contactId)) ?? (await reads.user(contactId)))?.name ?? contactId
  }
  const contactIdOf = (user: User): string => user.contactId ?? user.id

  // What the assistant says is printed in the order it said it, though naming a recipient asks the store.
  let printing: Promise<void> = ready.then(() => undefined, () => undefined)
  const inOrder = (step: () => Promise<void>): void => { printing = printing.then(step).catch(report) }

  // Each message to the assistant gets one reply; the next line waits for it, so piped scripts read in order.
  let replied: (() => void) | undefined
  const waitForReply = (): Promise<void> => new Promise((resolve) => {
    const timer = setTimeout(() => { replied = undefined; resolve() }, REPLY_WAIT)
    replied = () => { clearTimeout(timer); replied = undefined; resolve() }
  })

  const onMessage = (message: Message): void => {
    if (!message.self()) return
    const text = message.text()
    const inRoom = message.room()
    const to = message.listener()?.id
    const chattingAs = current // as it was when the message came, whatever is typed meanwhile
    inOrder(async () => {
      const me = chattingAs ?? await ready
      const toMe = !inRoom && to === contactIdOf(me)
      if (inRoom) write(`[群聊] 助手: ${text}`)
      else if (toMe) write(`助手 → ${me.name}:\n${indent(text)}`)
      else write(`[推送 → ${await nameOf(to)}]\n${indent(text)}`)
      if (replied) {
        if (inRoom || toMe) replied()
      } else {
        prompt() // a push arrived between lines: show again where the person was typing
      }
    })
  }
  bot.on('message', onMessage)

  const lines = createInterface({ input: options.input, terminal: false })
  // Taken at once: lines read before anyone iterates would be lost, and the first person is still being read.
  const typed = lines[Symbol.asyncIterator]()
  const prompt = (): void => { if (current) options.prompt?.(`${current.name}> `) }

  const describeUser = async (u: User): Promise<string> => {
    const adminOf = (await reads.accountsAdministeredBy(u.id)).map((a) => a.name)
    const bound = (await reads.bindingsOfUser(u.id)).filter((b) => !b.endedAt).length
    const roles = [adminOf.length ? `admin of ${adminOf.join('、')}` : '', bound ? `${bound} operator binding(s)` : ''].filter(Boolean)
    return `  ${u.name.padEnd(10)} ${u.wechatId.padEnd(16)} ${roles.join('; ') || 'no roles'}`
  }

  /** Returns whether the line sent something the assistant will answer. */
  const runCommand = async (line: string, me: User): Promise<boolean> => {
    const [name, ...rest] = line.slice(1).split(/\s+/)
    const arg = rest.join(' ')
    switch (name) {
      case 'users': {
        const described: string[] = []
        for (const user of await everyUser(reads)) described.push(await describeUser(user))
        write(described.join('\n'))
        break
      }
      case 'as': {
        const found = await findUser(arg)
        if (!found) write(`No demo user "${arg}". /users lists them.`)
        else {
          current = found
          write(`Now chatting as ${current.name} (${current.wechatId}).`)
        }
        break
      }
      case 'me': {
        const now = (await reads.user(me.id)) ?? me // as the platform may have changed them since
        write(`${now.name}: 微信号 ${now.wechatId}, 手机号 ${now.phone ?? '-'}, 身份证号 ${now.idNumber ?? '-'}` +
          ' (fictional demo data; the assistant itself only ever shows them masked, e.g. ' +
          `${now.phone ? maskPhone(now.phone) : ''} ${now.idNumber ? maskIdNumber(now.idNumber) : ''})`)
        break
      }
      case 'room': {
        const talker = contactOf(me) // first, so a user added later is a member of a room made now
        room ??= mocker.createRoom({ topic: '运营交流群', memberIdList: [botContact.id, ...[...contacts.values()].map((c) => c.id)] })
        talker.say(arg || '帮助', [botContact]).to(room)
        return true
      }
      case 'image':
        contactOf(me).say(FileBox.fromBase64(PIXEL_PNG, 'photo.png')).to(botContact)
        return true
      case 'op':
        playPlatform(rest).catch(report)
        return false
      case 'digest':
        sendDigest().catch(report)
        return false
      case 'login':
        playLogin(rest).catch(report)
        return false
      case 'webhook':
        playWebhook(arg).catch(report)
        return false
      case 'quit':
        options.onQuit()
        return false
      case 'help':
      default:
        write(CONSOLE_HELP)
    }
    return false
  }

  const contactOf = (user: User): MockContact => contactFor(mocker, contacts, user)

  /** By user id, WeChat ID or name (the demo's people are few: a name is looked for among all of them). */
  const findUser = async (word: string | undefined): Promise<User | undefined> => {
    if (!word) return undefined
    return (await reads.user(word)) ?? (await reads.userByWechatId(word)) ?? (await everyUser(reads)).find((u) => u.name === word)
  }

  /** By name or account id. */
  const findAccount = async (word: string | undefined): Promise<Account | undefined> =>
    word ? (await reads.accountNamed(word)) ?? (await reads.account(word)) : undefined

  /** /op 张伟 晨光茶馆 login: the platform asks the assistant about a risky operation. */
  const playPlatform = async ([who, accountWord, operation]: string[]): Promise<void> => {
    const actor = await findUser(who)
    const account = await findAccount(accountWord)
    if (!actor || !account || !OPERATIONS.includes(operation as Operation)) {
      write(`Usage: /op <user> <account> <operation>, e.g. /op 张伟 晨光茶馆 login. Operations: ${OPERATIONS.join(', ')}`)
      return
    }
    const answer = await options.platform.operations.request(account.id, actor.wechatId, operation as Operation)
    const worded = texts.operationAnswer(answer)
    const detail = worded.result === 'allowed' ? '' : worded.result === 'pending' ? ` (id ${worded.id}: ${worded.message})` : ` (${worded.reason}: ${worded.message})`
    write(`[平台] ${actor.name} 在「${account.name}」${operation} → ${answer.result}${detail}`)
    prompt()
  }

  const sendDigest = async (): Promise<void> => {
    const sent = Number(await options.digest?.() ?? 0)
    write(sent > 0 ? `[08:00] ${sent} 份风险操作每日汇总已发出` : '[08:00] 没有等待汇总的风险操作,不发汇总(先发送 风险操作提醒 登录 汇总,再用 /op 让运营者登录)')
    prompt()
  }

  /** /login 张伟 晨光茶馆: the platform asks for a login, which the person confirms in chat; /login lg_… reads it. */
  const playLogin = async ([who, accountWord]: string[]): Promise<void> => {
    if (who?.startsWith('lg_') && accountWord === undefined) {
      const found = await options.platform.logins.status(who)
      write(found ? `[平台] ${found.user.name} 登录「${found.account.name}」 → ${describeLogin(found)}` : `No login ${who}.`)
      return prompt()
    }
    const actor = await findUser(who)
    const account = await findAccount(accountWord)
    if (!actor || !account) {
      write('Usage: /login <user> <account>, e.g. /login 张伟 晨光茶馆; /login <id> shows what became of one.')
      return
    }
    const result = await options.platform.logins.request(account.id, actor.wechatId)
    if (result.kind === 'asked') write(`[平台] ${actor.name} 登录「${account.name}」 → 等待本人确认 (id ${result.login.id}; /login ${result.login.id} shows its state)`)
    prompt()
  }

  /** /webhook [url|off]: the platform registers, reads or removes its webhook. */
  const playWebhook = async (arg: string): Promise<void> => {
    const { webhook } = options.platform
    if (arg === 'off') {
      const removed = await webhook.remove()
      write(removed ? `[平台] webhook removed (${removed.droppedEvents} event(s) dropped with it)` : '[平台] no webhook is registered')
    } else if (arg !== '') {
      const result = await webhook.register(arg, false)
      if (result.kind === 'refused') write(`[平台] ${apiTexts.badWebhookUrl(result.problem)}`)
      else write(`[平台] webhook ${result.created ? 'registered' : 'moved'}: ${result.webhook.url}` + (result.secret ? `\n  secret (shown once): ${result.secret}` : ''))
    } else {
      const current = await webhook.current()
      if (!current) {
        write('[平台] no webhook is registered: /webhook http://127.0.0.1:9000/hook registers one (nothing needs to listen there: failed attempts are shown here too)')
      } else {
        const events = await webhook.recent(5)
        write([`[平台] webhook ${current.url}; latest events, newest first:`,
          ...events.map((e) => `  ${e.deliveredAt ? 'delivered' : e.failedAt ? 'given up' : `waiting (${e.attempts} attempt(s)${e.lastError ? `, last: ${e.lastError}` : ''})`}  ${e.body}`),
          ...(events.length === 0 ? ['  (none yet: approve or refuse an operation, accept an invitation, unbind…)'] : [])].join('\n'))
      }
    }
    prompt()
  }

  const handleLine = async (raw: string, me: User): Promise<void> => {
    const line = raw.trim()
    if (line !== '') {
      const reply = waitForReply()
      let sent = true
      if (line.startsWith('/')) sent = await runCommand(line, me).catch((err: unknown) => { report(err); return false })
      else contactOf(me).say(line).to(botContact)
      if (sent) await reply
      else replied?.()
    }
    prompt()
  }
  void (async () => {
    try {
      current = await ready
    } catch (err) {
      report(err)
      return
    }
    if (options.prompt) {
      write(`${CONSOLE_HELP}\n\nChatting as ${current.name} (${current.wechatId}). Try 帮助 or 绑定查询.`)
      prompt()
    }
    for await (const line of { [Symbol.asyncIterator]: () => typed }) await handleLine(line, current)
  })()

  return {
    close: () => {
      bot.off('message', onMessage)
      lines.close()
    },
  }
}

/** The first user with an operator binding (to try 绑定查询 with), or else the first user. */
async function firstPerson (reads: StoreReader): Promise<User> {
  const users = await everyUser(reads)
  for (const user of users) if ((await reads.bindingsOfUser(user.id)).length > 0) return user
  if (users[0]) return users[0]
  throw new Error('there is nobody to chat as: the state holds no users (start from the demo world with an empty data file or database)')
}

function describeLogin ({ outcome, operation: asked }: LoginStatusView): string {
  const message = texts.loginMessage(outcome)
  const operation = (outcome.state === 'pending' || outcome.state === 'refused') && asked ? ` (operation ${asked.approval.id}: ${asked.state})` : ''
  return `${outcome.state}${'reason' in outcome ? ` ${outcome.reason}` : ''}${operation}${message ? `: ${message}` : ''}`
}

function indent (text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n')
}
