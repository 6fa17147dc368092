// Identifier formats (手机号, 身份证号, 微信号): parsing, detection and masking of one identifier. Pure.
//
// Invariant 9, "normalise in, mask out": every parser reads NFKC (full-width １３８…, ＋86, Ｘ, full-width
// spaces and dashes are accepted and come out as ASCII); masking.ts catches a phone or ID number in free text
// however it is spelt.
import { daysInMonth } from './calendar.js'

export type IdentifierKind = 'phone' | 'idNumber' | 'wechatId'

export interface Identifier {
  kind: IdentifierKind
  /** Normalised value: phone as 11 digits, ID with an upper-case X, WeChat ID as typed (NFKC). */
  value: string
}

/** Why a value was not accepted, so the reply can say which format was expected. */
export type FormatProblem =
  | 'phone.length'
  | 'phone.prefix'
  | 'idNumber.length'
  | 'idNumber.characters'
  | 'idNumber.birthDate'
  | 'idNumber.checkDigit'
  | 'wechatId.length'
  | 'wechatId.start'
  | 'wechatId.characters'
  | 'unrecognised'

export type ParseResult =
  | { ok: true, identifier: Identifier }
  | { ok: false, kind: IdentifierKind | undefined, problem: FormatProblem }

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK_CHARS = '10X98765432'

/**
 * What every text from a person goes through first: NFKC turns full-width digits, letters, ＋, －, （）
 * and the ideographic space into ASCII, then the ends are trimmed. The chat intake applies it to every
 * incoming message; the parsers apply NFKC themselves as well, so a caller that forgets is still right.
 */
export function normaliseText (text: string): string {
  const normal = nfkc(text)
  return (normal.includes('\u20E3') ? normal.replace(KEYCAP, '$1') : normal).trim() // most messages hold no keycap
}

/** A keycap emoji (1️⃣, #️⃣): the character on the key, as a phone keyboard's emoji panel offers digits for menu choices. */
const KEYCAP = /([0-9#*])\uFE0F?\u20E3/gu

const ASCII = /^[\x00-\x7F]*$/
/** NFKC, skipped for ASCII (which NFKC leaves as it is): most text typed and every stored identifier is ASCII. */
export function nfkc (text: string): string {
  return ASCII.test(text) ? text : text.normalize('NFKC')
}

/** Dashes NFKC leaves as they are: ‐ ‑ ‒ – — ― − ﹘ ⸺ ⸻ (－ and ﹣ already become -). */
export const DASHES = '\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\u2E3A\u2E3B'

/** Dots NFKC leaves as they are (after NFKC: ． → . , ｡ → 。, ･ → ・): · ‧ ∙ ・ 。 (a Chinese keyboard's '.'). */
export const DOTS = '\u00B7\u2027\u2219\u30FB\u3002'

/**
 * What people put between the digit groups of a number, dropped before it is parsed: whitespace, dashes
 * of every kind, dots (138.0013.8000), brackets, underscores, and invisible characters (zero-width space,
 * soft hyphen, direction marks, the keycap and emoji selector of 1️⃣), which the reader reads straight
 * across. The same separators the last mask (masking.ts) reads a number across, so a number it masks in
 * a text is one the parsers accept.
 */
const NUMBER_FORMATTING = new RegExp(`[\\s\\-.()_${DASHES}${DOTS}\\p{Cf}\\p{M}]`, 'gu')

/** NFKC, then strips what people type around a mobile number: separators, brackets, +86 / 0086 / 86. */
export function normalisePhone (input: string): string {
  let digits = nfkc(input).replace(NUMBER_FORMATTING, '')
  if (digits.startsWith('+86')) digits = digits.slice(3)
  else if (digits.startsWith('0086')) digits = digits.slice(4)
  else if (/^86\d{11}$/.test(digits)) digits = digits.slice(2)
  return digits
}

export function parsePhone (input: string): ParseResult {
  const value = normalisePhone(input)
  if (!/^\d{11}$/.test(value)) return { ok: false, kind: 'phone', problem: 'phone.length' }
  if (!/^1[3-9]/.test(value)) return { ok: false, kind: 'phone', problem: 'phone.prefix' }
  return { ok: true, identifier: { kind: 'phone', value } }
}

export function idCheckDigit (first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!
  return ID_CHECK_CHARS[sum % 11]!
}

export function isRealDate (year: number, month: number, day: number): boolean {
  if (!(year >= 1900 && month >= 1 && month <= 12 && day >= 1)) return false // NaN fails too
  return day <= daysInMonth(year, month)
}

/** NFKC (so Ｘ and full-width digits count), grouping dropped, x upper-cased. */
export function parseIdNumber (input: string): ParseResult {
  const value = nfkc(input).replace(NUMBER_FORMATTING, '').toUpperCase()
  if (value.length !== 18) return { ok: false, kind: 'idNumber', problem: 'idNumber.length' }
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, kind: 'idNumber', problem: 'idNumber.characters' }
  const year = Number(value.slice(6, 10))
  const month = Number(value.slice(10, 12))
  const day = Number(value.slice(12, 14))
  if (!isRealDate(year, month, day)) return { ok: false, kind: 'idNumber', problem: 'idNumber.birthDate' }
  if (idCheckDigit(value.slice(0, 17)) !== value[17]) {
    return { ok: false, kind: 'idNumber', problem: 'idNumber.checkDigit' }
  }
  return { ok: true, identifier: { kind: 'idNumber', value } }
}

/** NFKC (full-width letters, ＿ and － become ASCII) and trimmed; otherwise as typed. */
export function parseWechatId (input: string): ParseResult {
  const value = normaliseText(input)
  if (value.length < 6 || value.length > 20) return { ok: false, kind: 'wechatId', problem: 'wechatId.length' }
  if (!/^[A-Za-z]/.test(value)) return { ok: false, kind: 'wechatId', problem: 'wechatId.start' }
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(value)) return { ok: false, kind: 'wechatId', problem: 'wechatId.characters' }
  return { ok: true, identifier: { kind: 'wechatId', value } }
}

