// The expiry sweep: marks what the clock has already ended (short-term bindings, invitations, renewal
// requests), tells the people concerned once, and tidies old state. One write for the whole sweep.
import { hours } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { invitationStatus } from '../domain/invitation-rules.js'
import { hasLapsed } from '../domain/roles.js'
import type { ServiceContext } from '../services/context.js'
import type { StoreReader } from '../store/contract.js'
import type { Approval, Binding, Invitation, Login, Renewal } from '../store/schema.js'
import { approvalState, loginState, renewalState } from '../domain/requests.js'
import { END_OF_TIME } from '../domain/deadlines.js'
import { lapseInvitation } from '../services/invitations.js'
import { expireBinding } from '../services/requests.js'
import { lapseApproval } from '../services/risky-operations.js'
import { lapseRenewal } from '../services/renewals.js'
import { lapseLogin } from '../services/logins.js'
import { KEEP_DELIVERED, KEEP_GIVEN_UP } from '../domain/retention.js'

export type SweepDeps = ServiceContext

export interface SweepResult { bindings: number, invitations: number, renewals: number, approvals: number, logins: number, pruned: number }

const FORGET_DIALOGS_AFTER = hours(1)

export async function runExpirySweep (deps: SweepDeps, now: Millis): Promise<SweepResult> {
  const { engine } = deps
  // Looked for first without a transaction (nothing due is no write), then again inside the one that ends them.
  const early = await dueAt(engine, now)
  const anyPrunable = (await staleMessages(engine, now)).length > 0
  // Dialog steps that lapsed a while ago were already dead by the clock.
  await engine.forgetDialogs(now - FORGET_DIALOGS_AFTER)
  if (early.closing === 0 && !anyPrunable) return { bindings: 0, invitations: 0, renewals: 0, approvals: 0, logins: 0, pruned: 0 }

  const result = await engine.transaction(async (tx): Promise<SweepResult> => {
    const { bindings, invitations, renewals, approvals, logins } = await dueAt(tx, now)
    for (const binding of bindings) await expireBinding(tx, binding, now)
    for (const invitation of invitations) await lapseInvitation(tx, invitation, now)
    for (const renewal of renewals) await lapseRenewal(tx, renewal, now)
    for (const approval of approvals) await lapseApproval(tx, approval, now)
    for (const login of logins) await lapseLogin(tx, login, now)
    const stale = await staleMessages(tx, now)
    const pruned = stale.length > 0 ? await tx.dropMessages(stale) : 0
    return { bindings: bindings.length, invitations: invitations.length, renewals: renewals.length, approvals: approvals.length, logins: logins.length, pruned }
  })
  deps.deliver()
  if (result.bindings + result.invitations + result.renewals + result.approvals + result.logins > 0) {
    deps.log.info(`sweep: ${result.bindings} short-term bindings, ${result.invitations} invitations, ${result.renewals} renewal requests, ${result.approvals} operation requests, ${result.logins} login confirmations expired`)
  }
  return result
}

/** Sent pushes older than a week and given-up ones older than a month, found by time through an index. */
async function staleMessages (reader: StoreReader, now: Millis): Promise<string[]> {
  // Kept for the admin's view (domain/retention.ts), then dropped.
  const sent = await reader.messagesSentBefore(now - KEEP_DELIVERED)
  const failed = await reader.messagesFailedBefore(now - KEEP_GIVEN_UP)
  return [...new Set([...sent, ...failed].map((m) => m.id))]
}

/** What the clock has ended by `now`, found by time through the deadline indexes, not by reading every record. */
async function dueAt (reader: StoreReader, now: Millis): Promise<{ bindings: Binding[], invitations: Invitation[], renewals: Renewal[], approvals: Approval[], logins: Login[], closing: number }> {
  const bindings = (await reader.shortTermExpiringBy(now)).filter((b) => hasLapsed(b, now))
  const invitations = (await reader.pendingInvitationsDueBy(now)).filter((i) => invitationStatus(i, now) === 'expired')
  const renewals = (await reader.pendingRenewalsDueBy(now)).filter((r) => renewalState(r, now) === 'expired')
  // Already refused by the clock; marking them keeps the record and the history plain, tells the people
  // concerned, and takes back what was not sent. Every pending one is read (a few: each lives minutes): one
  // asked before the clock was set back has lapsed though its deadline lies hours ahead (domain/requests.ts).
  const approvals = (await reader.pendingApprovalsDueBy(END_OF_TIME)).filter((a) => approvalState(a, now) === 'lapsed')
  const logins = (await reader.pendingLoginsDueBy(END_OF_TIME)).filter((l) => loginState(l, now) === 'lapsed')
  return { bindings, invitations, renewals, approvals, logins, closing: bindings.length + invitations.length + renewals.length + approvals.length + logins.length }
}
