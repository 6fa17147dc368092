// The invitation preconditions, table-driven: each refusal alone, several at once, and the limits.
import test from 'ava'
import { invitationRefusals, invitationStatus } from '../src/domain/invitation-rules.js'
import type { InvitationFacts, InvitationStatus } from '../src/domain/invitation-rules.js'

const eligible: InvitationFacts = {
  role: 'long',
  invitee: { isAdmin: false, follows: true, accountProtection: true, bankCard: true },
  existingBinding: undefined,
  otherPendingInvitation: undefined,
  slotsUsed: 0,
  inviteeHolds: 0,
}

const cases: Array<[string, Partial<InvitationFacts>, string[]]> = [
  ['an eligible invitee', {}, []],
  ['not following', { invitee: { ...eligible.invitee, follows: false } }, ['not-following']],
  ['account protection off', { invitee: { ...eligible.invitee, accountProtection: false } }, ['no-account-protection']],
  ['no bank card', { invitee: { ...eligible.invitee, bankCard: false } }, ['no-bank-card']],
  ['the admin', { invitee: { ...eligible.invitee, isAdmin: true } }, ['is-admin']],
  ['already bound', { existingBinding: { role: 'short', expiresAt: 1 } }, ['already-bound']],
  ['already invited', { otherPendingInvitation: { role: 'long', code: 'AB12', expiresAt: 1 } }, ['already-invited']],
  ['4 long-term slots used', { slotsUsed: 4 }, []],
  ['5 long-term slots used', { slotsUsed: 5 }, ['slots-full']],
  ['19 short-term slots used', { role: 'short', slotsUsed: 19 }, []],
  ['20 short-term slots used', { role: 'short', slotsUsed: 20 }, ['slots-full']],
  ['5 long-term used does not block a short-term invitation', { role: 'short', slotsUsed: 5 }, []],
  ['invitee holding 4', { inviteeHolds: 4 }, []],
  ['invitee holding 5', { inviteeHolds: 5 }, ['user-limit']],
  ['three conditions at once', { invitee: { isAdmin: false, follows: false, accountProtection: false, bankCard: false } }, ['not-following', 'no-account-protection', 'no-bank-card']],
  ['everything wrong', {
    invitee: { isAdmin: true, follows: false, accountProtection: false, bankCard: false },
    existingBinding: { role: 'long', expiresAt: undefined },
    otherPendingInvitation: { role: 'long', code: 'AB12', expiresAt: 1 },
    slotsUsed: 5,
    inviteeHolds: 5,
  }, ['is-admin', 'already-bound', 'already-invited', 'not-following', 'no-account-protection', 'no-bank-card', 'slots-full', 'user-limit']],
]
for (const [name, change, expected] of cases) {
  test(`invitation preconditions: ${name} → ${expected.join(', ') || 'allowed'}`, (t) => {
    t.deepEqual(invitationRefusals({ ...eligible, ...change }).map((r) => r.kind), expected)
  })
}

test('a full slot refusal carries the counts, a per-user refusal the holdings', (t) => {
  t.like(invitationRefusals({ ...eligible, role: 'short', slotsUsed: 20 })[0], { kind: 'slots-full', role: 'short', used: 20, limit: 20 })
  t.like(invitationRefusals({ ...eligible, inviteeHolds: 5 })[0], { kind: 'user-limit', held: 5, limit: 5 })
})

const deadline = '2026-11-22T02:00:00.000Z'
const statuses: Array<[InvitationStatus, number, InvitationStatus]> = [
  ['pending', Date.parse(deadline) - 1, 'pending'],
  ['pending', Date.parse(deadline), 'expired'],
  ['accepted', Date.parse(deadline) + 1, 'accepted'],
  ['cancelled', Date.parse(deadline) - 1, 'cancelled'],
]
for (const [stored, now, expected] of statuses) {
  test(`an invitation stored ${stored} reads ${expected} at ${now - Date.parse(deadline)} ms from its deadline`, (t) => {
    t.is(invitationStatus({ status: stored, expiresAt: deadline }, now), expected)
  })
}
