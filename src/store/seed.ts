// Turns the demo world's seed into a first data file, its times moved so the demo is always current.
import { addMonths, fromIso, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import type { Data, Seed } from './schema.js'

/** Shifts every time by (now − seededAt); short-term expiries are recomputed as one calendar month. */
export function materialiseSeed (seed: Seed, now: Millis): Data {
  const delta = now - fromIso(seed.seededAt)
  const shift = (iso: string): string => toIso(fromIso(iso) + delta)
  const shiftOptional = (iso: string | undefined): string | undefined => iso === undefined ? undefined : shift(iso)
  return {
    version: seed.version,
    accounts: seed.accounts,
    users: seed.users,
    bindings: seed.bindings.map((b) => {
      const boundAt = shift(b.boundAt)
      return {
        ...b,
        boundAt,
        expiresAt: b.role === 'short' ? toIso(addMonths(fromIso(boundAt), 1)) : undefined,
        endedAt: shiftOptional(b.endedAt),
        lastSeenAt: shiftOptional(b.lastSeenAt),
      }
    }),
    invitations: seed.invitations.map((i) => ({ ...i, createdAt: shift(i.createdAt), expiresAt: shift(i.expiresAt), answeredAt: shiftOptional(i.answeredAt) })),
    renewals: seed.renewals.map((r) => ({ ...r, createdAt: shift(r.createdAt), expiresAt: shift(r.expiresAt), decidedAt: shiftOptional(r.decidedAt) })),
    approvals: seed.approvals.map((a) => ({ ...a, createdAt: shift(a.createdAt), expiresAt: shift(a.expiresAt), decidedAt: shiftOptional(a.decidedAt) })),
    logins: seed.logins.map((l) => ({ ...l, createdAt: shift(l.createdAt), expiresAt: shift(l.expiresAt), answeredAt: shiftOptional(l.answeredAt) })),
    history: seed.history.map((h) => ({ ...h, at: shift(h.at) })),
    digestEntries: seed.digestEntries.map((e) => ({ ...e, at: shift(e.at) })),
    lookupNotices: seed.lookupNotices.map((n) => ({ ...n, at: shift(n.at) })),
    reviews: seed.reviews.map((r) => ({
      ...r,
      startedAt: shift(r.startedAt),
      closedAt: shiftOptional(r.closedAt),
      items: r.items.map((i) => ({ ...i, decidedAt: shiftOptional(i.decidedAt) })),
    })),
    outbox: seed.outbox.map((m) => ({ ...m, createdAt: shift(m.createdAt), sentAt: shiftOptional(m.sentAt), nextAttemptAt: shiftOptional(m.nextAttemptAt), failedAt: shiftOptional(m.failedAt) })),
    // A webhook is the platform's to register (PUT /v1/webhook): a demo world starts without one.
    webhooks: [],
    webhookEvents: [],
  }
}
