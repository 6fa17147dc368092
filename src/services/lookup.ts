// 绑定查询: the bindings behind one of the asker's own identifiers, rate-limited per person.
import { fromIso, days } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import type { Identifier } from '../domain/identity.js'
import { ownsIdentifier } from '../domain/ownership.js'
import type { WindowLimit } from '../domain/rate-limit.js'
import { hasLapsed, isActive } from '../domain/roles.js'
import type { Role } from '../domain/roles.js'
import type { StoreReader } from '../store/contract.js'
import type { User } from '../store/schema.js'
import type { ServiceContext } from './context.js'

export interface LookupEntry {
  accountId: string
  accountName: string
  role: Role
  /** The WeChat ID holding the role: several when one person has several WeChat accounts. */
  wechatId: string
  /** Absent for the admin role. */
  bindingId?: string
  boundAt?: Millis
  expiresAt?: Millis
}

export type LookupResult =
  | { kind: 'found', identifier: Identifier, active: LookupEntry[], lapsed: LookupEntry[] }
  | { kind: 'rate-limited', retryAt: Millis }

/** Lapsed short-term bindings are still shown (not as active) for this long, so the operator sees why. */
const SHOW_LAPSED_FOR = days(30)

export const DEFAULT_LOOKUP_LIMIT: WindowLimit = { max: 10, windowMs: 10 * 60_000 }

/** A lookup of an identifier that is not the asker's (answered "no bindings"), for its owner to be told of. */
export interface ForeignLookup { askerKey: string, asker: User | undefined, identifier: Identifier, at: Millis }

export class LookupService {
  /** The rate limit's hits live in the store (a restart or another process keeps them). */
  /** `onForeignLookup` hears of each lookup answered "no bindings" because the identifier is not the asker's; it must not wait or throw. */
  constructor (private readonly ctx: Pick<ServiceContext, 'now' | 'engine'>, readonly limit: WindowLimit = DEFAULT_LOOKUP_LIMIT,
    private readonly onForeignLookup: (lookup: ForeignLookup) => void = () => undefined) {}

  /** Forgets people whose every lookup is older than the window: the limit no longer remembers them anyway. */
  async forget (now: Millis): Promise<void> {
    await this.ctx.engine.forgetLookupHits(now - this.limit.windowMs)
  }

  /** `askerKey` identifies the person for the rate limit even when they are not a known user. */
  async lookup (askerKey: string, asker: User | undefined, identifier: Identifier): Promise<LookupResult> {
    const now = this.ctx.now()
    // Taken by the store as one decision (embedded: at the call; PostgreSQL: under a lock per asker):
    // lookups racing each other all count.
    const decision = await this.ctx.engine.takeLookupHit(askerKey, now, this.limit)
    if (!decision.allowed) return { kind: 'rate-limited', retryAt: decision.retryAt }
    if (!asker || !ownsIdentifier(asker, identifier)) {
      // The answer is decided (and is the same whoever owns it); the owner's notice is queued after it, apart.
      this.onForeignLookup({ askerKey, asker, identifier, at: now })
      return { kind: 'found', identifier, active: [], lapsed: [] }
    }
    const reader: StoreReader = this.ctx.engine
    const holders = await holdersOf(reader, asker, identifier)
    return { kind: 'found', identifier, ...await entriesOf(reader, holders, now) }
  }
}

/**
 * The WeChat accounts an identifier stands for. A real-name ID number covers every WeChat account the
 * same person verified with it; a phone number (which can change hands) and a WeChat ID cover only the
 * asker's own account.
 */
async function holdersOf (reader: StoreReader, asker: User, identifier: Identifier): Promise<User[]> {
  return identifier.kind === 'idNumber' ? peopleOf(reader, asker) : [asker]
}

/** Everyone the asker may speak for: themselves and the WeChat accounts verified with their ID number. */
export async function peopleOf (reader: StoreReader, asker: User): Promise<User[]> {
  const people = new Map<string, User>([[asker.id, asker]])
  if (asker.idNumber) for (const user of await reader.usersWithIdNumber(asker.idNumber)) people.set(user.id, user)
  return [...people.values()]
}

async function entriesOf (reader: StoreReader, holders: User[], now: Millis): Promise<{ active: LookupEntry[], lapsed: LookupEntry[] }> {
  const active: LookupEntry[] = []
  const lapsed: LookupEntry[] = []
  for (const user of holders) {
    for (const account of await reader.accountsAdministeredBy(user.id)) {
      active.push({ accountId: account.id, accountName: account.name, role: 'admin', wechatId: user.wechatId })
    }
    for (const binding of await reader.bindingsOfUser(user.id)) {
      const entry: LookupEntry = {
        accountId: binding.accountId,
        accountName: (await reader.account(binding.accountId))!.name,
        role: binding.role,
        wechatId: user.wechatId,
        bindingId: binding.id,
        boundAt: fromIso(binding.boundAt),
        ...(binding.expiresAt ? { expiresAt: fromIso(binding.expiresAt) } : {}),
      }
      if (isActive(binding, now)) active.push(entry)
      else if (entry.expiresAt !== undefined && entry.expiresAt > now - SHOW_LAPSED_FOR &&
        (hasLapsed(binding, now) || binding.endReason === 'expired')) lapsed.push(entry)
    }
  }
  return { active, lapsed }
}
