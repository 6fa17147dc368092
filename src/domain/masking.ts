// The last mask: every phone or ID number in free text, however it is spelt, hidden before a text
// leaves (a reply, a push, a log line, an API error). Pure.
import { DASHES, DOTS, isRealDate, maskIdNumber, maskPhone } from './identity.js'

// ---------------------------------------------------------------------------------------------------
// The last mask.
//
// The outgoing text itself is never normalised (replies use full-width ，：（） on purpose). Instead the
// text gets a "shadow": one ASCII stand-in per visible character, the character's NFKC form where that
// is one ASCII character (１ → 1, Ｘ → X, － → -, 　 → space), '-' for the dashes NFKC leaves alone, '.'
// for dots, '\n' for every line break, U+FFFD for anything else; invisible characters (format
// characters such as the zero-width space, combining marks such as the keycap of 1️⃣) have no stand-in,
// because a reader reads straight across them. Runs are found in the shadow and only those runs are
// rewritten in the original text, in ASCII; everything around them is kept as it was.
//
// Digits are the characters whose NFKC is one ASCII digit: 0-9, ０-９, ¹²³, ⁰-⁹, ₀-₉, ①-⑨, ⓪, the
// mathematical and segmented digits; and the decimal digits of every other script (\p{Nd}: Arabic-Indic
// ١٣٨, Devanagari १३८, Thai ๑๓๘ …), which NFKC leaves as they are but which spell a number all the same.
// Symbols standing for more than one character (⑩, ⒈, ㏩) are not digits: nobody spells a number with them.
//
// Separators between digit groups (any number of them, in any mix):
//   space of any kind, incl. 　 and tab   - and every dash (－ ‐ – — − …)   ( ) and （ ）   _
//   . and the dots ． · ・ 。 — a Chinese keyboard types 。 for '.', and 138.0013.8000 is a real way to
//     write a phone. The price: decimals, IPv4 addresses and version strings of 11 digits or more are
//     masked too. Over-masking a log line is acceptable, a leaked phone is not.
// Not separators: line breaks (a run never crosses one), ':' (so 09:00 stays apart), '/', ',', '，',
// '、', '~' '～' '至' (the words and signs of a range), letters and everything else.
// ---------------------------------------------------------------------------------------------------

const LINE_BREAK = '\n'
/** The stand-ins of the separators listed above. */
const SEPARATOR_STAND_INS = ' ._()-'
const OTHER = '\uFFFD'
const INVISIBLE = /^[\p{Cf}\p{M}]$/u
const DECIMAL_DIGIT = /^\p{Nd}$/u
const SPACE = /^\s$/u

/** Digits as listed above (the ones NFKC knows checked against all of Unicode by the tests). */
function isDigitLike (cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39
  if (cp >= 0x4E00 && cp <= 0x9FFF) return false // CJK ideographs, the bulk of a reply
  const s = standIn(cp)
  return s.length === 1 && s >= '0' && s <= '9'
}

/**
 * The value of a decimal digit NFKC leaves alone: Unicode encodes every script's decimal digits as a
 * run of ten from its 0, so the value is the distance from the start of the run, modulo ten.
 */
function decimalValue (cp: number): string {
  let zero = cp
  while (DECIMAL_DIGIT.test(String.fromCodePoint(zero - 1))) zero--
  return String((cp - zero) % 10)
}

/** The cheap early exit: a text with fewer than 11 digits (of any width) holds no phone or ID number. */
function hasElevenDigits (text: string): boolean {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) {
      if (c >= 0x30 && c <= 0x39 && ++count >= 11) return true
    } else if (isDigitLike(c >= 0xD800 && c <= 0xDBFF ? text.codePointAt(i)! : c) && ++count >= 11) {
      return true
    }
  }
  return false
}

/** Stand-ins already worked out for characters beyond ASCII (full-width punctuation recurs in every reply). */
const STAND_INS = new Map<number, string>()
const STAND_INS_MAX = 4096

