// The Wechaty plugin: bot.use(SecurityAssistant({ dataFile })). Opens the store when installed, answers
// private messages, pushes queued messages, and closes everything when uninstalled or the bot stops.
import { types } from 'wechaty'
import type { Contact, Friendship, Message, Wechaty as WechatyInterface, WechatyPlugin } from 'wechaty'
import { openAssistant } from '../assistant.js'
import { checkConfig, isLogger } from '../config-check.js'
import type { Assistant, DatabaseOption, Schedules } from '../assistant.js'
import type { Millis } from '../domain/calendar.js'
import type { WindowLimit } from '../domain/rate-limit.js'
import { maskingLogger } from '../log.js'
import type { BackupPolicy } from '../jobs/backup.js'
import type { Logger } from '../log.js'
import { wechatyLogger } from '../wechaty-log.js'
import type { OutboxPolicy } from '../outbox/outbox.js'
import type { ContactService, SenderState } from '../services/contacts.js'
import type { WebhookPolicy } from '../domain/webhook.js'
import type { User } from '../store/schema.js'
import { texts } from '../texts.js'
import { normaliseText } from '../domain/identity.js'
import { StoreError } from '../store/errors.js'
import { Audience } from './audience.js'
import type { AudienceOptions } from './audience.js'
import { MessageIntake } from './intake.js'
import { buildRouter } from './router.js'

/** Whom it answers (`contacts`, `rooms`, `acceptFriendRequests`: see AudienceOptions), and what it keeps. */
export interface SecurityAssistantOptions extends AudienceOptions {
  /** The embedded engine: the data file (created from `seedFile` when missing). Not with `database`. */
  dataFile?: string
  /**
   * PostgreSQL instead: `{ url: 'postgres://…' }` (the plugin makes the pool and ends it on close) or
   * `{ pool }` (your pg.Pool, left open on close). Migrated at start; seeded from `seedFile` when empty.
   */
  database?: DatabaseOption
  /** The world to start from on first run (an empty data file or database). */
  seedFile?: string
  /** The assistant's clock, in epoch milliseconds: every rule reads time from here. */
  clock?: () => Millis
  /** The chat's clock, for telling messages older than the start: defaults to Date.now. */
  wallClock?: () => number
  /** 绑定查询 per person: at most `max` lookups in `windowMs`. */
  lookupLimit?: WindowLimit
  /** How long an invitation can be answered, in milliseconds (24 hours). */
  invitationTtl?: Millis
  /** How long history and ended records are kept, in milliseconds (one year; at least 31 days). */
  retention?: Millis
  /** Pushes: sends a minute with a burst, and attempts before giving up. */
  outbox?: OutboxPolicy
  /** The platform's webhook: `maxAttempts` and `maxAge` before an event is given up on, `timeoutMs` an attempt. */
  webhook?: Partial<WebhookPolicy>
  /**
   * Daily backups (`schedules.backup`, 03:00): `{ dir, keep }`. On a data file they go to `backups/` beside
   * it, the last 7 kept, unless false; on PostgreSQL only when a `dir` is given.
   */
  backups?: Partial<BackupPolicy> | false
  /** Job schedules (cron, Asia/Shanghai), or false to schedule nothing. */
  schedules?: Partial<Schedules> | false
  /**
   * Where the assistant's log lines go: wechaty's own logger by default (the host's WECHATY_LOG level and
   * printer); `createLogger({ level, format })` for dated lines on stderr, or JSON lines. Always masked.
   */
  log?: Logger
}

/** What the runner and tests can reach once the plugin is installed. */
export interface RunningAssistant extends Omit<Assistant, 'close' | 'services' | 'setLoggedIn'> {
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
  // Whatever the host gives is masked too; one that is not a logger is refused at start (and not used to say so).
  const log = maskingLogger(isLogger(options.log) ? options.log : wechatyLogger)
  let opening: Promise<RunningAssistant> | undefined
  let closing: Promise<void> | undefined
  /** Whoever asked ready() hears of a failed start; otherwise it is logged, once. */
  let readyAsked = false
  let detach = (): void => {}
  let closeAssistant = async (): Promise<void> => {}

  const plugin = ((bot: WechatyInterface) => {
    if (opening) throw new Error('SecurityAssistant: this plugin instance is already installed')
    opening = start(bot)
    opening.catch((err) => {
      if (!readyAsked) log.error(`start-up failed: ${err instanceof StoreError ? err.message : ''}`, err instanceof StoreError ? undefined : err)
    })
    return () => { plugin.close().catch((err) => log.error('closing failed', err)) }
  }) as SecurityAssistantPlugin

  plugin.ready = () => {
    readyAsked = true
    return opening ?? Promise.reject(new Error('SecurityAssistant: install it with bot.use() first'))
  }

  plugin.close = () => {
    closing ??= (async () => {
      detach()
      const running = await opening?.catch(() => undefined)
      if (!running) return
      // Whatever failed on the way out, the data file is closed and its lock released.
      try {
        await running.settled()
      } catch (err) {
        log.error('finishing work before closing failed', err)
      } finally {
        await closeAssistant()
      }
    })()
    return closing
  }

