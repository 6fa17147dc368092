// Identifier formats and masking, table-driven.
import test from 'ava'
import {
  detectIdentifier, idCheckDigit, maskIdNumber, maskPhone, maskWechatId, normaliseText,
  parseIdentifier, parseIdNumber, parsePhone, parseWechatId,
} from '../src/domain/identity.js'
import { maskPersonalNumbers } from '../src/domain/masking.js'
import type { ParseResult } from '../src/domain/identity.js'

const outcome = (r: ParseResult): string => r.ok ? `ok:${r.identifier.kind}:${r.identifier.value}` : `bad:${r.problem}`

const phones: Array<[string, string]> = [
  ['13800138000', 'ok:phone:13800138000'],
  ['+86 138-0013-8000', 'ok:phone:13800138000'],
  ['0086 13800138000', 'ok:phone:13800138000'],
  ['199 0000 0000', 'ok:phone:19900000000'],
  ['1380013800', 'bad:phone.length'],
  ['138001380001', 'bad:phone.length'],
  ['12800138000', 'bad:phone.prefix'],
  ['23800138000', 'bad:phone.prefix'],
  ['1380013800a', 'bad:phone.length'],
  // full width, as Chinese keyboards type it: NFKC first, the value comes out in ASCII
  ['１３８００１３８０００', 'ok:phone:13800138000'],
  ['＋86 138-0013-8000', 'ok:phone:13800138000'],
  ['＋８６　１３８－００１３－８０００', 'ok:phone:13800138000'],
  ['０086 138 0013 8000', 'ok:phone:13800138000'],
  ['１３８０（０１３）８０００', 'ok:phone:13800138000'],
  ['138—0013—8000', 'ok:phone:13800138000'],
  ['138\u200b0013\u200b8000', 'ok:phone:13800138000'],
  ['１２８００１３８０００', 'bad:phone.prefix'],
  ['１３８００１３８００', 'bad:phone.length'],
]
for (const [input, expected] of phones) {
  test(`phone ${JSON.stringify(input)} → ${expected}`, (t) => t.is(outcome(parsePhone(input)), expected))
}

const ids: Array<[string, string]> = [
  ['11010519491231002X', 'ok:idNumber:11010519491231002X'],
  ['11010519491231002x', 'ok:idNumber:11010519491231002X'],
  ['510107199208150069', 'ok:idNumber:510107199208150069'],
  ['510107199208150068', 'bad:idNumber.checkDigit'],
  ['11010519491231002', 'bad:idNumber.length'],
  ['1101051949123100X2', 'bad:idNumber.characters'],
  ['110105194902300021', 'bad:idNumber.birthDate'], // 30 February
  ['110105194913010021', 'bad:idNumber.birthDate'], // month 13
  ['110105180001010021', 'bad:idNumber.birthDate'], // before 1900
  ['110105200002290021', 'ok:idNumber:110105200002290021'], // 29 February 2000: divisible by 400, a leap year
  ['110105200402290020', 'ok:idNumber:110105200402290020'], // 29 February 2004
  ['110105190002290025', 'bad:idNumber.birthDate'], // 1900: divisible by 100, not a leap year
  ['110105210002290020', 'bad:idNumber.birthDate'], // 2100: not a leap year either
  ['110105199902290021', 'bad:idNumber.birthDate'], // 1999
  ['110105194904300024', 'ok:idNumber:110105194904300024'], // 30 April
  ['11010519490431002X', 'bad:idNumber.birthDate'], // 31 April
  ['１１０１０５１９４９１２３１００２Ｘ', 'ok:idNumber:11010519491231002X'],
  ['１１０１０５１９４９１２３１００２ｘ', 'ok:idNumber:11010519491231002X'],
  ['110105\u300019491231\u3000002X', 'ok:idNumber:11010519491231002X'],
  ['110105－19491231－002Ｘ', 'ok:idNumber:11010519491231002X'],
  ['５１０１０７１９９２０８１５００６８', 'bad:idNumber.checkDigit'],
]
for (const [input, expected] of ids) {
  test(`ID number ${input} → ${expected}`, (t) => t.is(outcome(parseIdNumber(input)), expected))
}