/** The stand-in for one character ('' for an invisible one). */
function standIn (cp: number): string {
  if (cp < 0x80) {
    if (cp >= 0x0A && cp <= 0x0D) return LINE_BREAK // LF, VT, FF, CR
    if (cp === 0x09) return ' '
    return cp < 0x20 || cp === 0x7F ? OTHER : String.fromCharCode(cp)
  }
  if (cp >= 0x4E00 && cp <= 0x9FFF) return OTHER // CJK ideographs, the bulk of a reply: nothing to map
  let known = STAND_INS.get(cp)
  if (known === undefined) {
    if (STAND_INS.size >= STAND_INS_MAX) STAND_INS.clear() // bounded, whatever people send
    known = workOutStandIn(cp)
    STAND_INS.set(cp, known)
  }
  return known
}

function workOutStandIn (cp: number): string {
  if (cp === 0x85 || cp === 0x2028 || cp === 0x2029) return LINE_BREAK
  const char = String.fromCodePoint(cp)
  if (INVISIBLE.test(char)) return ''
  const nfkc = char.normalize('NFKC')
  if (nfkc.length === 1) {
    const code = nfkc.charCodeAt(0)
    if (code >= 0x20 && code < 0x7F) return nfkc
    if (DASHES.includes(nfkc)) return '-'
    if (DOTS.includes(nfkc)) return '.'
  }
  if (DECIMAL_DIGIT.test(char)) return decimalValue(cp)
  return SPACE.test(char) ? ' ' : OTHER
}

/**
 * The second exit, still without allocating: does any run hold 11 digits? Walks the stand-ins the way
 * RUN does (digits count, separators carry on, anything else starts again) without building the shadow.
 */
function hasLongRun (text: string): boolean {
  let count = 0
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!
    i += cp > 0xFFFF ? 2 : 1
    // ASCII and CJK ideographs, nearly all of a reply, without a stand-in string: the same answers as below.
    if (cp < 0x80) {
      if (cp >= 0x30 && cp <= 0x39) {
        if (++count >= 11) return true
      } else if (!isAsciiSeparator(cp)) {
        count = 0
      }
      continue
    }
    if (cp >= 0x4E00 && cp <= 0x9FFF) {
      count = 0
      continue
    }
    const s = standIn(cp)
    if (s === '') continue
    const c = s.charCodeAt(0)
    if (c >= 0x30 && c <= 0x39) {
      if (++count >= 11) return true
    } else if (!SEPARATOR_STAND_INS.includes(s)) {
      count = 0
    }
  }
  return false
}

/** The ASCII characters whose stand-in is a separator: space, tab and `._()-`. */
function isAsciiSeparator (cp: number): boolean {
  return cp === 0x20 || cp === 0x09 || cp === 0x2E || cp === 0x5F || cp === 0x28 || cp === 0x29 || cp === 0x2D
}

interface Shadow {
  /** One stand-in per visible character of the original. */
  text: string
  /** from[i]..to[i]: where stand-in i's character sits in the original (UTF-16 offsets). */
  from: number[]
  to: number[]
}

function shadowOf (text: string): Shadow {
  let shadow = ''
  const from: number[] = []
  const to: number[] = []
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!
    const size = cp > 0xFFFF ? 2 : 1
    const s = standIn(cp)
    if (s !== '') {
      shadow += s
      from.push(i)
      to.push(i + size)
    }
    i += size
  }
  return { text: shadow, from, to }
}

const SEPARATORS = '[ ._()\\-]*' // SEPARATOR_STAND_INS, any number of them
/**
 * A number as people type it, in the shadow: an optional ( and +, digit groups joined by separators,
 * maybe a final X (an ID's check character) that is not the start of a word.
 */
