// Owners told when their identifiers are looked up (issue 11, point 5). The asker's answer is already
// decided ("no bindings", word for word the same as for an unknown number); this queues, after it and
// apart from it, a push to the owner of that phone or ID number: masked number, the asker's WeChat ID,
// when. At most once a day per asker and owner, remembered in the store (both engines, across restarts
// and processes). ★ A lookup by someone else's WeChat ID tells no one (README: a WeChat ID is shown to
// everyone one chats with; looking one up reveals nothing and is mostly a typo).
import { days, fromIso, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import type { StoreReader } from '../store/contract.js'
import type { User } from '../store/schema.js'
import type { ServiceContext } from './context.js'
import type { ForeignLookup } from './lookup.js'
import { notify } from './notices.js'

/** An owner hears of one asker's lookups at most once in this long. */
export const LOOKUP_NOTICE_INTERVAL: Millis = days(1)
/** An ID number may stand for several WeChat accounts of one person: each is told, up to this many. */
const MAX_OWNERS = 5

export class LookupNoticeService {
  private readonly running = new Set<Promise<void>>()

  constructor (private readonly ctx: ServiceContext) {}

  /**
   * Starts telling the owner, on a later turn of the event loop: never waited for by the asker's answer,
   * and a failure is logged, never thrown (it cannot change the answer).
   */
  tell (lookup: ForeignLookup): void {
    if (lookup.identifier.kind === 'wechatId') return // ★ see above
    const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => { await this.notifyOwners(lookup) })
      .catch((err: unknown) => this.ctx.log.error('telling an owner of a lookup failed', err))
      .finally(() => this.running.delete(run))
    this.running.add(run)
  }

  /** Resolves once every notice started so far is queued (or has failed). */
  async idle (): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running])
  }

  private async notifyOwners (lookup: ForeignLookup): Promise<void> {
    const { engine } = this.ctx
    // Looked for first without a transaction: a number nobody holds costs no write.
    if ((await ownersOf(engine, lookup)).length === 0) return
    const askerKey = lookup.asker?.id ?? lookup.askerKey
    const told = await engine.transaction(async (tx) => {
      let count = 0
      for (const owner of await ownersOf(tx, lookup)) {
        const last = await tx.lookupNotice(askerKey, owner.id)
        if (last && lookup.at - fromIso(last.at) < LOOKUP_NOTICE_INTERVAL) continue
        const at = toIso(lookup.at)
        await tx.setLookupNotice({ askerKey, ownerUserId: owner.id, at })
        await notify(tx, { to: owner.id, notice: { kind: 'lookup-notice', identifier: lookup.identifier, askerWechatId: lookup.asker?.wechatId, at: lookup.at }, at, accountId: undefined })
        count++
      }
      return count
    })
    if (told > 0) this.ctx.deliver()
  }
}

/**
 * The other known users the identifier belongs to: a phone number's holder, or the WeChat accounts verified
 * with an ID number; never the asker, nor another WeChat account of the asker's own (same ID number).
 */
async function ownersOf (reader: StoreReader, { asker, identifier }: ForeignLookup): Promise<User[]> {
  const holders = identifier.kind === 'phone' ? await reader.usersWithPhone(identifier.value) : await reader.usersWithIdNumber(identifier.value)
  return holders
    .filter((owner) => owner.id !== asker?.id && (asker?.idNumber === undefined || owner.idNumber !== asker.idNumber))
    .slice(0, MAX_OWNERS)
}