test('the check digit follows GB 11643-1999 (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, mod 11)', (t) => {
  t.is(idCheckDigit('11010519491231002'), 'X')
  t.is(idCheckDigit('44010619900105004'), 'X')
  t.is(idCheckDigit('51010719920815006'), '9')
})

const wechatIds: Array<[string, string]> = [
  ['zhangwei_ops', 'ok:wechatId:zhangwei_ops'],
  ['Abc-12_3', 'ok:wechatId:Abc-12_3'],
  ['abcde', 'bad:wechatId.length'],
  ['a'.repeat(21), 'bad:wechatId.length'],
  ['1abcdef', 'bad:wechatId.start'],
  ['_abcdef', 'bad:wechatId.start'],
  ['abc def', 'bad:wechatId.characters'],
  ['abc.def', 'bad:wechatId.characters'],
  ['ｚｈａｎｇｗｅｉ＿ｏｐｓ', 'ok:wechatId:zhangwei_ops'],
  ['\u3000zw13912345678\u3000', 'ok:wechatId:zw13912345678'],
  ['Ａｂｃ－１２＿３', 'ok:wechatId:Abc-12_3'],
  ['ａｂｃ．ｄｅｆ', 'bad:wechatId.characters'],
]
for (const [input, expected] of wechatIds) {
  test(`WeChat ID ${JSON.stringify(input)} → ${expected}`, (t) => t.is(outcome(parseWechatId(input)), expected))
}

const detected: Array<[string, string]> = [
  ['13800138000', 'ok:phone:13800138000'],
  ['+8613800138000', 'ok:phone:13800138000'],
  ['138 0013 8000', 'ok:phone:13800138000'],
  ['510107199208150069', 'ok:idNumber:510107199208150069'],
  ['11010519491231002x', 'ok:idNumber:11010519491231002X'],
  ['510107199208150068', 'bad:idNumber.checkDigit'],
  ['5101071992081500', 'bad:idNumber.length'],
  ['zhangwei_ops', 'ok:wechatId:zhangwei_ops'],
  ['zw', 'bad:wechatId.length'],
  ['1380013800', 'bad:phone.length'],
  ['@#¥%', 'bad:unrecognised'],
  ['１３８００１３８０００', 'ok:phone:13800138000'],
  ['＋８６１３８００１３８０００', 'ok:phone:13800138000'],
  ['　１３８　００１３　８０００　', 'ok:phone:13800138000'],
  ['１１０１０５１９４９１２３１００２Ｘ', 'ok:idNumber:11010519491231002X'],
  ['110105 19491231 002ｘ', 'ok:idNumber:11010519491231002X'],
  ['ｚｈａｎｇｗｅｉ＿ｏｐｓ', 'ok:wechatId:zhangwei_ops'],
  ['？', 'bad:unrecognised'],
]
for (const [input, expected] of detected) {
  test(`detects ${JSON.stringify(input)} → ${expected}`, (t) => t.is(outcome(detectIdentifier(input)), expected))
}

test('masking keeps the first 3 and last 4 of phone and ID numbers', (t) => {
  t.is(maskPhone('13800138000'), '138****8000')
  t.is(maskIdNumber('11010519491231002X'), '110***********002X')
  t.is(maskWechatId('zhangwei_ops'), 'zh***ps')
})


test('parseIdentifier reads NFKC for every kind', (t) => {
  t.is(outcome(parseIdentifier('phone', '１３８ ００１３ ８０００')), 'ok:phone:13800138000')
  t.is(outcome(parseIdentifier('idNumber', '１１０１０５１９４９１２３１００２ｘ')), 'ok:idNumber:11010519491231002X')
  t.is(outcome(parseIdentifier('wechatId', 'ｚｈａｎｇｗｅｉ＿ｏｐｓ')), 'ok:wechatId:zhangwei_ops')
})

