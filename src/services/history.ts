// What goes into an account's 操作记录, as data. Services and jobs describe the event; `record` renders
// its detail once, from texts.ts, and adds it in the same change.
import type { AlertMode, AlertTopic } from '../domain/alerts.js'
import type { Operation, DenyReason } from '../domain/permissions.js'
import type { ClosedReason } from '../domain/requests.js'
import type { OperatorRole } from '../domain/roles.js'
import type { Refusal } from '../domain/invitation-rules.js'
import type { StoreTransaction } from '../store/contract.js'
import { renderHistoryDetail } from '../texts.js'

export type HistoryEvent =
  | { action: 'binding.created' | 'invitation.created', wechatId: string, role: OperatorRole, code: string }
  | { action: 'binding.ended' | 'binding.removed' | 'binding.expired' | 'binding.imported', wechatId: string, role: OperatorRole }
  | { action: 'account.imported', adminWechatId: string }
  | { action: 'invitation.resent' | 'invitation.cancelled' | 'invitation.declined' | 'invitation.expired', wechatId: string, code: string }
  | { action: 'invitation.blocked', wechatId: string, refusals: Array<Refusal['kind']> }
  | { action: 'renewal.requested' | 'renewal.approved' | 'renewal.refused', wechatId: string, code: string }
  | { action: 'renewal.expired', code: string }
  | { action: 'renewal.closed', wechatId: string, code: string, reason: ClosedReason }
  | { action: 'settings.riskProtection' | 'settings.riskAlerts', on: boolean }
  | { action: 'settings.alertMode', topic: AlertTopic, mode: AlertMode }
  | { action: 'operation.allowed' | 'operation.denied' | 'operation.pending' | 'operation.approved' | 'operation.refused' | 'operation.lapsed', wechatId: string, operation: Operation, denied?: DenyReason | undefined }
  | { action: 'operation.closed', wechatId: string, operation: Operation, reason: ClosedReason }
  | { action: 'login.confirmed' | 'login.rejected' | 'login.lapsed', wechatId: string, code: string }
  | { action: 'account.created', name: string, adminWechatId: string }
  | { action: 'account.renamed', from: string, to: string }
  /** `endedRole`: the new admin's operator role on the account, which ended with the change. */
  | { action: 'account.admin-changed', from: string, to: string, endedRole: OperatorRole | undefined }
  /** 权限复核: started (by the schedule or an admin), completed (who was kept, removed, had left), lapsed unanswered. */
  | { action: 'review.started', count: number, scheduled: boolean }
  | { action: 'review.completed', kept: string[], removed: string[], gone: string[] }
  | { action: 'review.lapsed', undecided: string[] }
  | { action: 'settings.reviewInterval', days: number }

export interface HistoryRecord { accountId: string, at: string, actorUserId?: string | undefined, event: HistoryEvent }

/** The one way an entry reaches the history: in the change it records, its detail rendered once. */
export function record (tx: StoreTransaction, entry: HistoryRecord): Promise<void> {
  return tx.addHistory({
    accountId: entry.accountId,
    at: entry.at,
    ...(entry.actorUserId === undefined ? {} : { actorUserId: entry.actorUserId }),
    action: entry.event.action,
    detail: renderHistoryDetail(entry.event),
  })
}
