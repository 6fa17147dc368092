// Identifier formats (手机号, 身份证号, 微信号): parsing, detection and masking. Pure.

export type IdentifierKind = 'phone' | 'idNumber' | 'wechatId'

export interface Identifier {
  kind: IdentifierKind
  /** Normalised value: phone as 11 digits, ID with an upper-case X, WeChat ID as typed. */
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

/** Strips what people type around a mobile number: spaces, dashes, +86 / 0086. */
export function normalisePhone (input: string): string {
  let digits = input.replace(/[\s\-()]/g, '')
  if (digits.startsWith('+86')) digits = digits.slice(3)
  else if (digits.startsWith('0086')) digits = digits.slice(4)
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

function isRealDate (year: number, month: number, day: number): boolean {
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return day <= daysInMonth
}

export function parseIdNumber (input: string): ParseResult {
  const value = input.replace(/\s/g, '').toUpperCase()
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

export function parseWechatId (input: string): ParseResult {
  const value = input.trim()
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

/** Guesses the kind from the shape of the value, then validates it as that kind. */
export function detectIdentifier (input: string): ParseResult {
  const compact = input.replace(/[\s\-()]/g, '')
  if (/^[A-Za-z]/.test(compact)) return parseWechatId(input)
  if (/^(\+|0086)\d+$/.test(compact)) return parsePhone(input)
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

/**
 * A run of digits as people type numbers: groups joined by single spaces, dashes or brackets, maybe a
 * leading + or (. Not inside a word: WeChat IDs such as zw13912345678 are left alone (they start with a
 * letter, and an ID that is masked can no longer be typed back).
 */
const NUMBER_RUN = /(?<![A-Za-z0-9_-])[+(]?\d(?:[\s()-]?\d)*(?:[\s-]?[Xx])?(?![A-Za-z0-9_])/g

/** Masks one run when it holds 11 digits or more: a phone, an ID number, or anything as long (a card). */
function maskRun (run: string): string {
  let digits = run.replace(/[^\dXx]/g, '').toUpperCase()
  if (digits.length < 11) return run
  if (/^(?:0086|86)1[3-9]\d{9}$/.test(digits)) digits = digits.slice(-11)
  // Phones keep 3 + 4 with four stars; anything longer keeps 3 + 4 with a star per hidden character.
  return digits.length === 11 ? maskPhone(digits) : maskIdNumber(digits)
}

/**
 * Masks every phone or ID number in free text, however it is grouped: the last guard on every outgoing
 * text and log line. Dates and times (2026-11-21 10:00) hold fewer than 11 digits in a run and stay.
 */
export function maskPersonalNumbers (text: string): string {
  return text.replace(NUMBER_RUN, maskRun)
}