const normalised: Array<[string, string]> = [
  ['  ＋８６ １３８－００１３－８０００　', '+86 138-0013-8000'],
  ['ｈｅｌｐ', 'help'],
  ['\u3000绑定查询\u3000', '绑定查询'],
  ['同意　Ｋ７Ｑ２', '同意 K7Q2'],
  ['', ''],
]
for (const [input, expected] of normalised) {
  test(`normaliseText ${JSON.stringify(input)} → ${JSON.stringify(expected)}`, (t) => t.is(normaliseText(input), expected))
}

// ---- The last mask --------------------------------------------------------------------------------

/** The WeChat IDs of known users in these tests (the app asks its store). */
const KNOWN = new Set(['zw13912345678', 'user_13800138000', 'ops-15886767768'])
const isKnown = (word: string): boolean => KNOWN.has(word.toLowerCase())

const masked: Array<[string, string]> = [
  ['查询 13800138000 的结果', '查询 138****8000 的结果'],
  ['+86 139-0013-9001', '139****9001'],
  ['0086 13800138000', '138****8000'],
  ['1380 0138 000', '138****8000'],
  ['1380-0138-000', '138****8000'],
  ['(138)0013-8000', '138****8000'],
  ['(+86) 138 0013 8000', '138****8000'],
  ['电话(13800138000)', '电话(138****8000)'],
  ['电话（13800138000）', '电话（138****8000）'],
  ['11010519491231002x', '110***********002X'],
  ['110105 19950228 0078', '110***********0078'],
  ['卡号 6222 0212 3456 7890 123', '卡号 622************0123'],
  ['序号 13800138000。', '序号 138****8000。'],
  // full width and mixed widths: the masked run comes out in ASCII, the Chinese punctuation around stays
  ['１３８００１３８０００', '138****8000'],
  ['138００138000', '138****8000'],
  ['＋86 138 0013 8000', '138****8000'],
  ['＋８６１３８００１３８０００', '138****8000'],
  ['查询结果：１３８００１３８０００（本人），请核对。', '查询结果：138****8000（本人），请核对。'],
  ['身份证 １１０１０５１９４９１２３１００２Ｘ。', '身份证 110***********002X。'],
  ['１１０１０５１９４９１２３１００２ｘ', '110***********002X'],
  ['11010519491231002 X', '110***********002X'],
  // separators: ` - `, full-width space and dash, every dash, dots, underscores, invisible characters
  ['138 - 0013 - 8000', '138****8000'],
  ['１３８　００１３　８０００', '138****8000'],
  ['１３８－００１３－８０００', '138****8000'],
  ['138 — 0013 – 8000', '138****8000'],
  ['138−0013‐8000', '138****8000'],
  ['138  0013\t8000', '138****8000'],
  ['138.0013.8000', '138****8000'],
  ['138。0013。8000', '138****8000'],
  ['138·0013·8000', '138****8000'],
  ['138_0013_8000', '138****8000'],
  ['138\u200b0013\u200b8000', '138****8000'],
  ['138\u00ad0013\u00ad8000', '138****8000'],
  ['1\ufe0f\u20e33\ufe0f\u20e38\ufe0f\u20e300138000', '138****8000'], // keycap digits
  ['110105 - 19491231 - 002X', '110***********002X'],
  ['𝟏𝟑𝟖𝟎𝟎𝟏𝟑𝟖𝟎𝟎𝟎', '138****8000'], // mathematical digits are digits to NFKC too
  // glued to letters: the letters stay, the digits are masked
  ['abc15886767768', 'abc158****7768'],
  ['15886767768abc', '158****7768abc'],
  ['ａｂｃ１５８８６７６７７６８', 'ａｂｃ158****7768'],
  ['id11010519491231002X', 'id110***********002X'],
  ['11010519491231002Xabc', '110**********1002Xabc'], // the X starts a word: 17 digits masked, X stays
  ['手机15886767768号', '手机158****7768号'],
  // WeChat-ID-shaped words nobody knows: masked like any number (what logs do: no predicate there)
  ['解绑运营者 zw13912345678', '解绑运营者 zw139****5678'],
  ['微信号 user_13800138000', '微信号 user_138****8000'],
  ['wx_138 0013 8000', 'wx_138****8000'],
  // several long numbers in one run: each masked on its own, the separators stay
  ['13800138000 13900139000', '138****8000 139****9000'],
  ['13800138000、13900139000', '138****8000、139****9000'],
  ['510107199208150069 13800138000', '510***********0069 138****8000'],
  // a run takes nothing around it and never crosses a line break
  ['2345\n13800138000\n2026-11-21 09:00', '2345\n138****8000\n2026-11-21 09:00'],
  ['13800138000\r\n完成', '138****8000\r\n完成'],
  ['编号：13800138000；', '编号：138****8000；'],
  ['+44 20 7946 0958', '+442*****0958'], // another country code: the + stays before the mask
  // next to a date in the same run: masked together (over-masking a date is the price of no leak)
  ['2026-11-21 13800138000', '202************8000'],
  ['2026-11-21 100', '202****1100'],
  ['110105 1949-12-31 002X', '110***********002X'], // an ID with its birth date written as a date
]
for (const [text, expected] of masked) {
  test(`masks ${JSON.stringify(text)} as ${JSON.stringify(expected)}`, (t) => t.is(maskPersonalNumbers(text), expected))
}

