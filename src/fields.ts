// The fields people and other systems send the assistant (the platform API's bodies, the import's rows),
// as zod schemas that check and normalise: one definition, so both accept exactly the same values.
import { z } from 'zod'
import { apiTexts } from './texts.js'
import { ACCOUNT_NAME_MAX, nameProblem } from './domain/accounts.js'
import type { NameProblem } from './domain/accounts.js'
import { normaliseText, parseIdNumber, parsePhone, parseWechatId } from './domain/identity.js'
import type { ParseResult } from './domain/identity.js'

/** A string normalised by one of the identifier parsers, with its format problem as the message. */
export const identifier = (parse: (v: string) => ParseResult, what: string, description: string) => z.string().transform((value, ctx) => {
  const parsed = parse(value)
  if (parsed.ok) return parsed.identifier.value
  ctx.addIssue({ code: 'custom', message: `not a valid ${what} (${parsed.problem})` })
  return z.NEVER
}).meta({ description })

export const wechatId = identifier(parseWechatId, 'WeChat ID', 'A WeChat ID (微信号): 6–20 characters, a letter first, then letters, digits, _ or -. Case does not matter.')
export const phone = identifier(parsePhone, 'mobile number', 'A mainland mobile number: 11 digits from 13–19; +86/0086, spaces, dashes and dots allowed. Answered masked.')
export const idNumber = identifier(parseIdNumber, 'ID number', 'A resident ID number (身份证号): 18 characters with a real birth date and the GB 11643-1999 check digit. Taken as real-name verified. Answered masked.')
/**
 * A name of a person or an account: NFKC-normalised and trimmed, one line of at most `max` visible
 * characters (names are quoted in pushes). `message` words a refusal (texts.ts words every name problem).
 */
export const nameField = (max: number, message = (problem: NameProblem): string => apiTexts.badNameField(problem, max)) =>
  z.string().transform((value, ctx) => {
    const name = normaliseText(value)
    const problem = nameProblem(name, max)
    if (!problem) return name
    ctx.addIssue({ code: 'custom', message: message(problem) })
    return z.NEVER
  })

export const personName = nameField(40)
/** An account's name, as the platform API takes it (its own schema adds the API's words) and an import row holds it. */
export const accountName = nameField(ACCOUNT_NAME_MAX)

/** A new user as the platform reports one (POST /v1/users) and as an import lists one. */
export const newUserFields = {
  name: personName,
  wechatId,
  phone: phone.optional(),
  idNumber: idNumber.optional(),
  accountProtection: z.boolean().meta({ description: '帐号保护 is on.' }),
  bankCard: z.boolean().meta({ description: 'A bank card is bound.' }),
}

/** A new user, as those fields give one. */
export interface NewUser {
  name: string
  wechatId: string
  phone?: string | undefined
  idNumber?: string | undefined
  accountProtection: boolean
  bankCard: boolean
}
