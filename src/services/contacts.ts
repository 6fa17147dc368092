// Who a chat contact is: the user behind it, linked on first contact by the WeChat ID the chat shows.
import type { User } from '../store/schema.js'
import type { ServiceContext } from './context.js'

export class ContactService {
  constructor (private readonly ctx: ServiceContext) {}

  /**
   * The user behind a chat contact: the one already linked to it, else the one whose WeChat ID is the
   * contact's handle, linked to it now (once on disk) so that pushes to them can find the contact.
   */
  async identify (contactId: string, handle: string | undefined): Promise<User | undefined> {
    const { store } = this.ctx
    const known = store.userByContact(contactId)
    if (known) return known
    const user = handle ? store.userByWechatId(handle) : undefined
    if (user) await store.change((tx) => tx.setUserContact(user.id, contactId))
    return user
  }
}
