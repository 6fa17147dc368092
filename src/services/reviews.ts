// 权限复核 (periodic access review): the admin is shown the account's long-term operators, numbered, with
// when each was bound and last seen, and keeps or removes each (保留 1 3 / 移除 2 / 全部保留). Removing goes
// the way 解绑运营者 does (the binding ends, its open requests close, the operator is told). The daily
// job (jobs/access-reviews.ts) starts the reviews that are due, reminds, and closes the unanswered.
import { fromIso, toIso } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import { reviewCycleDays, reviewDue, reviewDueAt, reviewOverdue } from '../domain/reviews.js'
import type { ReviewReply, ReviewVerb } from '../domain/reviews.js'
import { isActive } from '../domain/roles.js'
import type { StoreReader, StoreTransaction } from '../store/contract.js'
import type { Account, Binding, Review, ReviewItem, User } from '../store/schema.js'
import { adminOfSeveral, requireAdmin } from './authority.js'
import type { ServiceContext } from './context.js'
import { record } from './history.js'
import { notify } from './notices.js'
import { removeInTransaction } from './operators.js'
import { accountCalled } from '../domain/accounts.js'

/** Where one operator of a review stands now. 'gone': left (or was removed another way) while it was open. */
export type ReviewState = 'undecided' | 'kept' | 'removed' | 'gone'

export interface ReviewLine {
  number: number
  name: string
  wechatId: string
  boundAt: Millis | undefined
  lastSeenAt: Millis | undefined
  state: ReviewState
}

export interface ReviewView {
  accountName: string
  startedAt: Millis
  status: Review['status']
  lines: ReviewLine[]
  /** The numbers still to decide. */
  undecided: number[]
}

/** What became of each number of a reply. */
export type ItemOutcome = 'kept' | 'removed' | 'already-kept' | 'already-removed' | 'gone' | 'cannot-keep-removed'

export type StartResult =
  | { kind: 'none' }
  | { kind: 'open', view: ReviewView }
  | { kind: 'started', view: ReviewView }

export type AnswerResult =
  /** The sender administers no account: reviews are answered by admins. */
  | { kind: 'not-admin' }
  /** The words after 保留 / 移除 are no numbers (nor 全部). */
  | { kind: 'usage' }
  | { kind: 'none-open' }
  /** Several of the admin's accounts have a review open and the reply named none. */
  | { kind: 'choose', accountNames: string[] }
  | { kind: 'unknown-account', accountNames: string[] }
  | { kind: 'not-open', accountName: string }
  /** It was past its 14 days: closed now as lapsed, nothing of the answer applied. */
  | { kind: 'lapsed', accountName: string }
  | { kind: 'bad-number', accountName: string, number: number, count: number }
  /** `nextAt`: when the next review is due, once this one is completed. */
  | { kind: 'answered', view: ReviewView, outcomes: Array<{ number: number, name: string, outcome: ItemOutcome }>, completed: boolean, severalOpen: boolean, nextAt: Millis | undefined }

/** The account's open review, if any. */
export async function openReviewOf (reader: StoreReader, accountId: string): Promise<Review | undefined> {
  return (await reader.reviewsOfAccount(accountId)).find((r) => r.status === 'open')
}

/** What starting the account's review turns on: its reviews and its active long-term operators, read once. */
interface ReviewFacts {
  reviews: readonly Review[]
  long: readonly Binding[]
}

async function reviewFacts (reader: StoreReader, account: Account, now: Millis): Promise<ReviewFacts> {
  const reviews = await reader.reviewsOfAccount(account.id)
  const long = (await reader.bindingsOfAccount(account.id)).filter((b) => b.role === 'long' && isActive(b, now))
  return { reviews, long }
}

/** When the account's next review is due (undefined: none, or one is open), by domain/reviews.ts. */
async function nextReviewAt (reader: StoreReader, account: Account, now: Millis): Promise<Millis | undefined> {
  return dueAt(account, await reviewFacts(reader, account, now))
}

