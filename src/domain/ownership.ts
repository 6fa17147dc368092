// Whose identifiers a person may look up: only their own. Pure.
import { wechatIdKey } from './identity.js'
import type { Identifier } from './identity.js'

export interface IdentifiedPerson {
  wechatId: string
  phone?: string | undefined
  idNumber?: string | undefined
}

/** True when the identifier is one of the asker's own; any other gets the "no bindings" answer. */
export function ownsIdentifier (asker: IdentifiedPerson, identifier: Identifier): boolean {
  switch (identifier.kind) {
    case 'phone': return asker.phone === identifier.value
    case 'idNumber': return asker.idNumber === identifier.value
    case 'wechatId': return wechatIdKey(asker.wechatId) === wechatIdKey(identifier.value)
  }
}
