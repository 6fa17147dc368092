// The permissions table and the decision on a risky operation, table-driven.
import test from 'ava'
import { decide, OPERATIONS } from '../src/domain/permissions.js'
import type { Operation } from '../src/domain/permissions.js'
import type { Role } from '../src/domain/roles.js'

// The seed's table: operators may log in and mass-send; everything else is the admin's.
const table: Record<Operation, [admin: string, long: string, short: string]> = {
  login: ['allowed', 'allowed', 'allowed'],
  'mass-send': ['allowed', 'allowed', 'allowed'],
  'modify-server-config': ['allowed', 'role-not-permitted', 'role-not-permitted'],
  'reset-appsecret': ['allowed', 'role-not-permitted', 'role-not-permitted'],
  'view-appsecret': ['allowed', 'role-not-permitted', 'role-not-permitted'],
  'rename-account': ['pending', 'role-not-permitted', 'role-not-permitted'],
  'delete-article': ['pending', 'role-not-permitted', 'role-not-permitted'],
}
const outcome = (d: ReturnType<typeof decide>): string => d.kind === 'denied' ? d.reason : d.kind

for (const operation of OPERATIONS) {
  const roles: Role[] = ['admin', 'long', 'short']
  roles.forEach((role, i) => {
    test(`${role} × ${operation}, protection off → ${table[operation][i]}`, (t) => {
      t.is(outcome(decide({ operation, accountKnown: true, role, expired: false, protection: false })), table[operation][i]!)
    })
  })
}

const protectedCases: Array<[Role, Operation, string]> = [
  ['long', 'login', 'pending'],
  ['short', 'mass-send', 'pending'],
  ['admin', 'login', 'allowed'],
  ['admin', 'rename-account', 'pending'],
  ['long', 'view-appsecret', 'role-not-permitted'],
]
for (const [role, operation, expected] of protectedCases) {
  test(`protection on: ${role} × ${operation} → ${expected}`, (t) => {
    t.is(outcome(decide({ operation, accountKnown: true, role, expired: false, protection: true })), expected)
  })
}

test('no role: not bound, or a short-term binding that ran out; an unknown account above all', (t) => {
  t.is(outcome(decide({ operation: 'login', accountKnown: true, role: undefined, expired: false, protection: false })), 'not-bound')
  t.is(outcome(decide({ operation: 'login', accountKnown: true, role: undefined, expired: true, protection: false })), 'binding-expired')
  t.is(outcome(decide({ operation: 'login', accountKnown: false, role: 'admin', expired: false, protection: false })), 'unknown-account')
})
