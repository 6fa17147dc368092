// What an official account may be called, and who may be its admin. Pure.
import { normaliseText } from './identity.js'
import { survivesMask } from './masking.js'
import { isStorableText } from './text.js'

/** An account's name, as WeChat shows it: at most this many characters. */
export const ACCOUNT_NAME_MAX = 30

export type NameProblem = 'empty' | 'too-long' | 'line-break' | 'invisible' | 'unstorable' | 'personal-number'
export type AccountNameProblem = NameProblem

/** A name as it is kept: NFKC-normalised and trimmed, as the bot reads the names admins type. */
export function normaliseAccountName (name: string): string {
  return normaliseText(name)
}

/**
 * What is wrong with a (normalised) name of a person or an account, if anything. A line break would let
 * a name forge lines in pushes; an invisible character (zero-width, a direction mark, a soft hyphen)
 * would let two names look the same; what the last mask reads as a phone or ID number would be shown
 * masked in every message, so the name people see would not be the name they must type.
 */
export function nameProblem (name: string, max: number): NameProblem | undefined {
  if (name.length === 0) return 'empty'
  if (!isStorableText(name)) return 'unstorable'
  if (/[\t\r\n\u0085\u2028\u2029]/.test(name)) return 'line-break'
  if (/\p{Cf}/u.test(name)) return 'invisible'
  if ([...name].length > max) return 'too-long'
  if (!survivesMask(name)) return 'personal-number'
  return undefined
}

export function accountNameProblem (name: string): AccountNameProblem | undefined {
  return nameProblem(name, ACCOUNT_NAME_MAX)
}

/**
 * ★ What keeps a person from becoming an account's admin: the admin holds every permission and approves
 * operators' risky operations by reply, so their WeChat must be at least as protected as an operator's
 * (帐号保护 on, a bank card bound; WeChat asks the same of a new admin). Admin roles count against no limit.
 */
export type AdminRefusal = { kind: 'no-account-protection' } | { kind: 'no-bank-card' }

export function adminRefusals (candidate: { accountProtection: boolean, bankCard: boolean }): AdminRefusal[] {
  const refusals: AdminRefusal[] = []
  if (!candidate.accountProtection) refusals.push({ kind: 'no-account-protection' })
  if (!candidate.bankCard) refusals.push({ kind: 'no-bank-card' })
  return refusals
}

/** Among `accounts`, the one called exactly `name`, else the only one whose name contains it (公众号 typed in part). */
export function accountCalled<A extends { name: string }> (accounts: readonly A[], name: string): A | undefined {
  const exact = accounts.find((a) => a.name === name)
  if (exact) return exact
  const containing = accounts.filter((a) => a.name.includes(name))
  return containing.length === 1 ? containing[0] : undefined
}

/** ★ A new account's switches when nobody says: 风险操作保护 off, 风险操作提醒 on (the platform API and the import alike). */
export const NEW_ACCOUNT_SWITCHES = { riskProtection: false, riskAlerts: true } as const
