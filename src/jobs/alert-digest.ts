// The daily digest of 风险操作提醒 (08:00 Asia/Shanghai): one push per account to its admin, listing who
// did what among the operations the admin chose to hear of in the digest. The entries it lists are
// dropped in the transaction that queues the push: on either engine, across a restart or two processes
// on PostgreSQL, each is listed once and none is lost. Run at start-up too: a digest missed while the
// assistant was down goes out then, once. Nothing waiting, nothing sent.
import { DIGEST_MAX_LINES, digestDueAt, summarise } from '../domain/alerts.js'
import type { Millis } from '../domain/calendar.js'
import { fromIso, toIso } from '../domain/calendar.js'
import type { ServiceContext } from '../services/context.js'
import { notify } from '../services/notices.js'
import type { Person } from '../services/notices.js'
import type { DigestEntry } from '../store/schema.js'
import { adminOfSeveral } from '../services/authority.js'

/** Returns how many digests were queued. */
export async function runAlertDigest (deps: ServiceContext, now: Millis): Promise<number> {
  const { engine } = deps
  const dueAt = digestDueAt(now)
  // Looked for first without a transaction (nothing waiting is no write), then again inside the one that sends.
  if ((await engine.digestEntriesBefore(dueAt)).length === 0) return 0
  const sent = await engine.transaction(async (tx) => {
    const byAccount = new Map<string, DigestEntry[]>()
    for (const entry of await tx.digestEntriesBefore(dueAt)) {
      const list = byAccount.get(entry.accountId)
      if (list) list.push(entry)
      else byAccount.set(entry.accountId, [entry])
    }
    const at = toIso(now)
    for (const [accountId, entries] of byAccount) {
      const account = (await tx.account(accountId))!
      const people = new Map<string, Person>()
      for (const entry of entries) {
        if (people.has(entry.actorUserId)) continue
        const actor = (await tx.user(entry.actorUserId))!
        people.set(actor.id, { name: actor.name, wechatId: actor.wechatId })
      }
      const { lines, more, total } = summarise(entries.map((e) => ({ personKey: e.actorUserId, person: people.get(e.actorUserId)!, operation: e.operation, at: fromIso(e.at) })), DIGEST_MAX_LINES)
      const severalAccounts = await adminOfSeveral(tx, account)
      await notify(tx, { to: account.adminUserId, notice: { kind: 'alert-digest', accountName: account.name, since: fromIso(entries[0]!.at), upTo: dueAt, total, lines, more, severalAccounts }, at, accountId })
      await tx.dropDigestEntries(entries.map((e) => e.id))
    }
    return byAccount.size
  })
  deps.deliver()
  return sent
}