const RUN = new RegExp(`(\\(?\\+?)(\\d(?:${SEPARATORS}\\d)*)(${SEPARATORS}[Xx](?![A-Za-z0-9_]))?`, 'g')
const DIGIT_GROUP = /\d+/g
/** A WeChat-ID-shaped word: a maximal run of [A-Za-z0-9_-] that starts with a letter. */
const WORD = /(?<![A-Za-z0-9_-])[A-Za-z][A-Za-z0-9_-]*/g
const DATE = '(?:19|20)\\d\\d[-.]\\d\\d[-.]\\d\\d'
const DATES_ONLY = new RegExp(`^${DATE}(?:[ ._()\\-]+${DATE})+$`)
const DATE_PARTS = /(\d{4})[-.](\d\d)[-.](\d\d)/g
const WITH_COUNTRY_CODE = /^(?:0086|86)(1[3-9]\d{9})$/

/**
 * Two or more whole calendar dates and nothing else (2026-11-21 2026-12-21: 16 digits) stay readable.
 * This cannot hide a phone or ID number: such a run holds a multiple of 8 digits, never 11 or 17+X/18
 * (an ID's own birth date is not enough: its area code and sequence number are not dates). Anything
 * else next to a date on the same run (2026-11-21 100, 2026-11-21 13800138000) is masked with it:
 * over-masking a date is acceptable, a leaked number is not. Replies write ranges with 至 or 到.
 */
function isDatesOnly (body: string): boolean {
  if (!DATES_ONLY.test(body)) return false
  for (const [, y, m, d] of body.matchAll(DATE_PARTS)) {
    if (!isRealDate(Number(y), Number(m), Number(d))) return false
  }
  return true
}

function countDigits (shadow: string): number {
  let count = 0
  for (let i = 0; i < shadow.length; i++) {
    const c = shadow.charCodeAt(i)
    if (c >= 0x30 && c <= 0x39) count++
  }
  return count
}

/** How one run is rewritten: shadow range [start, end) becomes `pieces` (text, or a kept shadow range). */
interface Rewrite {
  start: number
  end: number
  pieces: Array<string | [number, number]>
}

/** Masks 11 digits as a phone (138****8000) and anything longer as an ID number (110***********002X). */
function maskDigits (digits: string): string {
  return digits.length === 11 ? maskPhone(digits) : maskIdNumber(digits)
}

/** The runs of `shadow` that hold 11 digits or more, and how each is rewritten. */
function findRewrites (shadow: string): Rewrite[] {
  const rewrites: Rewrite[] = []
  RUN.lastIndex = 0
  for (let m = RUN.exec(shadow); m !== null; m = RUN.exec(shadow)) {
    const body = m[2]!
    if (body.length < 11 || countDigits(body) < 11 || isDatesOnly(body)) continue
    const prefix = m[1]!
    const tail = m[3]
    const start = m.index
    const bodyStart = start + prefix.length
    const groups = [...body.matchAll(DIGIT_GROUP)].map((g) => ({ from: bodyStart + g.index, digits: g[0] }))
    const total = groups.reduce((n, g) => n + g.digits.length, 0)
    const last = groups[groups.length - 1]!
    // Several numbers of 11+ digits each, one after the other (13800138000 13900139000): each is masked
    // on its own and the separators between them stay.
    const oneByOne = groups.length > 1 && groups.every((g) => g.digits.length >= 11)
    const withX = tail !== undefined && (oneByOne ? last.digits.length : total) === 17
    const end = bodyStart + body.length + (withX ? tail.length : 0)
    const pieces: Rewrite['pieces'] = []
    if (oneByOne) {
      if (prefix !== '') pieces.push([start, bodyStart])
      groups.forEach((g, i) => {
        if (i > 0) pieces.push([groups[i - 1]!.from + groups[i - 1]!.digits.length, g.from])
        pieces.push(maskDigits(g === last && withX ? `${g.digits}X` : g.digits))
      })
    } else {
      let digits = groups.map((g) => g.digits).join('') + (withX ? 'X' : '')
      const national = WITH_COUNTRY_CODE.exec(digits)
      if (national) digits = national[1]!
      // A ( is dropped with the ) inside the number, kept when the ) is outside: 电话(138****8000).
      // A + is dropped with the +86 it belongs to, kept before any other country code.
      const open = prefix.indexOf('(')
      const plus = prefix.indexOf('+')
      if (open >= 0 && !body.includes(')')) pieces.push([start + open, start + open + 1])
      if (plus >= 0 && !national) pieces.push([start + plus, start + plus + 1])
      pieces.push(maskDigits(digits))
    }
    rewrites.push({ start, end, pieces })
  }
  return rewrites
}

