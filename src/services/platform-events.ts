// What the platform is told through its webhook, as data: each outcome it would otherwise poll for. An
// event is queued by `announce` inside the transaction of the change it reports (so it is kept exactly
// when the change is), and delivered after it by outbox/webhook.ts, at least once: a receiver drops
// duplicates by the event's id. No phone or ID number is ever part of one: people are named by WeChat ID.
import { toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import type { DenyReason, Operation } from '../domain/permissions.js'
import type { OperatorRole } from '../domain/roles.js'
import type { StoreTransaction } from '../store/contract.js'
import type { Approval, Binding, ClosedReason, Login, WebhookEvent } from '../store/schema.js'
import { quotableId } from './codes.js'

/** An operation request that waited for the admin, as every operation event names it. */
interface OperationRef {
  /** The request's id (GET /v1/operations/{id}). */
  operationId: string
  account: string
  operation: Operation
  /** The WeChat ID of who asked for it. */
  actor: string
}

/** A binding, as every binding event names it. */
interface BindingRef {
  binding: string
  account: string
  /** The operator's WeChat ID. */
  wechatId: string
  role: OperatorRole
}

export type PlatformEvent =
  | { type: 'operation.approved' | 'operation.refused', data: OperationRef & { decidedBy: string, decidedAt: string } }
  /** No answer in time: refused. */
  | { type: 'operation.lapsed', data: OperationRef & { expiresAt: string } }
  /** Closed without a decision: the actor lost the role it was asked under. Refused. */
  | { type: 'operation.closed', data: OperationRef & { reason: ClosedReason, closedAt: string } }
  | { type: 'binding.started', data: BindingRef & { reason: 'invitation-accepted' | 'renewed', boundAt: string, expiresAt: string | null } }
  | { type: 'binding.ended', data: BindingRef & { reason: BindingEnd, endedAt: string, endedBy: string | null } }
  /** The person said it was not them (不是我): the login is stopped, the admin alerted. */
  | { type: 'login.rejected', data: { login: string, account: string, wechatId: string, rejectedAt: string } }
  /** Nobody confirmed it within its 5 minutes: not let in. */
  | { type: 'login.lapsed', data: { login: string, account: string, wechatId: string, expiresAt: string } }
  /** The person confirmed a login in WeChat and the rules decided it; `operationId` when it then waits for the admin's approval. */
  | { type: 'login.confirmed', data: { login: string, account: string, wechatId: string, confirmedAt: string, result: 'allowed' | 'denied' | 'pending', reason: DenyReason | null, operationId: string | null } }

export type BindingEnd = 'unbound' | 'removed' | 'expired' | 'handed-over'

/** What is POSTed: the event's own id (for dropping duplicates), its type, when it happened, and its data. */
export interface EventBody<E extends PlatformEvent = PlatformEvent> {
  id: string
  type: E['type']
  at: string
  data: E['data']
}

type Announced = PlatformEvent & { at: string }

/** Asked once a transaction: a sweep or an ended binding announces several events (one read each on PostgreSQL, before). */
const registered = new WeakMap<StoreTransaction, Promise<boolean>>()
function webhookRegistered (tx: StoreTransaction): Promise<boolean> {
  let answer = registered.get(tx)
  if (!answer) registered.set(tx, answer = tx.webhook().then((webhook) => webhook !== undefined))
  return answer
}

/**
 * Queues `event` for the platform's webhook, in the transaction of the change it reports (`at`: when that
 * happened). Nothing is queued while no webhook is registered: the platform then reads outcomes by polling.
 * Given as a function, the event is only made (with whatever it reads) when there is a webhook to tell.
 */
export async function announce (tx: StoreTransaction, made: Announced | (() => Promise<Announced>)): Promise<WebhookEvent | undefined> {
  if (!await webhookRegistered(tx)) return undefined
  const event = typeof made === 'function' ? await made() : made
  const id = quotableId(tx, 'ev') // the last mask leaves it alone, so the id a receiver keeps is the one it is sent
  const body: EventBody = { id, type: event.type, at: event.at, data: event.data }
  const queued: WebhookEvent = { id, type: event.type, at: event.at, body: JSON.stringify(body), createdAt: event.at, attempts: 0 }
  await tx.addWebhookEvent(queued)
  return queued
}

// ─────────────────────────────────────────── the events of each change, for the services that make them

async function operationRef (tx: StoreTransaction, approval: Approval): Promise<OperationRef> {
  const actor = (await tx.user(approval.actorUserId))!
  return { operationId: approval.id, account: approval.accountId, operation: approval.operation, actor: actor.wechatId }
}

/** The admin allowed or refused an operation request. */
export async function announceDecision (tx: StoreTransaction, approval: Approval, allowed: boolean, deciderWechatId: string, now: Millis): Promise<void> {
  const at = toIso(now)
  const type = allowed ? 'operation.approved' : 'operation.refused'
  await announce(tx, async () => ({ type, at, data: { ...await operationRef(tx, approval), decidedBy: deciderWechatId, decidedAt: at } }))
}

/** `at`: when it lapsed (requests.ts lapsedAt). */
export async function announceLapse (tx: StoreTransaction, approval: Approval, at: string): Promise<void> {
  await announce(tx, async () => ({ type: 'operation.lapsed', at, data: { ...await operationRef(tx, approval), expiresAt: approval.expiresAt } }))
}

export async function announceClosed (tx: StoreTransaction, approval: Approval, reason: ClosedReason, at: string): Promise<void> {
  await announce(tx, async () => ({ type: 'operation.closed', at, data: { ...await operationRef(tx, approval), reason, closedAt: at } }))
}

async function bindingRef (tx: StoreTransaction, binding: Binding): Promise<BindingRef> {
  const operator = (await tx.user(binding.userId))!
  return { binding: binding.id, account: binding.accountId, wechatId: operator.wechatId, role: binding.role }
}

/** A binding began (an invitation accepted) or began again (a renewal approved: `binding` as it is now). */
export async function announceBindingStarted (tx: StoreTransaction, binding: Binding, reason: 'invitation-accepted' | 'renewed', at: string): Promise<void> {
  await announce(tx, async () => ({ type: 'binding.started', at, data: { ...await bindingRef(tx, binding), reason, boundAt: binding.boundAt, expiresAt: binding.expiresAt ?? null } }))
}

/** `endedBy`: the WeChat ID of who ended it (the operator, the admin), none when the clock or a handover did. */
export async function announceBindingEnded (tx: StoreTransaction, binding: Binding, reason: BindingEnd, endedAt: string, endedBy: string | undefined): Promise<void> {
  await announce(tx, async () => ({ type: 'binding.ended', at: endedAt, data: { ...await bindingRef(tx, binding), reason, endedAt, endedBy: endedBy ?? null } }))
}

/** The person confirmed a login and the rules decided it: `result` (with the deny `reason`), or the approval it waits on. */
export async function announceLoginConfirmed (tx: StoreTransaction, login: Login, wechatId: string, at: string): Promise<void> {
  await announce(tx, {
    type: 'login.confirmed',
    at,
    data: { login: login.id, account: login.accountId, wechatId, confirmedAt: at, result: login.result!, reason: login.deniedReason ?? null, operationId: login.approvalId ?? null },
  })
}

export async function announceLoginRejected (tx: StoreTransaction, login: Login, wechatId: string, at: string): Promise<void> {
  await announce(tx, { type: 'login.rejected', at, data: { login: login.id, account: login.accountId, wechatId, rejectedAt: at } })
}

/** `at`: when it lapsed (requests.ts lapsedAt). */
export async function announceLoginLapsed (tx: StoreTransaction, login: Login, wechatId: string, at: string): Promise<void> {
  await announce(tx, { type: 'login.lapsed', at, data: { login: login.id, account: login.accountId, wechatId, expiresAt: login.expiresAt } })
}
