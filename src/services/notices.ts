// What a push says, as data. Services and jobs describe what happened; `notify` renders it once, from
// texts.ts, when it is queued (so a push re-sent after a crash is the same text, word for word).
import type { DigestLine } from '../domain/alerts.js'
import type { Millis } from '../domain/calendar.js'
import type { Identifier } from '../domain/identity.js'
import type { Refusal } from '../domain/invitation-rules.js'
import type { Decision, Operation } from '../domain/permissions.js'
import type { OperatorRole, Role } from '../domain/roles.js'
import type { OutboxMessage, OutboxTopic } from '../store/schema.js'
import type { StoreTransaction } from '../store/contract.js'
import { renderNotice } from '../texts.js'
import type { ReviewView } from './reviews.js'

/** Someone named in a notice. */
export interface Person { name: string, wechatId: string }
/** Someone listed in a daily digest of risky operations. */
/** Who did a risky operation, as far as the account knows them. */
export interface Actor { name: string | undefined, wechatId: string, role: Role | undefined }

export type Notice =
  | { kind: 'invitation', adminName: string, accountName: string, role: OperatorRole, code: string, expiresAt: Millis, quoteCode: boolean }
  | { kind: 'invitation-withdrawn', accountName: string, code: string }
  | { kind: 'invitation-accepted', invitee: Person, accountName: string, role: OperatorRole, expiresAt: Millis | undefined }
  | { kind: 'invitation-declined', invitee: Person, accountName: string, role: OperatorRole }
  | { kind: 'invitation-blocked', invitee: Person, accountName: string, role: OperatorRole, refusals: Refusal[] }
  | { kind: 'invitation-lapsed', invitee: Person, accountName: string, role: OperatorRole, code: string }
  | { kind: 'operator-removed', accountName: string, role: OperatorRole, adminName: string, at: Millis }
  | { kind: 'operator-unbound', operatorName: string, wechatId: string, accountName: string, role: OperatorRole, at: Millis, by: string | undefined }
  | { kind: 'unbound-by-other-account', accountName: string, role: OperatorRole, by: string, at: Millis }
  | { kind: 'renewal-request', operatorName: string, wechatId: string, accountName: string, expiresAt: Millis, code: string, now: Millis }
  /** Decisions name who decided and when. */
  | { kind: 'renewal-approved', accountName: string, expiresAt: Millis, adminName: string, at: Millis }
  | { kind: 'renewal-refused', accountName: string, adminName: string, at: Millis }
  | { kind: 'renewal-lapsed', accountName: string }
  | { kind: 'renewal-lapsed-admin', operator: Person, accountName: string, code: string }
  | { kind: 'approval-request', who: Actor, accountName: string, operation: Operation, code: string, at: Millis, expiresAt: Millis }
  | { kind: 'approval-decided', accountName: string, operation: Operation, allowed: boolean, adminName: string, at: Millis }
  | { kind: 'approval-lapsed', accountName: string, operation: Operation, expiresAt: Millis }
  /** `actor` absent: the admin's own operation waited for their confirmation. */
  | { kind: 'approval-lapsed-admin', actor: Person | undefined, accountName: string, operation: Operation, code: string, expiresAt: Millis }
  /** To the person a login is for: confirm it (or say it is not them) by reply. */
  | { kind: 'login-confirmation', accountName: string, code: string, at: Millis, expiresAt: Millis }
  /** To the admin: someone said a login in their name was not them. */
  | { kind: 'login-disowned', who: Actor, accountName: string, at: Millis, removable: boolean, severalAccounts: boolean }
  | { kind: 'risk-alert', who: Actor, accountName: string, operation: Operation, at: Millis, decision: Decision, removable: boolean, severalAccounts: boolean }
  | { kind: 'reminder', accountName: string, expiresAt: Millis, daysLeft: number }
  | { kind: 'reminder-admin', operator: Person, accountName: string, expiresAt: Millis, daysLeft: number }
  | { kind: 'short-term-ended', accountName: string, expiresAt: Millis, adminName: string, renewable: boolean }
  | { kind: 'short-term-ended-admin', operator: Person, accountName: string, expiresAt: Millis }
  | { kind: 'delivery-failed', recipientName: string, accountName: string, text: string, reason: string }
  /** To a new admin (of a new account, or handed one): `waiting` requests follow, each in its own push. */
  | { kind: 'admin-assigned', accountName: string, previousAdmin: Person | undefined, endedRole: OperatorRole | undefined, waiting: number }
  /** To the admin an account was taken from. */
  | { kind: 'admin-replaced', accountName: string, newAdmin: Person, at: Millis }
  | { kind: 'account-renamed', from: string, to: string, at: Millis }
  /** 风险操作提醒 汇总: what was done on one account from `since` up to `upTo` (08:00), per person. */
  | { kind: 'alert-digest', accountName: string, since: Millis, upTo: Millis, total: number, lines: Array<DigestLine<Person>>, more: number, severalAccounts: boolean }
  /** To the owner of a phone or ID number someone else looked up (the asker was answered "no bindings"). */
  | { kind: 'lookup-notice', identifier: Identifier, askerWechatId: string | undefined, at: Millis }
  /** 权限复核: to the admin, the list to decide; a reminder (3, 7 days); closed unanswered (14 days). */
  | { kind: 'review-started', view: ReviewView, intervalDays: number, severalAccounts: boolean, now: Millis }
  | { kind: 'review-reminder', view: ReviewView, day: number, severalAccounts: boolean, now: Millis }
  | { kind: 'review-lapsed', view: ReviewView, now: Millis }

export interface Push {
  to: string
  notice: Notice
  /** When it was queued (ISO). */
  at: string
  /** The account it is about, so its admin can be told when it never arrives. */
  accountId: string | undefined
  /** The record it is about and what kind of news it is, so that it can be taken back. */
  about?: { id: string, topic: OutboxTopic }
}

/** The one way a push is queued: inside the transaction that causes it, rendered once, delivered after the write. */
export function notify (tx: StoreTransaction, push: Push): Promise<OutboxMessage> {
  return tx.enqueue({
    toUserId: push.to,
    text: renderNotice(push.notice),
    createdAt: push.at,
    accountId: push.accountId,
    ...(push.about ? { about: push.about.id, topic: push.about.topic } : {}),
  })
}
