// The interactive console of the demo: a person types as any demo user and sees every message the
// assistant sends, pushes to other users marked with their recipient.
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { FileBox } from 'file-box'
import type { Message, Wechaty } from 'wechaty'
import type { mock } from 'wechaty-puppet-mock'
import type { Platform } from '../assistant.js'
import { OPERATIONS } from '../domain/permissions.js'
import type { Operation } from '../domain/permissions.js'
import type { Store } from '../store/store.js'
import type { User } from '../store/schema.js'
import { maskIdNumber, maskPhone } from '../domain/identity.js'
import { contactFor } from './world.js'
import type { MockContact } from './world.js'
import { apiTexts, texts } from '../texts.js'
import type { LoginStatusView } from '../services/logins.js'

export interface ConsoleOptions {
  bot: Wechaty
  mocker: mock.Mocker
  botContact: MockContact
  /** Contacts by user id; users added later (through the platform API) get theirs on first use. */
  contacts: Map<string, MockContact>
  store: Store
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
  const { bot, mocker, botContact, contacts, store, write } = options
  // The live list: the platform API adds users while the console runs.
  const users = (): readonly User[] => store.data.users
  let current: User = users().find((u) => store.bindingsOfUser(u.id).length > 0) ?? users()[0]!
  let room: ReturnType<mock.Mocker['createRoom']> | undefined

  const nameOf = (contactId: string | undefined): string =>
    users().find((u) => (u.contactId ?? u.id) === contactId)?.name ?? contactId ?? '?'

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
    if (inRoom) write(`[群聊] 助手: ${text}`)
    else if (to === (current.contactId ?? current.id)) write(`助手 → ${current.name}:\n${indent(text)}`)
    else write(`[推送 → ${nameOf(to)}]\n${indent(text)}`)
    if (replied) {
      if (inRoom || to === (current.contactId ?? current.id)) replied()
    } else {
      prompt() // a push arrived between lines: show again where the person was typing
    }
  }
  bot.on('message', onMessage)

  const lines = createInterface({ input: options.input, terminal: false })
  const prompt = (): void => options.prompt?.(`${current.name}> `)

  const describeUser = (u: User): string => {
    const adminOf = store.accountsAdministeredBy(u.id).map((a) => a.name)
    const bound = store.bindingsOfUser(u.id).filter((b) => !b.endedAt).length
    const roles = [adminOf.length ? `admin of ${adminOf.join('、')}` : '', bound ? `${bound} operator binding(s)` : ''].filter(Boolean)
    return `  ${u.name.padEnd(10)} ${u.wechatId.padEnd(16)} ${roles.join('; ') || 'no roles'}`
  }

  /** Returns whether the line sent something the assistant will answer. */
  const runCommand = (line: string): boolean => {
    const [name, ...rest] = line.slice(1).split(/\s+/)
    const arg = rest.join(' ')
    switch (name) {
      case 'users':
        write(users().map(describeUser).join('\n'))
        break
      case 'as': {
        const found = findUser(arg)
        if (!found) write(`No demo user "${arg}". /users lists them.`)
        else {
          current = found
          write(`Now chatting as ${current.name} (${current.wechatId}).`)
        }
        break
      }
      case 'me':
        write(`${current.name}: 微信号 ${current.wechatId}, 手机号 ${current.phone ?? '-'}, 身份证号 ${current.idNumber ?? '-'}` +
          ' (fictional demo data; the assistant itself only ever shows them masked, e.g. ' +
          `${current.phone ? maskPhone(current.phone) : ''} ${current.idNumber ? maskIdNumber(current.idNumber) : ''})`)
        break
      case 'room': {
        const talker = contactOf(current) // first, so a user added later is a member of a room made now
        room ??= mocker.createRoom({ topic: '运营交流群', memberIdList: [botContact.id, ...[...contacts.values()].map((c) => c.id)] })
        talker.say(arg || '帮助', [botContact]).to(room)
        return true
      }
      case 'image':
        contactOf(current).say(FileBox.fromBase64(PIXEL_PNG, 'photo.png')).to(botContact)
        return true
      case 'op':
        void playPlatform(rest)
        return false
      case 'digest':
        void sendDigest()
        return false
      case 'login':
        void playLogin(rest)
        return false
      case 'webhook':
        void playWebhook(arg)
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

  const findUser = (word: string | undefined): User | undefined => users().find((u) => u.name === word || u.wechatId === word || u.id === word)

  /** /op 张伟 晨光茶馆 login: the platform asks the assistant about a risky operation. */
  const playPlatform = async ([who, accountWord, operation]: string[]): Promise<void> => {
    const actor = findUser(who)
    const account = store.data.accounts.find((a) => a.name === accountWord || a.id === accountWord)
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
    const actor = findUser(who)
    const account = store.data.accounts.find((a) => a.name === accountWord || a.id === accountWord)
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

  const handleLine = async (raw: string): Promise<void> => {
    const line = raw.trim()
    if (line !== '') {
      const reply = waitForReply()
      let sent = true
      if (line.startsWith('/')) sent = runCommand(line)
      else contactOf(current).say(line).to(botContact)
      if (sent) await reply
      else replied?.()
    }
    prompt()
  }
  void (async () => {
    for await (const line of lines) await handleLine(line)
  })()

  if (options.prompt) {
    write(`${CONSOLE_HELP}\n\nChatting as ${current.name} (${current.wechatId}). Try 帮助 or 绑定查询.`)
    prompt()
  }

  return {
    close: () => {
      bot.off('message', onMessage)
      lines.close()
    },
  }
}

function describeLogin ({ outcome, operation: asked }: LoginStatusView): string {
  const message = texts.loginMessage(outcome)
  const operation = (outcome.state === 'pending' || outcome.state === 'refused') && asked ? ` (operation ${asked.approval.id}: ${asked.state})` : ''
  return `${outcome.state}${'reason' in outcome ? ` ${outcome.reason}` : ''}${operation}${message ? `: ${message}` : ''}`
}

function indent (text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n')
}
