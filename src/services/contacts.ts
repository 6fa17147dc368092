// Who a chat contact is: the user behind it, linked on first contact by the WeChat ID the chat shows.
import type { SenderState } from '../store/contract.js'
import type { User } from '../store/schema.js'
import type { ServiceContext } from './context.js'

export type { SenderState }

export class ContactService {
  constructor (private readonly ctx: ServiceContext) {}

  /**
   * The user behind a chat contact: the one already linked to it, else the one whose WeChat ID is the
   * contact's handle, linked to it now (once on disk) so that pushes to them can find the contact.
   */
  async identify (contactId: string, handle: string | undefined): Promise<User | undefined> {
    // Answered without a transaction when nothing is to be linked: most messages come from known contacts.
    return await this.ctx.engine.userByContact(contactId) ?? this.link(contactId, handle)
  }

  /** identify's user and the sender's dialog step, read together (one statement on PostgreSQL): what every message needs first. */
  async sender (contactId: string, handle: string | undefined): Promise<SenderState> {
    const { user, dialog } = await this.ctx.engine.sender(contactId)
    return { user: user ?? await this.link(contactId, handle), dialog }
  }

  /** The user whose WeChat ID is the contact's handle, linked to the contact now, if there is one. */
  private async link (contactId: string, handle: string | undefined): Promise<User | undefined> {
    const { engine } = this.ctx
    if (!handle || !await engine.userByWechatId(handle)) return undefined
    return engine.transaction(async (tx) => {
      const linked = await tx.userByContact(contactId)
      if (linked) return linked
      const user = await tx.userByWechatId(handle)
      if (user) await tx.setUserContact(user.id, contactId)
      return user
    })
  }
}
