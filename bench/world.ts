// A large generated world for the benchmark: 100,000 users and bindings over 5,000 accounts.
import { idCheckDigit } from '../src/domain/identity.js'
import type { Data } from '../src/store/schema.js'
import { SCHEMA_VERSION } from '../src/store/schema.js'

export interface LargeWorldOptions {
  users: number
  accounts: number
  /** Users (after the first `accounts`, who are admins) with a pending invitation each. */
  pendingInvitations: number
  /** Short-term bindings already past their expiry, waiting for the sweep. */
  lapsedBindings: number
  now: number
}

export const phoneOf = (i: number): string => `139${String(i).padStart(8, '0')}`

function idNumberOf (i: number): string {
  const first17 = `110101199001${String(1 + (i % 28)).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`
  return first17 + idCheckDigit(first17)
}

/** The k-th four-character code in the alphabet codes are drawn from (services/codes.ts). */
function codeOf (k: number): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
  let code = ''
  for (let n = k, i = 0; i < 4; i++, n = Math.floor(n / alphabet.length)) code = alphabet[n % alphabet.length] + code
  return code
}

export function largeWorld (o: LargeWorldOptions): Data {
  const iso = (ms: number): string => new Date(ms).toISOString()
  const day = 86_400_000
  const accounts = Array.from({ length: o.accounts }, (_, i) => ({
    id: `a${i}`, name: `公众号${i}`, adminUserId: `u${i}`, riskProtection: false, riskAlerts: true,
  }))
  const users = Array.from({ length: o.users }, (_, i) => ({
    id: `u${i}`,
    name: `用户${i}`,
    wechatId: `user_${i}`,
    contactId: `c${i}`,
    phone: phoneOf(i),
    idNumber: idNumberOf(i),
    accountProtection: true,
    bankCard: true,
    follows: [`a${i % o.accounts}`],
  }))
  // Every non-admin user holds one binding on the account they follow; the first ones are lapsed.
  const bindings = users.slice(o.accounts).map((u, k) => {
    const lapsed = k < o.lapsedBindings
    // Within each account the first five operators are long-term, the rest short-term (at most 20).
    const short = lapsed || Math.floor(k / o.accounts) >= 5
    return {
      id: `b${k}`,
      accountId: u.follows[0]!,
      userId: u.id,
      role: short ? 'short' as const : 'long' as const,
      boundAt: iso(o.now - (lapsed ? 40 : 10) * day),
      ...(short ? { expiresAt: iso(o.now + (lapsed ? -9 : 20) * day) } : {}),
    }
  })
  // Pending invitations go to users of the account they follow, from that account's admin.
  const invitations = users.slice(o.accounts, o.accounts + o.pendingInvitations).map((u, k) => ({
    id: `i${k}`,
    code: codeOf(k),
    accountId: `a${(k + 1) % o.accounts}`,
    inviteeUserId: u.id,
    invitedBy: `u${(k + 1) % o.accounts}`,
    role: 'short' as const,
    createdAt: iso(o.now - 3_600_000),
    expiresAt: iso(o.now + 20 * 3_600_000),
    status: 'pending' as const,
  }))
  invitations.forEach((invitation, k) => users[o.accounts + k]!.follows.push(invitation.accountId))
  return { version: SCHEMA_VERSION, accounts, users, bindings, invitations, renewals: [], approvals: [], logins: [], history: [], outbox: [], digestEntries: [], lookupNotices: [], reviews: [], webhooks: [], webhookEvents: [] }
}
