// Whom the assistant answers, so it can live in a bot that does other things too: which contacts,
// which rooms, and whether it accepts friend requests. Asked before anything else is done with a message.
import type { Contact, Room } from 'wechaty'
import type { Logger } from '../log.js'
import type { User } from '../store/schema.js'

/** A contact the assistant should answer; may be async (say, a look-up in the host's own records). */
export type ContactMatcher = (contact: Contact) => boolean | Promise<boolean>
/** A room in which the assistant answers @-mentions and commands. */
export type RoomMatcher = (room: Room) => boolean | Promise<boolean>

export interface AudienceOptions {
  /**
   * Whom to answer: `'all'` (the default: anyone who writes), `'known'` (only people the assistant's
   * users are: linked contacts, or a WeChat ID it holds), or a function of the contact.
   */
  contacts?: 'all' | 'known' | ContactMatcher
  /** Whether to answer @-mentions and commands in rooms (with a request to chat privately): true by default, or a function of the room. */
  rooms?: boolean | RoomMatcher
  /**
   * Whether to accept friend requests (true by default) — only from contacts `contacts` answers. Invitees
   * must be able to add the assistant; with false, the host accepts them, and waiting pushes still go out then.
   */
  acceptFriendRequests?: boolean
}

export class Audience {
  private readonly contacts: 'all' | 'known' | ContactMatcher
  private readonly rooms: boolean | RoomMatcher
  readonly acceptsFriendRequests: boolean

  constructor (options: AudienceOptions, private readonly log: Logger) {
    this.contacts = options.contacts ?? 'all'
    this.rooms = options.rooms ?? true
    this.acceptsFriendRequests = options.acceptFriendRequests ?? true
  }

  /** Whether to answer this contact; `identify` (who they are in the store) is asked only for `'known'`. */
  async answers (contact: Contact, identify: () => Promise<User | undefined>): Promise<boolean> {
    if (this.contacts === 'all') return true
    if (this.contacts === 'known') return (await identify()) !== undefined
    return this.ask(this.contacts, contact, `the contacts matcher failed for contact ${contact.id}`)
  }

  /** Whether to answer in this room at all. */
  async answersIn (room: Room): Promise<boolean> {
    if (typeof this.rooms === 'boolean') return this.rooms
    return this.ask(this.rooms, room, `the rooms matcher failed for room ${room.id}`)
  }

  /** A matcher that throws answers no: staying silent is safer than answering someone the host meant to leave alone. */
  private async ask<T> (matcher: (subject: T) => boolean | Promise<boolean>, subject: T, failure: string): Promise<boolean> {
    try {
      return Boolean(await matcher(subject))
    } catch (err) {
      this.log.error(`${failure}; not answering`, err)
      return false
    }
  }
}
