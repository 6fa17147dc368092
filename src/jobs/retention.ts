// Retention: history and records that ended longer ago than the retention period are pruned, so the
// data file stops growing with time. Runs daily (and once at start-up); one write when anything goes.
import type { Millis } from '../domain/calendar.js'
import { bindingExpired, historyExpired, invitationExpired, requestExpired } from '../domain/retention.js'
import type { ServiceContext } from '../services/context.js'

export interface RetentionResult { history: number, invitations: number, renewals: number, approvals: number, bindings: number }

export async function runRetention (deps: ServiceContext, now: Millis, retention: Millis): Promise<RetentionResult> {
  const { store } = deps
  const cutoff = now - retention
  const data = store.data
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
  if (Object.values(counts).every((n) => n === 0)) return counts
  await store.change((tx) => {
    tx.prune('history', (h) => !historyExpired(h, cutoff))
    tx.prune('invitations', (i) => !invitationExpired(i, cutoff))
    tx.prune('renewals', (r) => !dropRequests.has(r))
    tx.prune('approvals', (a) => !dropRequests.has(a))
    tx.prune('bindings', (b) => !(bindingExpired(b, cutoff) && !named.has(b.id)))
  })
  deps.log.info(`retention: pruned ${counts.history} history entries, ${counts.invitations} invitations, ${counts.renewals + counts.approvals} requests, ${counts.bindings} ended bindings older than ${Math.round(retention / 86_400_000)} days`)
  return counts
}
