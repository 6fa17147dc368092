// Records as the platform API shows them, typed by the answer schemas (schemas.ts) so that the answers and
// their description agree. Phone and ID numbers are masked here, and every string again by the last mask.
import type { z } from 'zod'
import { maskIdNumber, maskPhone } from '../domain/identity.js'
import type { Page, InvitationRecord } from '../services/accounts.js'
import type { Health } from '../services/health.js'
import type { Roster } from '../services/operators.js'
import type { Standing } from '../services/people.js'
import type { WebhookBacklog } from '../store/contract.js'
import type { Account, HistoryEntry, User, Webhook, WebhookEvent } from '../store/schema.js'
import { apiTexts } from '../texts.js'
import { HttpError } from './http.js'
import type { AccountDetailView, AccountView, HealthView, HistoryEntryView, InvitationView, LoginStateView, OperationStateView, OperatorsView, UserStandingView, UserView, WebhookDeliveriesView, WebhookView } from './schemas.js'
import type { ApprovalStatus } from '../services/risky-operations.js'
import type { LoginStatusView } from '../services/logins.js'
import { texts } from '../texts.js'

type View<S extends z.ZodType> = z.input<S>

export function person (user: User): { wechatId: string, name: string } {
  return { wechatId: user.wechatId, name: user.name }
}

/** What the API shows of a person: identifiers masked, as everywhere else. */
export function userView (user: User): View<typeof UserView> {
  return {
    wechatId: user.wechatId,
    name: user.name,
    phone: user.phone ? maskPhone(user.phone) : null,
    idNumber: user.idNumber ? maskIdNumber(user.idNumber) : null,
    accountProtection: user.accountProtection,
    bankCard: user.bankCard,
    follows: user.follows,
  }
}

export function standingView ({ user, administers, operatorOf }: Standing): View<typeof UserStandingView> {
  return {
    ...userView(user),
    administers: administers.map((a) => ({ id: a.id, name: a.name })),
    operatorOf: operatorOf.map(({ binding, account }) => ({ account: { id: account.id, name: account.name }, role: binding.role, boundAt: binding.boundAt, expiresAt: binding.expiresAt ?? null })),
  }
}

export function accountView (account: Account, admin: User): View<typeof AccountView> {
  return { id: account.id, name: account.name, admin: person(admin), riskProtection: account.riskProtection, riskAlerts: account.riskAlerts }
}

export function accountDetailView (roster: Roster): View<typeof AccountDetailView> {
  return { ...accountView(roster.account, roster.admin), slots: slots(roster) }
}

export function operatorsView (roster: Roster): View<typeof OperatorsView> {
  const operators = [...roster.operators.long, ...roster.operators.short].map(({ binding, user }) => ({
    ...person(user),
    phone: user.phone ? maskPhone(user.phone) : null,
    role: binding.role,
    boundAt: binding.boundAt,
    expiresAt: binding.expiresAt ?? null,
  }))
  return { account: roster.account.id, admin: person(roster.admin), operators, slots: slots(roster) }
}

function slots (roster: Roster): View<typeof AccountDetailView>['slots'] {
  return {
    long: { used: roster.used.long, limit: roster.limits.long },
    short: { used: roster.used.short, limit: roster.limits.short },
  }
}

export function invitationView ({ invitation, invitee, inviter, status, reach }: InvitationRecord): View<typeof InvitationView> {
  return {
    code: invitation.code,
    invitee: person(invitee),
    invitedBy: person(inviter),
    role: invitation.role,
    status,
    createdAt: invitation.createdAt,
    expiresAt: invitation.expiresAt,
    answeredAt: invitation.answeredAt ?? null,
    delivery: reach,
  }
}

export function historyEntryView (entry: HistoryEntry, actors: ReadonlyMap<string, User>): View<typeof HistoryEntryView> {
  const actor = entry.actorUserId === undefined ? undefined : actors.get(entry.actorUserId)
  return { at: entry.at, action: entry.action, actor: actor ? person(actor) : null, detail: entry.detail }
}

/** A page as the API gives it, or 404 for a page past the last. */
export function pageView<T, I> (cut: Page<T>, perPage: number, items: (page: T) => I[]): { items: I[], page: number, pages: number, perPage: number, total: number } {
  if (cut.kind === 'bad-page') throw new HttpError(404, 'no-such-page', apiTexts.badPage(cut.pages))
  return { items: items(cut), page: cut.page, pages: cut.pages, perPage, total: cut.total }
}

export function healthView (health: Health): View<typeof HealthView> {
  const { problems, backlog } = health
  return {
    status: problems.length === 0 ? 'ok' : 'unhealthy',
    store: problems.includes('store-unreachable') ? 'unreachable' : problems.includes('store-failed') ? 'failed' : 'ok',
    bot: health.loggedIn ? 'logged-in' : 'logged-out',
    outbox: backlog ? { due: backlog.due, oldestQueuedAt: backlog.oldestQueuedAt ?? null } : null,
    webhook: health.webhook ? webhookBacklogView(health.webhook) : null,
    problems: problems.map((kind) => ({ kind, message: apiTexts.healthProblem(kind) })),
  }
}

/** An operation request as the platform reads it: its state by the clock, and who decided it and when. */
export function operationStateView ({ approval, state, reason, decider }: ApprovalStatus): View<typeof OperationStateView> {
  return {
    id: approval.id,
    state,
    account: approval.accountId,
    operation: approval.operation,
    createdAt: approval.createdAt,
    expiresAt: approval.expiresAt,
    decidedAt: approval.decidedAt ?? null,
    decidedBy: decider?.wechatId ?? null,
    closedReason: reason ?? null,
  }
}

/** A login as the platform reads it, by the clock. */
export function loginStateView ({ login, user, outcome, operation }: LoginStatusView): View<typeof LoginStateView> {
  return {
    id: login.id,
    account: login.accountId,
    actor: user.wechatId,
    state: outcome.state,
    reason: outcome.state === 'denied' ? outcome.reason : null,
    message: texts.loginMessage(outcome),
    createdAt: login.createdAt,
    expiresAt: login.expiresAt,
    confirmedAt: login.answeredAt ?? null,
    operation: operation ? operationStateView(operation) : null,
  }
}

function webhookBacklogView (backlog: WebhookBacklog): View<typeof WebhookView>['deliveries'] {
  return { ...backlog, oldestQueuedAt: backlog.oldestQueuedAt ?? null, lastFailedAt: backlog.lastFailedAt ?? null }
}

/** The webhook as the platform sees it: never its secret, unless `secret` is the one just made. */
export function webhookView (webhook: Webhook, backlog: WebhookBacklog, secret: string | undefined): View<typeof WebhookView> {
  return { url: webhook.url, createdAt: webhook.createdAt, updatedAt: webhook.updatedAt, secret: secret ?? null, deliveries: webhookBacklogView(backlog) }
}

export function webhookDeliveryView (event: WebhookEvent): View<typeof WebhookDeliveriesView>['items'][number] {
  return {
    id: event.id,
    type: event.type,
    at: event.at,
    state: event.deliveredAt ? 'delivered' : event.failedAt ? 'failed' : 'pending',
    attempts: event.attempts,
    deliveredAt: event.deliveredAt ?? null,
    nextAttemptAt: event.nextAttemptAt ?? null,
    failedAt: event.failedAt ?? null,
    lastError: event.lastError ?? null,
    body: JSON.parse(event.body) as Record<string, unknown>,
  }
}
