// Only an account's admin manages it. The bot says so kindly before it calls a service; this guard
// makes sure no other caller can get round that.
import type { Account, User } from '../store/schema.js'
import type { Store } from '../store/store.js'

export function requireAdmin (store: Store, admin: User, account: Account): void {
  if (!store.administers(admin.id, account.id)) throw new Error(`${admin.id} is not the admin of ${account.id}`)
}
