// The Wechaty plugin: bot.use(SecurityAssistant({ dataFile })). Opens the store when installed, answers
// private messages, pushes queued messages, and closes everything when uninstalled or the bot stops.
import { types } from 'wechaty'
import type { Contact, Friendship, Message, Wechaty as WechatyInterface, WechatyPlugin } from 'wechaty'
import type { Millis } from '../domain/calendar.js'
import type { WindowLimit } from '../domain/rate-limit.js'
import { log as defaultLog } from '../log.js'
import type { Logger } from '../log.js'
import { Outbox } from '../outbox/outbox.js'
import type { ServiceContext } from '../services/context.js'
import { LookupService, DEFAULT_LOOKUP_LIMIT } from '../services/lookup.js'
import type { User } from '../store/schema.js'
import { Store } from '../store/store.js'
import { texts } from '../texts.js'
import { basicCommands } from './commands/basics.js'
import { lookupCommands } from './commands/lookup.js'
import { unbindCommands } from './commands/unbind.js'
import { adminCommands } from './commands/admin.js'
import { invitationCommands } from './commands/invitations.js'
import { InvitationService, DEFAULT_INVITATION_TTL } from '../services/invitations.js'
import { Conversation } from './conversation.js'
import { Dialogs } from './dialog.js'
import { MessageIntake } from './intake.js'

export interface SecurityAssistantOptions {
  /** The data file (created from `seedFile` when missing). */
  dataFile: string
  /** The world to start from on first run. */
  seedFile?: string
  /** The assistant's clock, in epoch milliseconds: every rule reads time from here. */
  clock?: () => Millis
  /** The chat's clock, for telling messages older than the start: defaults to Date.now. */
  wallClock?: () => number
  /** 绑定查询 per person: at most `max` lookups in `windowMs`. */
  lookupLimit?: WindowLimit
  /** How long an invitation can be answered, in milliseconds (24 hours). */
  invitationTtl?: Millis
  log?: Logger
}

/** What the runner and tests can reach once the plugin is installed. */
export interface RunningAssistant {
  store: Store
  outbox: Outbox
  /** Resolves when every received message has been answered and every queued push tried. */
  settled: () => Promise<void>
}

export interface SecurityAssistantPlugin extends WechatyPlugin {
  /** Resolves when the data file is open; rejects (with the reason) when start-up must stop. */
  ready: () => Promise<RunningAssistant>
  /** Stops handling messages, finishes writes and releases the data file. */
  close: () => Promise<void>
}

const SILENT_TYPES = new Set([types.Message.Recalled])