/** What must reach the reader as it is. */
const unchanged: string[] = [
  '2026-11-21 10:00 到期(剩 2 天)',
  '2026-11-21 绑定,2026-12-21 10:00 到期',
  '2026-11-21 09:00 至 2026-12-21',
  '2026-11-21 09:00 至 2026-12-21 09:00',
  '２０２６－１１－２１　０９：００',
  '邀请码 K7Q2,长期 2/5,短期 1/20',
  '邀请码 K7Q2，长期 2/5，短期 1/20。',
  '2345\n2026-11-21 09:00', // the reported bug: 234*******2109:00
  '1. 公众号A — 2026-11-21 09:00 到期\n2. 公众号B — 2026-12-21 09:00 已到期',
  '共 12345 条，其中 678901 条已处理', // two short numbers with words between
  '1234567890', // 10 digits
  '１２３４５６７８９０',
  '123456\n78901234', // 14 digits, but on two lines
  '9:00 10:00 11:00 12:00 13:00 14:00',
  '⑩⑪⑫⑬⑭⑮', // symbols that stand for two digits are not digits
  // two or more whole dates: a multiple of 8 digits, never a phone or ID number; documented in identity.ts
  '2026-11-21 2026-12-21',
  '2026-11-21 - 2026-12-21',
  '2026.11.21 2026.12.21 2027.01.21',
  '（２０２６－１１－２１　２０２６－１２－２１）',
  '',
  '没有数字的消息，全角标点：（）【】！',
]
for (const text of unchanged) {
  test(`leaves ${JSON.stringify(text)} as it is`, (t) => t.is(maskPersonalNumbers(text), text))
}

test('not-dates that look like two dates are masked: a day that does not exist', (t) => {
  t.is(maskPersonalNumbers('2026-02-30 2026-12-21'), '202*********1221')
})

// ---- Known WeChat IDs -----------------------------------------------------------------------------

