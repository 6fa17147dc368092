// Logins confirmed by the person, as the real platform does with its QR scan: the platform asks for a
// login of a WeChat ID on an account; the person is asked in chat (确认登录 <code>, or 不是我 <code>);
// once they confirm, the rules of the operation 'login' decide it, by the one decision path of
// RiskyOperationService (approval under 风险操作保护, alert under 风险操作提醒, denied when not bound).
import { minutes, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import type { DenyReason } from '../domain/permissions.js'
import { lapsedAt, loginState } from '../domain/requests.js'
import type { ApprovalState, LoginStatus } from '../domain/requests.js'
import type { StoreReader, StoreTransaction } from '../store/contract.js'
import type { Account, Login, User } from '../store/schema.js'
import { freshCode, quotableId } from './codes.js'
import type { ServiceContext } from './context.js'
import { record } from './history.js'
import { notify } from './notices.js'
import { announceLoginConfirmed, announceLoginLapsed, announceLoginRejected } from './platform-events.js'
import { answerOf, decideOperation, standing } from './risky-operations.js'
import type { ApprovalStatus, OperationAnswer, RiskyOperationService } from './risky-operations.js'
import { adminOfSeveral } from './authority.js'

/** How long the person has to confirm a login. */
const LOGIN_TTL = minutes(5)

export type LoginRequestResult =
  | { kind: 'unknown-account' }
  /** No user has this WeChat ID: there is nobody to ask. */
  | { kind: 'unknown-user' }
  | { kind: 'asked', login: Login }

/** A login as the platform reads it, by the clock. */
export type LoginOutcome =
  | { state: 'awaiting-confirmation' | 'lapsed' | 'rejected' | 'allowed' }
  | { state: 'denied', reason: DenyReason }
  /** Confirmed; the admin was asked (风险操作保护): waits while the request (the view's `operation`) is pending, then allowed or refused by it. */
  | { state: 'pending' | 'refused' }

export interface LoginStatusView {
  login: Login
  account: Account
  user: User
  outcome: LoginOutcome
  /** The approval the login waited on, when it did. */
  operation: ApprovalStatus | undefined
}

export type LoginAnswer =
  | { kind: 'stranger' }
  | { kind: 'none' }
  | { kind: 'choose', logins: Array<{ code: string, accountName: string, expiresAt: Millis }> }
  /** Unknown, or someone else's: the same answer. */
  | { kind: 'no-such-code', code: string }
  | { kind: 'closed', accountName: string, state: Exclude<LoginStatus, 'pending'> }
  | { kind: 'confirmed', accountName: string, adminName: string, answer: OperationAnswer }
  | { kind: 'rejected', accountName: string, adminTold: boolean }

export class LoginService {
  constructor (private readonly ctx: ServiceContext, private readonly operations: RiskyOperationService) {}

  /** The platform asks for a login of `wechatId` on `accountId`: the person is asked to confirm it. */
  async request (accountId: string, wechatId: string): Promise<LoginRequestResult> {
    const now = this.ctx.now()
    const result = await this.ctx.engine.transaction(async (tx): Promise<LoginRequestResult> => {
      const account = await tx.account(accountId)
      if (!account) return { kind: 'unknown-account' }
      const user = await tx.userByWechatId(wechatId)
      if (!user) return { kind: 'unknown-user' }
      const login: Login = {
        id: quotableId(tx, 'lg'),
        code: await freshCode(tx),
        accountId: account.id,
        userId: user.id,
        createdAt: toIso(now),
        expiresAt: toIso(now + LOGIN_TTL),
        status: 'pending',
      }
      await tx.addLogin(login)
      await notify(tx, {
        to: user.id,
        notice: { kind: 'login-confirmation', accountName: account.name, code: login.code, at: now, expiresAt: now + LOGIN_TTL },
        at: login.createdAt,
        accountId: account.id,
        about: { id: login.id, topic: 'request' },
      })
      return { kind: 'asked', login }
    })
    if (result.kind === 'asked') this.ctx.deliver()
    return result
  }

  /** What became of a login, by the clock (a lapse before any sweep marked it reads lapsed). */
  async status (id: string): Promise<LoginStatusView | undefined> {
    const { engine } = this.ctx
    const login = await engine.login(id)
    if (!login) return undefined
    const account = (await engine.account(login.accountId))!
    const user = (await engine.user(login.userId))!
    const operation = login.approvalId === undefined ? undefined : await this.operations.status(login.approvalId)
    return { login, account, user, outcome: outcomeOf(login, operation, this.ctx.now()), operation }
  }

  /** 确认登录 [code] (`confirm`) or 不是我 [code]: only the person's own logins count. */
  async answer (person: User | undefined, code: string | undefined, confirm: boolean): Promise<LoginAnswer> {
    if (!person) return { kind: 'stranger' }
    const { engine } = this.ctx
    const now = this.ctx.now()
    const found = await this.find(engine, person, code, now)
    if (found.kind !== 'open') return found
    const result = await engine.transaction(async (tx): Promise<LoginAnswer> => {
      const again = await this.find(tx, person, found.login.code, now)
      if (again.kind !== 'open') return again
      return confirm ? confirmLogin(tx, again.login, person, now) : rejectLogin(tx, again.login, person, now)
    })
    if (result.kind === 'confirmed' || result.kind === 'rejected') this.ctx.deliver()
    return result
  }

  private async find (reader: StoreReader, person: User, code: string | undefined, now: Millis): Promise<Exclude<LoginAnswer, { kind: 'confirmed' | 'rejected' }> | { kind: 'open', login: Login }> {
    let login: Login | undefined
    if (code) {
      login = await reader.loginByCode(code.toUpperCase())
      // Someone else's code is answered exactly as one that does not exist.
      if (!login || login.userId !== person.id) return { kind: 'no-such-code', code }
    } else {
      const open = (await reader.pendingLoginsOf(person.id)).filter((l) => loginState(l, now) === 'pending')
      if (open.length === 0) return { kind: 'none' }
      if (open.length > 1) {
        const logins = []
        for (const l of open) logins.push({ code: l.code, accountName: (await reader.account(l.accountId))!.name, expiresAt: Date.parse(l.expiresAt) })
        return { kind: 'choose', logins }
      }
      login = open[0]!
    }
    const state = loginState(login, now)
    if (state !== 'pending') return { kind: 'closed', accountName: (await reader.account(login.accountId))!.name, state }
    return { kind: 'open', login }
  }
}

/**
 * The one place a login is confirmed, in the transaction that confirms it: recorded, its push taken back
 * if it never went out, and decided by the rules of the operation 'login' at this moment.
 */
async function confirmLogin (tx: StoreTransaction, login: Login, person: User, now: Millis): Promise<LoginAnswer> {
  const at = toIso(now)
  const account = (await tx.account(login.accountId))!
  await tx.withdraw(login.id, ['request'], at)
  await record(tx, { accountId: account.id, at, actorUserId: person.id, event: { action: 'login.confirmed', wechatId: person.wechatId, code: login.code } })
  const outcome = await decideOperation(tx, account, person.wechatId, 'login', now)
  const { decision, approval } = outcome
  const confirmed = await tx.updateLogin(login.id, {
    status: 'confirmed',
    answeredAt: at,
    result: decision.kind,
    ...(decision.kind === 'denied' ? { deniedReason: decision.reason } : {}),
    ...(approval ? { approvalId: approval.id } : {}),
  })
  await announceLoginConfirmed(tx, confirmed, person.wechatId, at)
  const admin = (await tx.user(account.adminUserId))!
  return { kind: 'confirmed', accountName: account.name, adminName: admin.name, answer: answerOf(outcome) }
}

/** 不是我: the login is stopped and the admin alerted (unless the person is the admin). */
async function rejectLogin (tx: StoreTransaction, login: Login, person: User, now: Millis): Promise<LoginAnswer> {
  const at = toIso(now)
  const account = (await tx.account(login.accountId))!
  const rejected = await tx.updateLogin(login.id, { status: 'rejected', answeredAt: at })
  await announceLoginRejected(tx, rejected, person.wechatId, at)
  await tx.withdraw(login.id, ['request'], at)
  const adminTold = account.adminUserId !== person.id
  if (adminTold) {
    const { binding } = await standing(tx, account, person, now)
    const severalAccounts = await adminOfSeveral(tx, account)
    await notify(tx, {
      to: account.adminUserId,
      notice: { kind: 'login-disowned', who: { name: person.name, wechatId: person.wechatId, role: binding?.role }, accountName: account.name, at: Date.parse(login.createdAt), removable: binding !== undefined, severalAccounts },
      at,
      accountId: account.id,
    })
  }
  await record(tx, { accountId: account.id, at, actorUserId: person.id, event: { action: 'login.rejected', wechatId: person.wechatId, code: login.code } })
  return { kind: 'rejected', accountName: account.name, adminTold }
}

/** The sweep's part: a login nobody confirmed in time is marked lapsed and its unsent push taken back. */
export async function lapseLogin (tx: StoreTransaction, login: Login, now: Millis): Promise<void> {
  const person = (await tx.user(login.userId))!
  const lapsed = await tx.updateLogin(login.id, { status: 'lapsed' })
  const at = lapsedAt(login.expiresAt, now)
  await announceLoginLapsed(tx, lapsed, person.wechatId, at)
  await tx.withdraw(login.id, ['request'], toIso(now))
  await record(tx, { accountId: login.accountId, at, event: { action: 'login.lapsed', wechatId: person.wechatId, code: login.code } })
}

const REFUSED: ReadonlySet<ApprovalState> = new Set(['refused', 'lapsed', 'closed'])

/** The platform's reading of a login at `now`. */
function outcomeOf (login: Login, operation: ApprovalStatus | undefined, now: Millis): LoginOutcome {
  const state = loginState(login, now)
  if (state === 'pending') return { state: 'awaiting-confirmation' }
  if (state !== 'confirmed') return { state }
  if (login.result === 'allowed') return { state: 'allowed' }
  if (login.result === 'denied') return { state: 'denied', reason: login.deniedReason! }
  if (operation?.state === 'approved') return { state: 'allowed' }
  // A request pruned by retention was decided long ago; without it the login is not let in.
  if (!operation || REFUSED.has(operation.state)) return { state: 'refused' }
  return { state: 'pending' }
}
