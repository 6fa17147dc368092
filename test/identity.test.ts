// Identifier formats and masking, table-driven.
import test from 'ava'
import {
  detectIdentifier, idCheckDigit, maskIdNumber, maskPersonalNumbers, maskPhone, maskWechatId,
  parseIdNumber, parsePhone, parseWechatId,
} from '../src/domain/identity.js'
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
]
for (const [input, expected] of detected) {
  test(`detects ${JSON.stringify(input)} → ${expected}`, (t) => t.is(outcome(detectIdentifier(input)), expected))
}

test('masking keeps the first 3 and last 4 of phone and ID numbers', (t) => {
  t.is(maskPhone('13800138000'), '138****8000')
  t.is(maskIdNumber('11010519491231002X'), '110***********002X')
  t.is(maskWechatId('zhangwei_ops'), 'zh***ps')
})

test('free text has every phone and ID number masked, whatever the spacing', (t) => {
  const line = 'lookup by 13800138000 and +86 139-0013-9001 for 11010519491231002x; order 2026112100001234'
  const masked = maskPersonalNumbers(line)
  t.false(/13800138000|0013|11010519491231002/i.test(masked), masked)
  t.true(masked.includes('138****8000'))
  t.true(masked.includes('139****9001'))
  t.true(masked.includes('110***********002X'))
  t.true(masked.includes('2026112100001234'), 'a 16-digit number is neither and stays')
  t.is(maskPersonalNumbers('序号 13800138000。'), '序号 138****8000。', 'the text around it is kept')
})