/**
 * The shadow with every known WeChat ID that a long run touches blanked out, so that no run can enter
 * it; unchanged when there is none. The predicate is asked only about words that would be masked.
 */
function blankKnownWechatIds (shadow: string, rewrites: Rewrite[], isKnownWechatId: (word: string) => boolean): string {
  // Built once from pieces: rebuilding the whole string per word made a long text quadratic.
  const pieces: string[] = []
  let cursor = 0
  let r = 0
  for (const w of shadow.matchAll(WORD)) {
    const wordStart = w.index
    const wordEnd = wordStart + w[0].length
    while (r < rewrites.length && rewrites[r]!.end <= wordStart) r++
    if (r === rewrites.length) break
    if (rewrites[r]!.start >= wordEnd || !isKnownWechatId(w[0])) continue
    pieces.push(shadow.slice(cursor, wordStart), OTHER.repeat(w[0].length))
    cursor = wordEnd
  }
  if (pieces.length === 0) return shadow
  pieces.push(shadow.slice(cursor))
  return pieces.join('')
}

/**
 * Masks every phone or ID number in free text, however it is spelt: the last guard on every outgoing
 * text and log line (invariants 5 and 9).
 *
 * - Full-width or mixed digits, Ｘ, and groups joined by any of the separators above (` - `, 　, －, .)
 *   are caught; the masked run is written in ASCII (138****8000), the text around it is left as it was.
 * - A run never crosses a line break, and never takes the characters around it.
 * - Digits glued to letters are masked, keeping the letters: abc15886767768 → abc158****7768.
 * - A word (maximal run of [A-Za-z0-9_-], after NFKC) that starts with a letter and for which
 *   `isKnownWechatId(word)` is true is a real user's WeChat ID and is shown whole (zw13912345678).
 *   Without the predicate nothing is known, and such IDs are masked like any other number.
 * - Runs of fewer than 11 digits stay: dates, times (2026-11-21 09:00), codes (K7Q2), counts. Two or
 *   more whole dates in one run stay too (see isDatesOnly).
 */
export function maskPersonalNumbers (text: string, isKnownWechatId?: (word: string) => boolean): string {
  if (!hasElevenDigits(text) || !hasLongRun(text)) return text
  const shadow = shadowOf(text)
  let rewrites = findRewrites(shadow.text)
  if (rewrites.length === 0) return text
  if (isKnownWechatId) {
    const blanked = blankKnownWechatIds(shadow.text, rewrites, isKnownWechatId)
    if (blanked !== shadow.text) rewrites = findRewrites(blanked)
  }
  const { from, to } = shadow
  let out = ''
  let cursor = 0
  for (const { start, end, pieces } of rewrites) {
    out += text.slice(cursor, from[start]!)
    for (const piece of pieces) out += typeof piece === 'string' ? piece : text.slice(from[piece[0]]!, to[piece[1] - 1]!)
    cursor = to[end - 1]!
  }
  return out + text.slice(cursor)
}

/** Text the last mask leaves as it is: an id or a name that every message can show as it was written. */
export function survivesMask (text: string): boolean {
  return maskPersonalNumbers(text) === text
}