function dueAt (account: Account, { reviews, long }: ReviewFacts): Millis | undefined {
  const last = reviews.reduce<Review | undefined>((latest, r) => !latest || fromIso(r.startedAt) >= fromIso(latest.startedAt) ? r : latest, undefined)
  return reviewDueAt({
    intervalDays: account.reviewIntervalDays,
    last: last && { startedAt: fromIso(last.startedAt), status: last.status, closedAt: last.closedAt === undefined ? undefined : fromIso(last.closedAt) },
    earliestBoundAt: long.length > 0 ? Math.min(...long.map((b) => fromIso(b.boundAt))) : undefined,
  })
}

/** The review as the admin reads it: each operator numbered, with where they stand now. */
async function viewOf (reader: StoreReader, review: Review, now: Millis): Promise<ReviewView> {
  const account = (await reader.account(review.accountId))!
  const lines: ReviewLine[] = []
  for (const [i, item] of review.items.entries()) {
    const binding = await reader.binding(item.bindingId)
    const user = await reader.user(item.userId)
    lines.push({
      number: i + 1,
      name: user?.name ?? item.userId,
      wechatId: user?.wechatId ?? '',
      boundAt: binding ? fromIso(binding.boundAt) : undefined,
      lastSeenAt: binding?.lastSeenAt === undefined ? undefined : fromIso(binding.lastSeenAt),
      state: stateOf(item, binding !== undefined && isActive(binding, now)),
    })
  }
  return {
    accountName: account.name,
    startedAt: fromIso(review.startedAt),
    status: review.status,
    lines,
    undecided: lines.filter((l) => l.state === 'undecided').map((l) => l.number),
  }
}

function stateOf (item: ReviewItem, active: boolean): ReviewState {
  if (item.decision === 'remove') return 'removed'
  if (!active) return 'gone'
  return item.decision === 'keep' ? 'kept' : 'undecided'
}

/**
 * A new review of the account's long-term operators at `now`, from `facts` read in the caller's
 * transaction; undefined when it has none (nothing to review) or one is open already.
 */
async function openReview (tx: StoreTransaction, account: Account, { reviews, long }: ReviewFacts, now: Millis, startedBy: User | undefined): Promise<Review | undefined> {
  if (reviews.some((r) => r.status === 'open')) return undefined
  if (long.length === 0) return undefined
  const review: Review = {
    id: tx.newId('rv'),
    accountId: account.id,
    startedAt: toIso(now),
    ...(startedBy ? { startedBy: startedBy.id } : {}),
    status: 'open',
    items: [...long].sort((a, b) => fromIso(a.boundAt) - fromIso(b.boundAt)).map((b) => ({ bindingId: b.id, userId: b.userId })),
    remindersSent: [],
  }
  await tx.addReview(review)
  await record(tx, { accountId: account.id, at: review.startedAt, actorUserId: startedBy?.id, event: { action: 'review.started', count: long.length, scheduled: startedBy === undefined } })
  return review
}

/** Unfinished after 14 days: closed as lapsed (nobody removed by silence) and the admin told who stayed undecided. */
async function lapseReview (tx: StoreTransaction, review: Review, account: Account, now: Millis): Promise<void> {
  const view = await closeReview(tx, review, 'lapsed', now)
  await notify(tx, { to: account.adminUserId, notice: { kind: 'review-lapsed', view, now }, at: toIso(now), accountId: account.id })
}

/** Closes the review (completed or lapsed), takes back reminders not yet sent, and records how it ended; returns its view. */
async function closeReview (tx: StoreTransaction, review: Review, status: 'completed' | 'lapsed', now: Millis): Promise<ReviewView> {
  const at = toIso(now)
  const closed = await tx.updateReview(review.id, { status, closedAt: at })
  await tx.withdraw(review.id, ['request', 'reminder'], at)
  const view = await viewOf(tx, closed, now)
  const wechatIds = (state: ReviewState): string[] => view.lines.filter((l) => l.state === state).map((l) => l.wechatId)
  await record(tx, {
    accountId: review.accountId,
    at,
    event: status === 'completed'
      ? { action: 'review.completed', kept: wechatIds('kept'), removed: wechatIds('removed'), gone: wechatIds('gone') }
      : { action: 'review.lapsed', undecided: wechatIds('undecided') },
  })
  return view
}

