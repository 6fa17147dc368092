// The values an import row holds, as zod schemas: the platform API's own fields (fields.ts) for
// people, and the few an import adds (account ids and names, times, yes/no words). Pure.
import { z } from 'zod'
import { parseShanghaiTime } from '../domain/calendar.js'
import { accountName as sharedAccountName, idNumber, personName, phone, wechatId } from '../fields.js'
import { normaliseText } from '../domain/identity.js'
import { survivesMask } from '../domain/masking.js'

/** NFKC and trimmed before the field's own check, as the chat takes every message (invariant 9). */
const typed = <T extends z.ZodType<unknown, string>>(schema: T) => z.string().transform(normaliseText).pipe(schema)

export { idNumber, phone, wechatId }
export const name = typed(personName)

/** An account's id as the platform names it (acc_tea, gh_…): no spaces, nothing a URL would have to escape. */
export const accountId = typed(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
  'not an account id (1–64 letters, digits, _ . or -, starting with a letter or digit)')
  // Every answer passes the last mask: an id it would change (shop13800138001) could never be named back.
  .refine(survivesMask, 'an account id that reads as a phone or ID number (11 or more digits in a row): every answer would hide it, so choose one without'))
/** The API's rules for an account's name (one line, at most 30 characters, nothing invisible). */
export const accountName = typed(sharedAccountName)

const TIME_PROBLEM = {
  format: 'not a time (write 2026-12-31 18:00, Beijing time)',
  'date-only': 'a date without a time of day (write 2026-12-31 18:00, Beijing time)',
  'not-a-real-time': 'not a real date and time between 2000 and 2099',
} as const

/** A time as people type it, in Beijing time (calendar.ts), as epoch milliseconds. */
export const time = z.string().transform((value, ctx) => {
  const reading = parseShanghaiTime(value)
  if (reading.ok) return reading.at
  ctx.addIssue({ code: 'custom', message: TIME_PROBLEM[reading.problem] })
  return z.NEVER
})

/** The words a spreadsheet holds for yes and no, English and Chinese; looked up in a Map, never a plain object. */
const YES_NO = new Map<string, boolean>([
  ['yes', true], ['y', true], ['true', true], ['1', true], ['on', true], ['是', true], ['开', true], ['开启', true], ['有', true], ['已开启', true], ['已绑定', true],
  ['no', false], ['n', false], ['false', false], ['0', false], ['off', false], ['否', false], ['关', false], ['关闭', false], ['无', false], ['未开启', false], ['未绑定', false],
])
export const yesNo = z.string().transform((value, ctx) => {
  const answer = YES_NO.get(normaliseText(value).toLowerCase())
  if (answer !== undefined) return answer
  ctx.addIssue({ code: 'custom', message: 'not yes or no (yes/no, 是/否, 开/关, true/false, 1/0)' })
  return z.NEVER
})