export function parseIdentifier (kind: IdentifierKind, input: string): ParseResult {
  switch (kind) {
    case 'phone': return parsePhone(input)
    case 'idNumber': return parseIdNumber(input)
    case 'wechatId': return parseWechatId(input)
  }
}

/** Guesses the kind from the shape of the value (after NFKC), then validates it as that kind. */
export function detectIdentifier (input: string): ParseResult {
  const text = nfkc(input)
  const compact = text.replace(NUMBER_FORMATTING, '')
  if (/^[A-Za-z]/.test(compact)) return parseWechatId(text)
  if (/^(\+|0086)\d+$/.test(compact)) return parsePhone(text)
  if (/^\d+[Xx]?$/.test(compact)) {
    const looksLikeId = compact.length >= 15 || /[Xx]$/.test(compact)
    return looksLikeId ? parseIdNumber(compact) : parsePhone(compact)
  }
  return { ok: false, kind: undefined, problem: 'unrecognised' }
}

/** The WeChat ID comparison key: WeChat IDs are not case-sensitive. */
export function wechatIdKey (wechatId: string): string {
  return wechatId.toLowerCase()
}

export function maskPhone (phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '*'.repeat(phone.length)
}

export function maskIdNumber (id: string): string {
  return id.length >= 7 ? `${id.slice(0, 3)}${'*'.repeat(id.length - 7)}${id.slice(-4)}` : '*'.repeat(id.length)
}

export function maskWechatId (wechatId: string): string {
  if (wechatId.length <= 4) return `${wechatId[0] ?? ''}***`
  return `${wechatId.slice(0, 2)}***${wechatId.slice(-2)}`
}

export function maskIdentifier (identifier: Identifier): string {
  switch (identifier.kind) {
    case 'phone': return maskPhone(identifier.value)
    case 'idNumber': return maskIdNumber(identifier.value)
    case 'wechatId': return maskWechatId(identifier.value)
  }
}
