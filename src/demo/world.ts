// The demo world on the mock puppet: one chat contact per user in the state (either engine).
import type { mock } from 'wechaty-puppet-mock'
import type { StoreReader } from '../store/contract.js'
import type { User } from '../store/schema.js'

type Mocker = mock.Mocker
export type MockContact = mock.ContactMock

export const ASSISTANT_NAME = '公众平台安全助手'

/** How many people one read fetches: a demo has a handful, a large state is read a page at a time. */
const PAGE = 500

/** Every user, in the order they were made (the platform API adds some while the demo runs). */
export async function everyUser (reads: Pick<StoreReader, 'usersInOrder'>): Promise<User[]> {
  const users: User[] = []
  for (;;) {
    const page = await reads.usersInOrder(users.length, PAGE)
    users.push(...page)
    if (page.length < PAGE) return users
  }
}

/** Creates each user's contact (id = contactId, handle = WeChat ID) and returns them by user id. */
export function createContacts (mocker: Mocker, users: readonly User[]): Map<string, MockContact> {
  const contacts = new Map<string, MockContact>()
  for (const user of users) contactFor(mocker, contacts, user)
  return contacts
}

/** The user's contact; one added after start (say through the platform API) gets it on first use. */
export function contactFor (mocker: Mocker, contacts: Map<string, MockContact>, user: User): MockContact {
  let contact = contacts.get(user.id)
  if (!contact) {
    contact = mocker.createContact({ id: user.contactId ?? user.id, name: user.name, handle: user.wechatId })
    contacts.set(user.id, contact)
  }
  return contact
}
