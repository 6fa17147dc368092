// Retention: history and records that ended longer ago than the retention period are pruned, so the
// data file stops growing with time. Runs daily (and once at start-up); one write when anything goes.
import type { Millis } from '../domain/calendar.js'
import type { ServiceContext } from '../services/context.js'
import type { PruneCounts } from '../store/contract.js'
import { KEEP_DELIVERED, KEEP_GIVEN_UP } from '../domain/retention.js'
import { LOOKUP_NOTICE_INTERVAL } from '../services/lookup-notices.js'

export type RetentionResult = PruneCounts & { webhookEvents: number, lookupNotices: number }

/**
 * One write of the contract, pruneOlderThan, that each engine does its own way (the rules are
 * domain/retention.ts's): the embedded one filters its collections in memory, PostgreSQL deletes by time
 * through its indexes without reading a record into the process. A transaction that prunes nothing
 * writes nothing (the embedded engine skips the file write).
 */
export async function runRetention (deps: ServiceContext, now: Millis, retention: Millis): Promise<RetentionResult> {
  const cutoff = now - retention
  const counts = await deps.engine.transaction(async (tx) => ({
    ...await tx.pruneOlderThan(cutoff),
    // Webhook events are kept only to be listed (GET /v1/webhook/deliveries): a week once delivered, a month once given up on.
    webhookEvents: await tx.pruneWebhookEvents(now - KEEP_DELIVERED, now - KEEP_GIVEN_UP),
    // Owners' lookup notices older than a day hold nothing back any more.
    lookupNotices: await tx.forgetLookupNotices(now - LOOKUP_NOTICE_INTERVAL),
  }))
  if (Object.values(counts).every((n) => n === 0)) return counts
  deps.log.info(`retention: pruned ${counts.history} history entries, ${counts.invitations} invitations, ${counts.renewals + counts.approvals} requests, ${counts.bindings} ended bindings older than ${Math.round(retention / 86_400_000)} days, ${counts.webhookEvents} webhook events delivered or given up on`)
  return counts
}