export class ReviewService {
  constructor (private readonly ctx: ServiceContext) {}

  /** 权限复核: the account's open review as it stands, or a new one (the admin's reply shows it, no push). */
  async start (admin: User, account: Account): Promise<StartResult> {
    const now = this.ctx.now()
    let lapsed = false
    const result = await this.ctx.engine.transaction(async (tx): Promise<StartResult> => {
      await requireAdmin(tx, admin, account)
      const open = await openReviewOf(tx, account.id)
      // One past its 14 days lapses now (by the clock, as the daily job would), and a new one starts.
      if (open && reviewOverdue(fromIso(open.startedAt), now)) {
        await lapseReview(tx, open, account, now)
        lapsed = true
      } else if (open) return { kind: 'open', view: await viewOf(tx, open, now) }
      const review = await openReview(tx, account, await reviewFacts(tx, account, now), now, admin)
      return review ? { kind: 'started', view: await viewOf(tx, review, now) } : { kind: 'none' }
    })
    if (lapsed) this.ctx.deliver()
    return result
  }

  /** 复核周期 N: the account's cycle; returns when the next review is due under it (undefined: one is open, or no one to review). */
  async setInterval (admin: User, account: Account, intervalDays: number): Promise<{ nextAt: Millis | undefined, open: boolean }> {
    const now = this.ctx.now()
    return this.ctx.engine.transaction(async (tx) => {
      await requireAdmin(tx, admin, account)
      const updated = await tx.updateAccount(account.id, { reviewIntervalDays: intervalDays })
      await record(tx, { accountId: account.id, at: toIso(now), actorUserId: admin.id, event: { action: 'settings.reviewInterval', days: intervalDays } })
      return { nextAt: await nextReviewAt(tx, updated, now), open: await openReviewOf(tx, account.id) !== undefined }
    })
  }

  /**
   * 保留 / 移除 with numbers (or 'all'), on the review of the named account, or of the only one of the
   * admin's accounts with a review open. Every number is checked before anything changes.
   */
  async answer (admin: User | undefined, verb: ReviewVerb, reply: ReviewReply): Promise<AnswerResult> {
    const { engine } = this.ctx
    const own = admin ? await engine.accountsAdministeredBy(admin.id) : []
    if (!admin || own.length === 0) return { kind: 'not-admin' }
    if (!reply.ok) return { kind: 'usage' }
    const { numbers, accountName } = reply
    const withOpen: Account[] = []
    for (const account of own) if (await openReviewOf(engine, account.id)) withOpen.push(account)
    let account: Account | undefined
    if (accountName) {
      account = accountCalled(own, accountName)
      if (!account) return { kind: 'unknown-account', accountNames: own.map((a) => a.name) }
    } else {
      if (withOpen.length === 0) return { kind: 'none-open' }
      if (withOpen.length > 1) return { kind: 'choose', accountNames: withOpen.map((a) => a.name) }
      account = withOpen[0]!
    }
    const chosen = account
    const now = this.ctx.now()
    let changed = false
    const result = await engine.transaction(async (tx): Promise<AnswerResult> => {
      await requireAdmin(tx, admin, chosen)
      const review = await openReviewOf(tx, chosen.id)
      if (!review) return { kind: 'not-open', accountName: chosen.name }
      // The clock decides, as for every request: past its 14 days it lapses now, whether or not the daily job ran.
      if (reviewOverdue(fromIso(review.startedAt), now)) {
        await lapseReview(tx, review, chosen, now)
        changed = true
        return { kind: 'lapsed', accountName: chosen.name }
      }
      const count = review.items.length
      const picked = numbers === 'all' ? review.items.map((_, i) => i + 1) : numbers
      const wrong = picked.find((n) => n < 1 || n > count)
      if (wrong !== undefined) return { kind: 'bad-number', accountName: chosen.name, number: wrong, count }
      const items = review.items.map((item) => ({ ...item }))
      const outcomes: Array<{ number: number, name: string, outcome: ItemOutcome }> = []
      const at = toIso(now)
      for (const number of picked) {
        const item = items[number - 1]!
        const binding = await tx.binding(item.bindingId)
        const user = (await tx.user(item.userId))!
        const active = binding !== undefined && isActive(binding, now)
        let outcome: ItemOutcome
        if (item.decision === 'remove') outcome = verb === 'keep' ? 'cannot-keep-removed' : 'already-removed'
        else if (!active) outcome = 'gone'
        else if (verb === 'keep') {
          outcome = item.decision === 'keep' ? 'already-kept' : 'kept'
          if (outcome === 'kept') Object.assign(item, { decision: 'keep', decidedAt: at })
        } else {
          await removeInTransaction(tx, admin, chosen, binding, user, now)
          Object.assign(item, { decision: 'remove', decidedAt: at })
          outcome = 'removed'
        }
        if (outcome === 'kept' || outcome === 'removed') changed = true
        outcomes.push({ number, name: user.name, outcome })
      }
      const current = changed ? await tx.updateReview(review.id, { items }) : review
      let view = await viewOf(tx, current, now)
      const completed = view.undecided.length === 0
      if (completed) {
        view = await closeReview(tx, current, 'completed', now)
        changed = true
      }
      const nextAt = completed ? await nextReviewAt(tx, (await tx.account(chosen.id))!, now) : undefined
      return { kind: 'answered', view, outcomes, completed, severalOpen: withOpen.length > 1, nextAt }
    })
    if (changed) this.ctx.deliver()
    return result
  }

