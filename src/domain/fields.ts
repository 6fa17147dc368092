// The fields people and other systems send the assistant (the platform API's bodies, the import's rows),
// as zod schemas that check and normalise: one definition, so both accept exactly the same values.
import { z } from 'zod'
import { parseIdNumber, parsePhone, parseWechatId } from './identity.js'
import type { ParseResult } from './identity.js'
import { isStorableText } from './text.js'

/** A string normalised by one of the identifier parsers, with its format problem as the message. */
export const identifier = (parse: (v: string) => ParseResult, what: string) => z.string().transform((value, ctx) => {
  const parsed = parse(value)
  if (parsed.ok) return parsed.identifier.value
  ctx.addIssue({ code: 'custom', message: `not a valid ${what} (${parsed.problem})` })
  return z.NEVER
})

export const wechatId = identifier(parseWechatId, 'WeChat ID')
export const phone = identifier(parsePhone, 'mobile number')
export const idNumber = identifier(parseIdNumber, 'ID number')
export const personName = z.string().min(1).max(40).refine(isStorableText, 'holds a control character or a broken character')

/** A new user as the platform reports one (POST /v1/users) and as an import lists one. */
export const newUserFields = {
  name: personName,
  wechatId,
  phone: phone.optional(),
  idNumber: idNumber.optional(),
  accountProtection: z.boolean(),
  bankCard: z.boolean(),
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