  async function start (bot: WechatyInterface): Promise<RunningAssistant> {
    checkConfig(options) // as the host gave them (openAssistant sees the masking logger, not the host's)
    // Pushes pass the last mask like replies do (the assistant exists by the time anything is sent).
    const assistant: Assistant = await openAssistant(
      { ...options, clock, log },
      async (contactId, text) => sendTo(bot, contactId, await assistant.mask(text)),
    )
    const { outbox, services } = assistant
    const { contacts, status } = services
    closeAssistant = assistant.close
    if (closing) {
      // close() came while the data file was being opened: attach nothing, let the file go.
      await assistant.close()
      throw new Error('SecurityAssistant: closed before start-up finished')
    }
    // Dialog steps are kept by the store, through the dialog service; the expiry sweep drops lapsed ones.
    const conversation = buildRouter(services)

    /** The user behind a chat contact, linked to it on first contact by the WeChat ID the chat shows. */
    const identify = (contact: Contact): Promise<User | undefined> => contacts.identify(contact.id, contact.handle())
    const audience = new Audience(options, log)

    const handle = async (message: Message): Promise<void> => {
      const talker = message.talker()
      // Who they are and their dialog step, asked once a message and together (one round trip on PostgreSQL).
      // An object, not closures made per message: under tsx every closure made costs a defineProperty (keepNames).
      const sender = new SenderOnce(contacts, talker)
      const identifyTalker = sender.user.bind(sender)
      const room = message.room()
      if (room) {
        // Someone else's room, or chatter not meant for the assistant: left alone.
        if (!await audience.answersIn(room)) return
        if (!(await message.mentionSelf() || conversation.isCommand(message.text().trim()))) return
        if (await audience.answers(talker, identifyTalker)) await message.say(texts.roomHint)
        return
      }
      if (!await audience.answers(talker, identifyTalker)) return
      if (message.type() !== types.Message.Text) {
        if (!SILENT_TYPES.has(message.type())) await message.say(texts.nonText)
        return
      }
      // Memory may be ahead of the file: answer nothing from it until a restart reloads the file.
      if (status.failure()) return void await message.say(texts.outOfService)
      const { user: asker, dialog } = await sender.state()
      const reply = await conversation.reply({
        // Full-width digits and ＋86 from Chinese keyboards read as what they are.
        text: normaliseText(message.text()),
        sender: talker.id,
        asker,
        now: clock(),
        dialog,
      })
      await message.say(await assistant.mask(reply))
    }

    // A change refused because the data file just failed is not a bug: say what the out-of-service reply says.
    const apologise = (message: Message): Promise<void> => message.say(status.failure() ? texts.outOfService : texts.failure).then(() => undefined)
    const intake = new MessageIntake(handle, apologise, log, options.wallClock ?? Date.now)
    const onMessage = (message: Message): void => intake.accept(message)
    const onLogin = (): void => assistant.setLoggedIn(true)
    const onLogout = (): void => assistant.setLoggedIn(false)
    const onStop = (): void => { plugin.close().catch((err) => log.error('closing failed', err)) }
    // Invitees must be able to add the assistant, or invitations cannot reach them: accepted unless the
    // host said otherwise, and only from contacts the assistant answers. A host that accepts them itself
    // still sees waiting pushes go out (Confirm).
    const onFriendship = (friendship: Friendship): void => {
      void (async () => {
        const contact = friendship.contact()
        let known: Promise<User | undefined> | undefined
        const who = (): Promise<User | undefined> => (known ??= identify(contact))
        if (friendship.type() === types.Friendship.Receive) {
          if (!audience.acceptsFriendRequests || !await audience.answers(contact, who)) return
          await friendship.accept()
        } else if (friendship.type() !== types.Friendship.Confirm) {
          return
        }
        if (await who()) outbox.kick() // pushes that were waiting for this contact
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
      assistant.setLoggedIn(false)
    }
    if (loggedIn(bot)) assistant.setLoggedIn(true)
    const holdings = await status.holdings()
    log.info(`${assistant.storage} open: ${holdings.accounts} accounts, ${holdings.bindings} bindings`)
    try {
      await assistant.scheduler?.start() // catches up on what came due while the assistant was down
    } catch (err) {
      // close() only sees a failed opening: release everything here.
      detach()
      await assistant.close()
      throw err
    }
    return {
      store: assistant.store,
      engine: assistant.engine,
      storage: assistant.storage,
      outbox,
      webhooks: assistant.webhooks,
      jobs: assistant.jobs,
      scheduler: assistant.scheduler,
      platform: assistant.platform,
      mask: assistant.mask,
      settled: async () => {
        await intake.idle()
        await assistant.services.lookupNotices.idle() // queued after the answers they follow
        await outbox.idle()
      },
    }
  }

  return plugin
}

/** One message's sender: who they are and their dialog step, asked of the store at most once. */
class SenderOnce {
  private asked: Promise<SenderState> | undefined
  constructor (private readonly contacts: ContactService, private readonly talker: Contact) {}
  state (): Promise<SenderState> {
    return (this.asked ??= this.contacts.sender(this.talker.id, this.talker.handle()))
  }

  /** For the audience: only the user. */
  async user (): Promise<User | undefined> {
    return (await this.state()).user
  }
}

/** Already logged in when installed late; a bot whose puppet has not started yet will emit 'login'. */
function loggedIn (bot: WechatyInterface): boolean {
  try {
    return bot.puppet.isLoggedIn // not bot.isLoggedIn: that reports an error event before start
  } catch {
    return false
  }
}

async function sendTo (bot: WechatyInterface, contactId: string, text: string): Promise<void> {
  const contact = await bot.Contact.find({ id: contactId })
  if (!contact) throw new Error(`no chat contact ${contactId}`)
  await contact.say(text)
}
