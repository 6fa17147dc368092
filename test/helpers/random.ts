// Small, seeded building blocks for the random chat test: a PRNG, the ways people spell phone and ID
// numbers, words that are also names on Object.prototype, odd texts, and the leak detector.
import { idCheckDigit } from '../../src/domain/identity.js'

/** mulberry32: a tiny PRNG with 32 bits of state; the same seed gives the same run. */
export class Random {
  private state: number
  constructor (seed: number) { this.state = seed >>> 0 }

  /** A float in [0, 1). */
  next (): number {
    this.state = (this.state + 0x6D2B79F5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [lo, hi]. */
  int (lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)) }
  chance (p: number): boolean { return this.next() < p }
  pick<T> (list: readonly T[]): T { return list[Math.floor(this.next() * list.length)]! }
  digits (n: number): string { return Array.from({ length: n }, () => this.int(0, 9)).join('') }

  /** Picks by weight: `[[3, () => 'a'], [1, () => 'b']]` gives 'a' three times as often. */
  weighted<T> (choices: ReadonlyArray<readonly [number, () => T]>): T {
    let roll = this.next() * choices.reduce((sum, [w]) => sum + w, 0)
    for (const [weight, make] of choices) {
      roll -= weight
      if (roll < 0) return make()
    }
    return choices.at(-1)![1]()
  }
}

/** Names every plain object inherits: a lookup like `TABLE[word]` finds them when it should not. */
export const HOSTILE_WORDS = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'isPrototypeOf', '__defineGetter__', 'toLocaleString'] as const

/** ASCII letters, digits, + and - as their full-width forms (１３８…, ＋86, Ｘ). */
export function fullWidth (text: string): string {
  return text.replace(/[0-9A-Za-z+-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xFEE0))
}

export function randomPhone (r: Random): string {
  return `1${r.int(3, 9)}${r.digits(9)}`
}

/** A well-formed resident ID number: real area, real birth date, correct check digit. */
export function randomIdNumber (r: Random): string {
  const area = r.pick(['110101', '310104', '440106', '510107', '330106', '440305'])
  const birth = `${r.int(1950, 2005)}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}`
  const first17 = `${area}${birth}${r.digits(3)}`
  return first17 + idCheckDigit(first17)
}

/** One phone number (11 digits) as people type it: +86, 0086, spaces, dashes, full width, glued to letters. */
export function spellPhone (r: Random, phone: string): string {
  const [a, b, c] = [phone.slice(0, 3), phone.slice(3, 7), phone.slice(7)]
  return r.pick([
    phone,
    `+86${phone}`,
    `+86 ${phone}`,
    `0086${phone}`,
    `0086-${a}-${b}-${c}`,
    `${a} ${b} ${c}`,
    `${a}-${b}-${c}`,
    `${a} - ${b} - ${c}`,
    `(+86) ${a} ${b} ${c}`,
    fullWidth(phone),
    `＋86${fullWidth(phone)}`,
    `${fullWidth(a)}\u3000${fullWidth(b)}\u3000${fullWidth(c)}`,
    `${fullWidth(a)}－${fullWidth(b)}－${fullWidth(c)}`,
    `abc${phone}`,
    `${phone}abc`,
    `wx_${phone}`,
    `${a}\u200b${b}\u200b${c}`,
    `手机${phone}`,
  ])
}

/** One ID number (18 characters) as people type it: lower-case x, full width, Ｘ, groups, glued to letters. */
export function spellIdNumber (r: Random, id: string): string {
  const [a, b, c] = [id.slice(0, 6), id.slice(6, 14), id.slice(14)]
  return r.pick([
    id,
    id.toLowerCase(),
    `${a} ${b} ${c}`,
    `${a}-${b}-${c}`,
    `${a} - ${b} - ${c}`,
    fullWidth(id),
    fullWidth(id.toLowerCase()),
    `${fullWidth(a)}\u3000${fullWidth(b)}\u3000${fullWidth(c)}`,
    `id${id}`,
    `${id}号`,
    `身份证${id}`,
  ])
}

/** Texts that are hardly text at all, or far too much of it. */
export function oddText (r: Random): string {
  return r.pick([
    '',
    ' ',
    '\u3000',
    '\n',
    '\t \n',
    '\u200b',
    '\u200b\u200c\u200d\ufeff',
    '👍',
    '👨‍👩‍👧‍👦🎉',
    '绑定查询 👍',
    '帮\u200b助',
    '绑定\n查询',
    '帮助\n帮助',
    '确认\n取消',
    '\u202e助帮',
    'ｈｅｌｐ',
    '？',
    '…',
    '%s %d %o ${x} {{x}}',
    '<script>alert(1)</script>',
    '"; DROP TABLE users; --',
    '\\u0000 \0 nul',
    'a'.repeat(10_000),
    '啊'.repeat(10_000),
    `绑定查询 ${'x'.repeat(9_995)}`,
    `同意 ${'K7Q2 '.repeat(2_000)}`,
    `${'13800138000 '.repeat(800)}`,
  ])
}

/** Shown in failure messages: escapes visible, long texts cut. */
export function show (text: string, max = 120): string {
  const quoted = JSON.stringify(text)
  return quoted.length > max ? `${quoted.slice(0, max)}… (${text.length} chars)` : quoted
}

const PHONE = /(?<!\d)1[3-9]\d{9}(?!\d)/g
const ID_NUMBER = /(?<!\d)\d{17}[\dX](?![\dX])/g
/** Spaces, dashes of every kind, and characters no one can see: a reader joins the digits across them. */
const INVISIBLE_OR_SEPARATOR = /[\s\-‐‑‒–—―−\u200b-\u200d\u2060\ufeff]/g

/**
 * Whole phone or ID numbers a reader could take from `text`: per line, NFKC form, separators dropped.
 * `allowed` are WeChat IDs of known users, which may be shown whole.
 */
export function wholeNumbersIn (text: string, allowed: readonly string[]): string[] {
  const found: string[] = []
  for (const line of text.split('\n')) {
    let plain = line.normalize('NFKC')
    for (const id of allowed) plain = plain.replace(new RegExp(id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), ' ')
    plain = plain.replace(INVISIBLE_OR_SEPARATOR, '').toUpperCase()
    found.push(...(plain.match(PHONE) ?? []))
    found.push(...(plain.match(ID_NUMBER) ?? []).filter((id) => idCheckDigit(id.slice(0, 17)) === id[17]))
  }
  return found
}
