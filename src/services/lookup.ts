// 绑定查询: the bindings behind one of the asker's own identifiers, rate-limited per person.
import { fromIso, days } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import type { Identifier } from '../domain/identity.js'
import { ownsIdentifier } from '../domain/ownership.js'
import type { WindowLimit } from '../domain/rate-limit.js'
import { hasLapsed, isActive } from '../domain/roles.js'
import type { Role } from '../domain/roles.js'
import type { LookupHolders, StoreReader, UserHoldings } from '../store/contract.js'
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
    const { engine } = this.ctx
    // Taken by the store as one decision (embedded: at the call; PostgreSQL: one upsert on the asker's row):
    // lookups racing each other all count.
    if (!asker || !ownsIdentifier(asker, identifier)) {
      const decision = await engine.takeLookupHit(askerKey, now, this.limit)
      if (!decision.allowed) return { kind: 'rate-limited', retryAt: decision.retryAt }
      // The answer is decided (and is the same whoever owns it); the owner's notice is queued after it, apart.
      this.onForeignLookup({ askerKey, asker, identifier, at: now })
      return { kind: 'found', identifier, active: [], lapsed: [] }
    }
    // The decision and what the holders hold in one call (one statement on PostgreSQL).
    const { decision, holdings } = await engine.takeLookup(askerKey, now, this.limit, holdersOf(asker, identifier))
    if (!decision.allowed) return { kind: 'rate-limited', retryAt: decision.retryAt }
    return { kind: 'found', identifier, ...entriesOf(holdings, now) }
  }
}

/**
 * The WeChat accounts an identifier stands for. A real-name ID number covers every WeChat account the
 * same person verified with it; a phone number (which can change hands) and a WeChat ID cover only the
 * asker's own account.
 */
function holdersOf (asker: User, identifier: Identifier): LookupHolders {
  return identifier.kind === 'idNumber' && asker.idNumber ? { userId: asker.id, idNumber: asker.idNumber } : { userId: asker.id }
}

/** Everyone the asker may speak for: themselves and the WeChat accounts verified with their ID number. */
export async function peopleOf (reader: StoreReader, asker: User): Promise<User[]> {
  const people = new Map<string, User>([[asker.id, asker]])
  if (asker.idNumber) for (const user of await reader.usersWithIdNumber(asker.idNumber)) people.set(user.id, user)
  return [...people.values()]
}

function entriesOf (holdings: readonly UserHoldings[], now: Millis): { active: LookupEntry[], lapsed: LookupEntry[] } {
  const active: LookupEntry[] = []
  const lapsed: LookupEntry[] = []
  for (const { user, administers, bindings } of holdings) {
    for (const account of administers) {
      active.push({ accountId: account.id, accountName: account.name, role: 'admin', wechatId: user.wechatId })
    }
    for (const { binding, accountName } of bindings) {
      const entry: LookupEntry = {
        accountId: binding.accountId,
        accountName,
        role: binding.role,
        wechatId: user.wechatId,
        bindingId: binding.id,
        boundAt: fromIso(binding.boundAt),
      }
      if (binding.expiresAt) entry.expiresAt = fromIso(binding.expiresAt) // not a spread: a slow path in V8
      if (isActive(binding, now)) active.push(entry)
      else if (entry.expiresAt !== undefined && entry.expiresAt > now - SHOW_LAPSED_FOR &&
        (hasLapsed(binding, now) || binding.endReason === 'expired')) lapsed.push(entry)
    }
  }
  return { active, lapsed }
}
