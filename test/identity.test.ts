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

const freeText: Array<[string, string]> = [
  ['查询 13800138000 的结果', '查询 138****8000 的结果'],
  ['+86 139-0013-9001', '139****9001'],
  ['0086 13800138000', '138****8000'],
  ['1380 0138 000', '138****8000'],
  ['1380-0138-000', '138****8000'],
  ['(138)0013-8000', '138****8000'],
  ['11010519491231002x', '110***********002X'],
  ['110105 19950228 0078', '110***********0078'],
  ['卡号 6222 0212 3456 7890 123', '卡号 622************0123'],
  ['序号 13800138000。', '序号 138****8000。'],
  // what must stay as it is
  ['2026-11-21 10:00 到期(剩 2 天)', '2026-11-21 10:00 到期(剩 2 天)'],
  ['2026-11-21 绑定,2026-12-21 10:00 到期', '2026-11-21 绑定,2026-12-21 10:00 到期'],
  ['解绑运营者 zw13912345678', '解绑运营者 zw13912345678'],
  ['微信号 user_13800138000', '微信号 user_13800138000'],
  ['邀请码 K7Q2,长期 2/5,短期 1/20', '邀请码 K7Q2,长期 2/5,短期 1/20'],
]
for (const [text, expected] of freeText) {
  test(`free text ${JSON.stringify(text)} is shown as ${JSON.stringify(expected)}`, (t) => t.is(maskPersonalNumbers(text), expected))
}
