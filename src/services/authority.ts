// Only an account's admin manages it. The bot says so kindly before it calls a service; this guard
// makes sure no other caller can get round that. Asked inside the transaction that makes the change.
import type { StoreReader } from '../store/contract.js'
import type { Account, User } from '../store/schema.js'

export async function requireAdmin (reader: StoreReader, admin: User, account: Account): Promise<void> {
  if (!await reader.administers(admin.id, account.id)) throw new Error(`${admin.id} is not the admin of ${account.id}`)
}

/** Whether the account's admin runs more than one account: their notices then name the account in the command to reply. */
export async function adminOfSeveral (reader: StoreReader, account: Account): Promise<boolean> {
  return (await reader.accountsAdministeredBy(account.adminUserId)).length > 1
}