const withKnownIds: Array<[string, string]> = [
  ['解绑运营者 zw13912345678', '解绑运营者 zw13912345678'],
  ['微信号 user_13800138000', '微信号 user_13800138000'],
  ['运营者 ZW13912345678 已解绑', '运营者 ZW13912345678 已解绑'], // WeChat IDs are not case-sensitive
  ['ｚｗ１３９１２３４５６７８', 'ｚｗ１３９１２３４５６７８'], // known after NFKC, shown as it was typed
  ['(微信号 ops-15886767768)', '(微信号 ops-15886767768)'],
  ['zw13912345678 13800138000', 'zw13912345678 138****8000'], // the ID stays, the phone next to it does not
  ['zw13912345678\n13800138000', 'zw13912345678\n138****8000'],
  // not known: masked, letters kept
  ['zw13912345679', 'zw139****5679'],
  ['xzw13912345678', 'xzw139****5678'], // a longer word is a different ID
  ['1zw13912345678', '1zw139****5678'], // starts with a digit: not a WeChat ID at all
  ['abc15886767768', 'abc158****7768'],
  ['13800138000', '138****8000'],
]
for (const [text, expected] of withKnownIds) {
  test(`with known WeChat IDs, ${JSON.stringify(text)} is shown as ${JSON.stringify(expected)}`, (t) => {
    t.is(maskPersonalNumbers(text, isKnown), expected)
  })
}

test('the predicate is asked only about words that would otherwise be masked, after NFKC', (t) => {
  const asked: string[] = []
  const spy = (word: string): boolean => { asked.push(word); return false }
  maskPersonalNumbers('zhangwei_ops 看了 2026-11-21 的 K7Q2 和 ｚｗ１３９１２３４５６７８', spy)
  t.deepEqual(asked, ['zw13912345678'])
  maskPersonalNumbers('no digits here, zhangwei_ops', spy)
  t.deepEqual(asked, ['zw13912345678'])
})

// ---- Every digit NFKC knows -----------------------------------------------------------------------

test('every character whose NFKC is one ASCII digit counts as a digit (the early exit included)', (t) => {
  let checked = 0
  for (let cp = 0x80; cp <= 0x10FFFF; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue
    const char = String.fromCodePoint(cp)
    const nfkc = char.normalize('NFKC')
    if (!/^[0-9]$/.test(nfkc)) continue
    checked++
    // eleven of the same character, alone and among ASCII digits: never left whole
    t.is(maskPersonalNumbers(char.repeat(11)), maskPhone(nfkc.repeat(11)), `U+${cp.toString(16)}`)
    t.is(maskPersonalNumbers(`1380013800${char}`), maskPhone(`1380013800${nfkc}`), `U+${cp.toString(16)}`)
  }
  t.true(checked >= 100)
})

test('a number written in the decimal digits of another script (Arabic-Indic, Devanagari, Thai, Adlam…), or in several at once, is masked too', (t) => {
  const zeros = [0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x1040, 0x1E950]
  const inScript = (zero: number, digits: string): string => [...digits].map((d) => String.fromCodePoint(zero + Number(d))).join('')
  for (const zero of zeros) {
    t.is(maskPersonalNumbers(`电话 ${inScript(zero, '13800138000')}`), '电话 138****8000', `U+${zero.toString(16)}`)
    t.is(maskPersonalNumbers(inScript(zero, '11010519491231002') + 'X'), '110***********002X', `U+${zero.toString(16)}`)
  }
  // mixed: ASCII, full-width, Arabic-Indic and Devanagari digits in one number, with a space
  t.is(maskPersonalNumbers(`1３${inScript(0x0660, '800')} ${inScript(0x0966, '1380')}00`), '138****8000')
  t.is(maskPersonalNumbers(inScript(0x0660, '2026')), inScript(0x0660, '2026'), 'fewer than 11 digits stay')
})

