// 权限复核, daily: starts the access reviews that came due and follows up the open ones (a reminder 3 and
// 7 days after a review started, closing it unanswered after 14). Each account and each review is decided
// in its own transaction that re-checks it, so two processes on one database do each thing once.
import type { Millis } from '../domain/calendar.js'
import type { ServiceContext } from '../services/context.js'
import { ReviewService } from '../services/reviews.js'

export interface AccessReviewResult { started: number, reminded: number, lapsed: number }

export async function runAccessReviews (deps: ServiceContext, now: Millis): Promise<AccessReviewResult> {
  const reviews = new ReviewService(deps)
  const result: AccessReviewResult = { started: 0, reminded: 0, lapsed: 0 }
  // Open reviews first: one that lapses now makes its account's next review due only later.
  for (const review of await deps.engine.openReviews()) {
    const done = await reviews.follow(review.id, now)
    if (done === 'reminded') result.reminded++
    if (done === 'lapsed') result.lapsed++
  }
  for (const account of await deps.engine.accountsToReview()) {
    if (await reviews.startIfDue(account.id, now)) result.started++
  }
  return result
}