export function SecurityAssistant (options: SecurityAssistantOptions): SecurityAssistantPlugin {
  const clock = options.clock ?? Date.now
  const log = options.log ?? defaultLog
  let opening: Promise<RunningAssistant> | undefined
  let closing: Promise<void> | undefined
  let detach = (): void => {}

  const plugin = ((bot: WechatyInterface) => {
    if (opening) throw new Error('SecurityAssistant: this plugin instance is already installed')
    opening = start(bot)
    opening.catch((err) => log.error('start-up failed', err))
    return () => { void plugin.close() }
  }) as SecurityAssistantPlugin

  plugin.ready = () => opening ?? Promise.reject(new Error('SecurityAssistant: install it with bot.use() first'))

  plugin.close = () => {
    closing ??= (async () => {
      detach()
      const running = await opening?.catch(() => undefined)
      if (!running) return
      await running.settled()
      await running.store.close()
    })()
    return closing
  }

  async function start (bot: WechatyInterface): Promise<RunningAssistant> {
    const store = await Store.open({ file: options.dataFile, seedFile: options.seedFile, now: clock() })
    const outbox = new Outbox(store, (contactId, text) => sendTo(bot, contactId, text), clock, log)
    const services: ServiceContext = { store, now: clock, deliver: () => outbox.kick(), deliverNow: (id) => outbox.deliverNow(id), log }
    const conversation = buildConversation(
      services,
      new LookupService(services, options.lookupLimit ?? DEFAULT_LOOKUP_LIMIT),
      new InvitationService(services, options.invitationTtl ?? DEFAULT_INVITATION_TTL),
    )

    const identify = async (contact: Contact): Promise<User | undefined> => {
      const known = store.userByContact(contact.id)
      if (known) return known
      const handle = contact.handle()
      const user = handle ? store.userByWechatId(handle) : undefined
      if (user) await store.change((tx) => tx.setUserContact(user.id, contact.id))
      return user
    }

    const handle = async (message: Message): Promise<void> => {
      if (message.room()) {
        if (await message.mentionSelf() || conversation.isCommand(message.text().trim())) await message.say(texts.roomHint)
        return
      }
      if (message.type() !== types.Message.Text) {
        if (!SILENT_TYPES.has(message.type())) await message.say(texts.nonText)
        return
      }
      const talker = message.talker()
      const reply = await conversation.reply({
        text: message.text().trim(),
        sender: talker.id,
        asker: await identify(talker),
        now: clock(),
      })
      await message.say(reply)
    }

    const intake = new MessageIntake(handle, (message) => message.say(texts.failure).then(() => undefined), log, options.wallClock ?? Date.now)
    const onMessage = (message: Message): void => intake.accept(message)
    const onLogin = (): void => outbox.setOnline(true)
    const onLogout = (): void => outbox.setOnline(false)
    const onStop = (): void => { void plugin.close() }
    // Invitees must be able to add the assistant, or invitations cannot reach them.
    const onFriendship = (friendship: Friendship): void => {
      void (async () => {
        if (friendship.type() === types.Friendship.Receive) await friendship.accept()
        if (friendship.type() === types.Friendship.Receive || friendship.type() === types.Friendship.Confirm) {
          if (await identify(friendship.contact())) outbox.kick() // pushes that were waiting for this contact
        }
      })().catch((err) => log.error('handling a friend request failed', err))
    }
    bot.on('friendship', onFriendship)
    bot.on('message', onMessage)
    bot.on('login', onLogin)
    bot.on('logout', onLogout)
    bot.on('stop', onStop)
    detach = () => {
      bot.off('friendship', onFriendship)
      bot.off('message', onMessage)
      bot.off('login', onLogin)
      bot.off('logout', onLogout)
      bot.off('stop', onStop)
      outbox.setOnline(false)
    }
    if (bot.isLoggedIn) outbox.setOnline(true)
    log.info(`data file ${options.dataFile} open: ${store.data.accounts.length} accounts, ${store.data.bindings.length} bindings`)
    return {
      store,
      outbox,
      settled: async () => {
        await intake.idle()
        await outbox.idle()
      },
    }
  }

  return plugin
}

function buildConversation (services: ServiceContext, lookups: LookupService, invitationService: InvitationService): Conversation {
  const basics = basicCommands(services.store)
  const lookup = lookupCommands(lookups)
  const unbind = unbindCommands(services)
  const invitations = invitationCommands(services.store, invitationService)
  const admin = adminCommands(services, invitationService)
  return new Conversation(new Dialogs(), {
    'lookup.method': lookup.chooseMethod,
    'lookup.value': lookup.enterValue,
    'lookup.results': unbind.fromResults,
    'unbind.confirm': unbind.confirm,
    'admin.account': admin.chooseAccount,
    'remove.confirm': admin.confirmRemove,
  })
    .command(['帮助', '菜单', 'help', '?', '?'], basics.help)
    .command(['取消', 'cancel'], basics.cancel)
    .command(['绑定查询', '查询绑定'], lookup.start)
    .command(['解绑', '解除绑定'], unbind.command)
    .command(['我的邀请'], invitations.list)
    .command(['同意', '接受'], invitations.accept)
    .command(['拒绝'], invitations.decline)
    .command(['绑定运营者', '邀请运营者'], admin.invite)
    .command(['运营者列表'], admin.roster)
    .command(['解绑运营者'], admin.remove)
    .command(['撤销邀请'], admin.withdraw)
    .command(['重发邀请'], admin.resend)
}

async function sendTo (bot: WechatyInterface, contactId: string, text: string): Promise<void> {
  const contact = await bot.Contact.find({ id: contactId })
  if (!contact) throw new Error(`no chat contact ${contactId}`)
  await contact.say(text)
}
