// The demo world on the mock puppet: one chat contact per user in the data file.
import type { mock } from 'wechaty-puppet-mock'
import type { User } from '../store/schema.js'

type Mocker = mock.Mocker
export type MockContact = mock.ContactMock

export const ASSISTANT_NAME = '公众平台安全助手'

/** Creates each user's contact (id = contactId, handle = WeChat ID) and returns them by user id. */
export function createContacts (mocker: Mocker, users: readonly User[]): Map<string, MockContact> {
  const contacts = new Map<string, MockContact>()
  for (const user of users) {
    contacts.set(user.id, mocker.createContact({ id: user.contactId ?? user.id, name: user.name, handle: user.wechatId }))
  }
  return contacts
}
