// What each role may do on the platform, and whether an operation goes ahead, waits for the admin, or is
// refused. Pure.
import type { Role } from './roles.js'

export const OPERATIONS = ['login', 'mass-send', 'modify-server-config', 'reset-appsecret', 'view-appsecret', 'rename-account', 'delete-article'] as const
export type Operation = typeof OPERATIONS[number]

/** The permissions table of the seed (公众平台 → 设置 → 人员设置). */
export const PERMITTED: Record<Operation, readonly Role[]> = {
  login: ['admin', 'long', 'short'],
  'mass-send': ['admin', 'long', 'short'],
  'modify-server-config': ['admin'],
  'reset-appsecret': ['admin'],
  'view-appsecret': ['admin'],
  'rename-account': ['admin'],
  'delete-article': ['admin'],
}

/** Important operations always wait for the admin's confirmation (the QR scan of the real platform). */
export const ALWAYS_CONFIRMED: readonly Operation[] = ['rename-account', 'delete-article']
/** What 风险操作保护 holds for the admin's approval when an operator does it. */
export const PROTECTED: readonly Operation[] = ['login', 'mass-send']

export type DenyReason = 'unknown-account' | 'not-bound' | 'binding-expired' | 'role-not-permitted'

export type Decision =
  | { kind: 'allowed' }
  | { kind: 'pending' }
  | { kind: 'denied', reason: DenyReason }

export interface OperationFacts {
  operation: Operation
  accountKnown: boolean
  /** The actor's role on the account now, if any. */
  role: Role | undefined
  /** The actor held a short-term role here that has run out (and nothing since). */
  expired: boolean
  protection: boolean
}

export function decide (facts: OperationFacts): Decision {
  if (!facts.accountKnown) return { kind: 'denied', reason: 'unknown-account' }
  if (facts.role === undefined) return { kind: 'denied', reason: facts.expired ? 'binding-expired' : 'not-bound' }
  if (!PERMITTED[facts.operation].includes(facts.role)) return { kind: 'denied', reason: 'role-not-permitted' }
  if (ALWAYS_CONFIRMED.includes(facts.operation)) return { kind: 'pending' }
  if (facts.protection && facts.role !== 'admin' && PROTECTED.includes(facts.operation)) return { kind: 'pending' }
  return { kind: 'allowed' }
}