  /**
   * The daily job's part, for one account: starts its review if one is due at `now` (re-checked inside
   * the transaction, so two processes start it once) and pushes the list to the admin. Returns whether it started one.
   */
  async startIfDue (accountId: string, now: Millis): Promise<boolean> {
    const started = await this.ctx.engine.transaction(async (tx) => {
      const account = await tx.account(accountId)
      if (!account) return false
      // Read once: what says the review is due is what it is started from.
      const facts = await reviewFacts(tx, account, now)
      const due = dueAt(account, facts)
      if (due === undefined || due > now) return false
      const review = await openReview(tx, account, facts, now, undefined)
      if (!review) return false
      const view = await viewOf(tx, review, now)
      const severalAccounts = await adminOfSeveral(tx, account)
      await notify(tx, {
        to: account.adminUserId,
        notice: { kind: 'review-started', view, intervalDays: reviewCycleDays(account), severalAccounts, now },
        at: toIso(now),
        accountId: account.id,
        about: { id: review.id, topic: 'request' },
      })
      return true
    })
    if (started) this.ctx.deliver()
    return started
  }

  /**
   * The daily job's part, for one open review: a reminder (3 and 7 days after it started, each once) or,
   * after 14 days, closing it as lapsed; re-checked inside the transaction. Returns what it did.
   */
  async follow (reviewId: string, now: Millis): Promise<'reminded' | 'lapsed' | 'completed' | undefined> {
    const done = await this.ctx.engine.transaction(async (tx) => {
      const review = await tx.review(reviewId)
      if (!review || review.status !== 'open') return undefined
      // Everyone on it left meanwhile: nothing is left to decide, so it is complete (recorded, no push).
      const view = await viewOf(tx, review, now)
      if (view.undecided.length === 0) {
        await closeReview(tx, review, 'completed', now)
        return 'completed' as const
      }
      const due = reviewDue(fromIso(review.startedAt), review.remindersSent, now)
      if (!due) return undefined
      const account = (await tx.account(review.accountId))!
      if (due.kind === 'lapse') {
        await lapseReview(tx, review, account, now)
        return 'lapsed' as const
      }
      await tx.updateReview(review.id, { remindersSent: due.markSent })
      const severalAccounts = await adminOfSeveral(tx, account)
      await notify(tx, {
        to: account.adminUserId,
        notice: { kind: 'review-reminder', view, day: due.day, severalAccounts, now },
        at: toIso(now),
        accountId: account.id,
        about: { id: review.id, topic: 'reminder' },
      })
      return 'reminded' as const
    })
    if (done === 'reminded' || done === 'lapsed') this.ctx.deliver()
    return done
  }
}
