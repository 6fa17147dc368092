// Retention: history and records that ended longer ago than the retention period are pruned, so the
// data file stops growing with time. Runs daily (and once at start-up); one write when anything goes.
import type { Millis } from '../domain/calendar.js'
import { bindingExpired, historyExpired, invitationExpired, requestExpired } from '../domain/retention.js'
import type { ServiceContext } from '../services/context.js'
import type { Approval, Binding, HistoryEntry, Invitation, Renewal } from '../store/schema.js'

export interface RetentionResult { history: number, invitations: number, renewals: number, approvals: number, bindings: number }

export async function runRetention (deps: ServiceContext, now: Millis, retention: Millis): Promise<RetentionResult> {
  const cutoff = now - retention
  // Counted first without a transaction (nothing old enough is no write), then pruned inside one,
  // where what stays and what goes is worked out again.
  const early = plan(deps, cutoff)
  if (Object.values(early.counts).every((n) => n === 0)) return early.counts
  const counts = await deps.engine.transaction(async (tx): Promise<RetentionResult> => {
    const { dropRequests, named } = plan(deps, cutoff)
    // The contract's Async<> loses prune's generic record type: each predicate names its collection's.
    return {
      history: await tx.prune('history', (h) => !historyExpired(h as HistoryEntry, cutoff)),
      invitations: await tx.prune('invitations', (i) => !invitationExpired(i as Invitation, cutoff)),
      renewals: await tx.prune('renewals', (r) => !dropRequests.has(r as Renewal)),
      approvals: await tx.prune('approvals', (a) => !dropRequests.has(a as Approval)),
      bindings: await tx.prune('bindings', (b) => !(bindingExpired(b as Binding, cutoff) && !named.has(b.id))),
    }
  })
  deps.log.info(`retention: pruned ${counts.history} history entries, ${counts.invitations} invitations, ${counts.renewals + counts.approvals} requests, ${counts.bindings} ended bindings older than ${Math.round(retention / 86_400_000)} days`)
  return counts
}

/** What retention would drop now: the requests that go, the bindings something that stays still names, and the counts. */
function plan (deps: ServiceContext, cutoff: Millis): { dropRequests: Set<Renewal | Approval>, named: Set<string | undefined>, counts: RetentionResult } {
  // contract lacks reads of whole collections (or of records ended before a time): the embedded store is scanned for now.
  const data = deps.store.data
  const dropRequests = new Set([...data.renewals, ...data.approvals].filter((r) => r.status !== 'pending' && requestExpired(r, cutoff)))
  // A binding goes only once nothing that stays names it.
  const named = new Set([...data.renewals, ...data.approvals].filter((r) => !dropRequests.has(r)).map((r) => r.bindingId))
  const counts: RetentionResult = {
    history: data.history.filter((h) => historyExpired(h, cutoff)).length,
    invitations: data.invitations.filter((i) => invitationExpired(i, cutoff)).length,
    renewals: data.renewals.filter((r) => dropRequests.has(r)).length,
    approvals: data.approvals.filter((a) => dropRequests.has(a)).length,
    bindings: data.bindings.filter((b) => bindingExpired(b, cutoff) && !named.has(b.id)).length,
  }
  return { dropRequests, named, counts }
}