test('every ASCII character but the digits and every CJK ideograph between digit groups joins them or breaks the run as the separator list says', (t) => {
  const joins = new Set([' ', '\t', '.', '_', '(', ')', '-'])
  const check = (char: string): void => {
    const text = `138${char}0013${char}8000`
    const masked = maskPersonalNumbers(text) !== text
    if (masked !== joins.has(char)) t.fail(`U+${char.codePointAt(0)!.toString(16)}: ${masked ? 'masked' : 'left whole'}`)
  }
  for (let cp = 0; cp < 0x80; cp++) if (cp < 0x30 || cp > 0x39) check(String.fromCharCode(cp))
  for (let cp = 0x4E00; cp <= 0x9FFF; cp++) check(String.fromCharCode(cp))
  // and the characters beyond them still go through the stand-ins: full-width space and dash join
  t.not(maskPersonalNumbers('138\u30000013\uFF0D8000'), '138\u30000013\uFF0D8000')
  t.pass()
})

// ---- Property: no number leaves whole, whatever the spelling or the surroundings ----------------

/** mulberry32: a tiny seeded PRNG, so that a failure reproduces. */
function mulberry32 (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

class Dice {
  private readonly next: () => number
  constructor (seed: number) { this.next = mulberry32(seed) }
  int (lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)) }
  chance (p: number): boolean { return this.next() < p }
  pick<T> (list: readonly T[]): T { return list[Math.floor(this.next() * list.length)]! }
  digits (n: number): string { return Array.from({ length: n }, () => this.int(0, 9)).join('') }
}

const toFullWidth = (c: string): string => String.fromCharCode(c.charCodeAt(0) + 0xFEE0)

function randomPhone (d: Dice): string {
  return `1${d.int(3, 9)}${d.digits(9)}`
}

function randomIdNumber (d: Dice): string {
  const birth = `${d.int(1930, 2010)}${String(d.int(1, 12)).padStart(2, '0')}${String(d.int(1, 28)).padStart(2, '0')}`
  const first17 = `${d.pick(['110105', '310104', '440106', '510107', '330106'])}${birth}${d.digits(3)}`
  return first17 + idCheckDigit(first17)
}

/** Between digit groups. Never a line break: a number is never split across lines. */
const SEPARATORS = [' ', '-', ' - ', '\u3000', '－', '', '', '.', '—', '\u200b', '  ']

/** The number as someone might type it: widths mixed per character, random groups, random separators. */
function spell (d: Dice, number: string, kind: 'phone' | 'id'): string {
  const widthMode = d.pick(['ascii', 'full', 'mixed'] as const)
  const chars = [...number].map((c) => {
    if (c === 'X' && d.chance(0.5)) c = 'x'
    const full = widthMode === 'full' || (widthMode === 'mixed' && d.chance(0.5))
    return full ? toFullWidth(c) : c
  })
  const groupSizes = kind === 'phone'
    ? d.pick([[11], [3, 4, 4], [3, 8], [4, 4, 3], [1, 2, 3, 5]])
    : d.pick([[18], [6, 8, 4], [6, 4, 4, 4], [3, 3, 4, 4, 4], [6, 12]])
  const sep = d.pick(SEPARATORS)
  const mixSeparators = d.chance(0.3)
  let out = ''
  let at = 0
  for (const size of groupSizes) {
    if (at > 0) out += mixSeparators ? d.pick(SEPARATORS) : sep
    out += chars.slice(at, at + size).join('')
    at += size
  }
  if (kind === 'phone' && d.chance(0.25)) out = d.pick(['+86 ', '＋86', '0086', '(+86) ', '＋８６　']) + out
  return out
}

const BEFORE = ['', '', 'abc', 'ｚｗ', 'wx_', '手机号：', '查询 ', '身份证', '（', '\n', '2026-11-21 09:00\n', 'K7Q2 ', '第 2 条：', '编号 12 ']
const AFTER = ['', '', 'abc', 'ｘｙｚ', '。', '，谢谢', ' 的结果', '）', '\n2026-11-21 09:00', '\n', '号', ' 3 次', '：']

const SEPARATOR_CHARS = /[\s\-‐‑‒–—―−.。·・_()\u200b-\u200d\u2060\ufeff\u00ad]/g

/** Whole numbers a reader could take from the output: per line, NFKC, separators dropped. */
function leaks (output: string, number: string): boolean {
  return output.split(/\r\n|[\n\r\u2028\u2029]/).some((line) => {
    const plain = line.normalize('NFKC').replace(SEPARATOR_CHARS, '').toUpperCase()
    return plain.includes(number)
  })
}

test('property: 4,000 random phone and ID numbers in random spellings and surroundings never leave whole', (t) => {
  const d = new Dice(20261121)
  for (let i = 0; i < 4000; i++) {
    const kind = d.chance(0.5) ? 'phone' : 'id'
    const number = kind === 'phone' ? randomPhone(d) : randomIdNumber(d)
    const text = `${d.pick(BEFORE)}${spell(d, number, kind)}${d.pick(AFTER)}`
    const output = maskPersonalNumbers(text)
    if (leaks(output, number)) t.fail(`case ${i}: ${JSON.stringify(text)} → ${JSON.stringify(output)}`)
    // line breaks and the lines around the number are kept
    if (output.split('\n').length !== text.split('\n').length) t.fail(`case ${i}: lines changed: ${JSON.stringify(output)}`)
    // a predicate that knows nothing changes nothing
    if (maskPersonalNumbers(text, () => false) !== output) t.fail(`case ${i}: predicate changed the output`)
  }
  t.pass()
})

test('property: known WeChat IDs next to random numbers stay whole, the numbers do not', (t) => {
  const d = new Dice(7)
  for (let i = 0; i < 1000; i++) {
    const kind = d.chance(0.5) ? 'phone' : 'id'
    const number = kind === 'phone' ? randomPhone(d) : randomIdNumber(d)
    const id = d.pick([...KNOWN])
    const text = `微信号 ${id}${d.pick([' ', '\n', '，', ' - '])}${spell(d, number, kind)}${d.pick(AFTER)}`
    const output = maskPersonalNumbers(text, isKnown)
    if (!output.startsWith(`微信号 ${id}`)) t.fail(`case ${i}: the known ID was changed: ${JSON.stringify(output)}`)
    if (leaks(output.slice(`微信号 ${id}`.length), number)) t.fail(`case ${i}: ${JSON.stringify(text)} → ${JSON.stringify(output)}`)
  }
  t.pass()
})

test('property: texts without numbers of 11 digits come back unchanged', (t) => {
  const d = new Dice(42)
  const pieces = ['2026-11-21', '09:00', '至', 'K7Q2', '，', '（剩 2 天）', ' ', '\n', '１２３', '邀请码', '2/5', 'abc', '—', '12345']
  for (let i = 0; i < 1000; i++) {
    const parts: string[] = []
    for (let n = d.int(1, 12); n > 0; n--) parts.push(d.pick(pieces))
    const text = parts.join('')
    // count the digits per run the way the mask does; only texts whose runs stay under 11 are checked
    const runs = text.normalize('NFKC').split(/[^0-9 \-—.()_]+/)
    if (runs.some((run) => run.replace(/\D/g, '').length >= 11)) continue
    if (maskPersonalNumbers(text) !== text) t.fail(`case ${i}: ${JSON.stringify(text)} → ${JSON.stringify(maskPersonalNumbers(text))}`)
  }
  t.pass()
})

test('fast enough for every reply and log line', (t) => {
  const reply = '「公众号A」的运营者：\n1. 张三(微信号 zw***78)，2026-11-21 绑定，2026-12-21 10:00 到期(剩 2 天)\n'.repeat(20)
  const withNumbers = `${reply}查询 13800138000 的结果，身份证 11010519491231002X。`
  const started = performance.now()
  for (let i = 0; i < 2000; i++) {
    maskPersonalNumbers(reply)
    maskPersonalNumbers(withNumbers, isKnown)
  }
  const perCall = (performance.now() - started) / 4000
  t.log(`${(perCall * 1000).toFixed(1)} µs per call on ${withNumbers.length} characters`)
  t.true(perCall < 2, `${perCall} ms per call`)
})
