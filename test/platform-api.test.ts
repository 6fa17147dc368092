// The platform's HTTP API on a free loopback port, against the demo world.
import test from 'ava'
import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { days, minutes } from '../src/domain/calendar.js'
import { api, TOKEN } from './api-fixture.js'
import { embeddedOnly } from './fixture.js'

test('every request needs the bearer token', async (t) => {
  const { call, w } = await api(t)
  for (const token of [null, 'wrong-token', `${TOKEN}x`, '']) {
    const { status, json } = await call('POST', '/v1/operations', { account: 'acc_tea', actor: 'zhangwei_ops', operation: 'login' }, token)
    t.is(status, 401, String(token))
    t.is(json.error, 'unauthorized')
  }
  t.is((await call('GET', '/v1/nothing-here')).status, 404)
  t.false((await w.db.document()).history.some((h) => h.action.startsWith('operation.')), 'nothing was recorded')
})

test('malformed bodies get 400 with what is wrong, and change nothing', async (t) => {
  const { call, w } = await api(t)
  const before = JSON.stringify((await w.db.document()))
  const cases: Array<[string, string, unknown, RegExp]> = [
    ['POST', '/v1/operations', '{"account":', /JSON/i],
    ['POST', '/v1/operations', { account: 'acc_tea', actor: 'zhangwei_ops' }, /operation/],
    ['POST', '/v1/operations', { account: 'acc_tea', actor: 'zhangwei_ops', operation: 'format-disk' }, /operation/],
    ['POST', '/v1/operations', { account: 'acc_tea', actor: '1nvalid', operation: 'login' }, /actor: not a valid WeChat ID/],
    ['POST', '/v1/operations', { account: 'acc_tea', actor: 'zhangwei_ops', operation: 'login', extra: 1 }, /extra|Unrecognized/i],
    ['PATCH', '/v1/users/zhangwei_ops/security', {}, /accountProtection or bankCard/],
    ['PATCH', '/v1/users/zhangwei_ops/security', { bankCard: 'yes' }, /bankCard/],
    ['PATCH', '/v1/users/zhangwei_ops/profile', { phone: '1380013800' }, /phone: not a valid mobile number/],
    ['PATCH', '/v1/users/zhangwei_ops/profile', { idNumber: '510107199208150068' }, /idNumber: not a valid ID number \(idNumber.checkDigit\)/],
    ['POST', '/v1/users', { name: '新人', wechatId: 'newcomer_1' }, /accountProtection/],
  ]
  for (const [method, path, body, message] of cases) {
    const { status, json } = await call(method, path, body)
    t.is(status, 400, `${method} ${path} ${JSON.stringify(body)}`)
    t.regex(String(json.message), message, JSON.stringify(json))
  }
  t.is(JSON.stringify((await w.db.document())), before)
})

test('a valid JSON body with keys named __proto__ or constructor is refused as such, not as invalid JSON, and changes nothing', async (t) => {
  const { call, w } = await api(t)
  const before = JSON.stringify((await w.db.document()))
  for (const body of [
    '{"account":"acc_tea","actor":"zhangwei_ops","operation":"login","__proto__":{"admin":true}}',
    '{"account":"acc_tea","actor":"zhangwei_ops","operation":"login","\\u005f_proto__":{}}',
    '{"account":"acc_tea","actor":"zhangwei_ops","operation":"login","meta":{"constructor":{"prototype":{"admin":true}}}}',
  ]) {
    const { status, json } = await call('POST', '/v1/operations', body)
    t.is(status, 400, body)
    t.is(json.error, 'invalid-body', body)
    t.regex(String(json.message), /^The body is valid JSON, but keys named __proto__ or constructor are not accepted .*: rename them\./, body)
  }
  const broken = await call('POST', '/v1/operations', '{"__proto__":')
  t.regex(String(broken.json.message), /not valid JSON/, 'JSON that is not JSON is still called so')
  t.is(JSON.stringify((await w.db.document())), before)
})

// Each operation × role: admin 王芳, long-term 张伟 and short-term 赵敏 on their accounts, 孙丽 expired
// short-term on 青禾书店, 周晓 not bound at all. 晨光茶馆 has 风险操作保护 on in the demo world.
const roleCases: Array<[string, string, string, Record<string, string>]> = [
  ['admin', 'acc_tea', 'wangfang_tea', { login: 'allowed', 'mass-send': 'allowed', 'modify-server-config': 'allowed', 'reset-appsecret': 'allowed', 'view-appsecret': 'allowed', 'rename-account': 'pending', 'delete-article': 'pending' }],
  ['long-term', 'acc_books', 'zhaomin_work', { login: 'allowed', 'mass-send': 'allowed', 'modify-server-config': 'role-not-permitted', 'reset-appsecret': 'role-not-permitted', 'view-appsecret': 'role-not-permitted', 'rename-account': 'role-not-permitted', 'delete-article': 'role-not-permitted' }],
  ['short-term', 'acc_ride', 'zhaomin_work', { login: 'allowed', 'mass-send': 'allowed', 'modify-server-config': 'role-not-permitted', 'view-appsecret': 'role-not-permitted', 'rename-account': 'role-not-permitted' }],
  ['expired short-term', 'acc_books', 'sunli_design', { login: 'binding-expired', 'mass-send': 'binding-expired', 'view-appsecret': 'binding-expired' }],
  ['unbound', 'acc_books', 'zhouxiao_new', { login: 'not-bound', 'mass-send': 'not-bound', 'rename-account': 'not-bound' }],
  ['unknown account', 'acc_nope', 'wangfang_tea', { login: 'unknown-account' }],
]
for (const [name, account, actor, expected] of roleCases) {
  test(`operations × ${name}`, async (t) => {
    const { operation } = await api(t)
    for (const [op, outcome] of Object.entries(expected)) {
      const answer = await operation(account, actor, op)
      t.is(answer.result === 'denied' ? answer.reason : answer.result, outcome, op)
      if (answer.result === 'denied') t.true(String(answer.message).length > 0)
    }
  })
}

test('with protection on an operator\'s login waits; the admin allows it by reply and the platform sees it', async (t) => {
  const { w, operation, call } = await api(t)
  const answer = await operation('acc_tea', 'zhangwei_ops', 'login')
  t.is(answer.result, 'pending')
  const id = String(answer.id)
  t.like((await call('GET', `/v1/operations/${id}`)).json, { id, state: 'pending', account: 'acc_tea', operation: 'login' })

  const [request] = await w.inboxOf('u_wangfang', 1)
  t.true(request!.startsWith('风险操作确认\n长期运营者 张伟(微信号 zhangwei_ops)于 2026-11-21 10:00 请求在「晨光茶馆」登录公众平台。'), request)
  const code = /允许 ([A-Z0-9]{4,5})/.exec(request!)![1]!
  t.true(request!.includes('10:10 前有效,过时视为拒绝'))

  // a stranger's reply changes nothing
  t.true((await w.ask('u_liqiang', `允许 ${code}`)).startsWith(`没有找到编号为 ${code}`))
  t.true((await w.ask('u_zhangwei', `允许 ${code}`)).startsWith('没有找到'))
  t.is((await call('GET', `/v1/operations/${id}`)).json.state, 'pending')

  t.is(await w.ask('u_wangfang', `允许 ${code}`), '已允许 张伟 在「晨光茶馆」登录公众平台。')
  t.is((await call('GET', `/v1/operations/${id}`)).json.state, 'approved')
  t.is((await w.inboxOf('u_zhangwei', 2))[1], '你在「晨光茶馆」登录公众平台的请求已由管理员 王芳 于 2026-11-21 10:00 允许。')
  t.true((await w.ask('u_wangfang', `拒绝 ${code}`)).includes('已经允许了'), 'decided once')
})

test('允许 or 拒绝 without a code lists what waits for the admin, with codes; 允许 never accepts an invitation', async (t) => {
  const { w, operation } = await api(t)
  t.is(await w.ask('u_wangfang', '允许'), '现在没有等你允许的请求。风险操作的确认请求和续期申请里都带有编号,回复 允许 编号 即可。')
  await operation('acc_tea', 'zhangwei_ops', 'login')
  const code = /允许 ([A-Z0-9]{4,5})/.exec((await w.inboxOf('u_wangfang', 2))[1]!)![1]!
  const listed = await w.ask('u_wangfang', '允许')
  t.is(listed, `有 1 个请求在等你回复,请在 允许 后面加上编号:\n· ${code}:张伟 请求在「晨光茶馆」登录公众平台(10:10 前)\n例如 允许 ${code}。`)
  t.true((await w.ask('u_wangfang', '拒绝')).startsWith('有 1 个请求在等你回复,请在 拒绝 后面加上编号'))
  // 王芳 is also invited somewhere: 允许 is not an answer to that
  await w.db.change((tx) => tx.updateUser('u_wangfang', { follows: ['acc_tea', 'acc_books', 'acc_news'] }))
  t.true((await w.ask('u_liqiang', '绑定运营者 wangfang_tea 短期')).startsWith('已发出邀请'))
  t.true((await w.ask('u_wangfang', '允许')).startsWith('有 1 个请求在等你回复'))
  t.true((await w.ask('u_wangfang', '我的邀请')).startsWith('你有 1 个待回复的邀请'), 'still pending')
  t.true((await w.ask('u_wangfang', '同意')).startsWith('你已成为「城西社区报」的短期运营者'), '同意 answers the invitation')
})

test('a refused request reads refused; an unanswered one lapses after 10 minutes by the clock', async (t) => {
  const { w, operation, call } = await api(t)
  const first = String((await operation('acc_tea', 'zhaomin_work', 'mass-send')).id)
  const code = /拒绝 ([A-Z0-9]{4,5})/.exec((await w.inboxOf('u_wangfang', 1))[0]!)![1]!
  t.is(await w.ask('u_wangfang', `拒绝 ${code}`), '已拒绝 赵敏 在「晨光茶馆」群发消息。')
  t.is((await call('GET', `/v1/operations/${first}`)).json.state, 'refused')

  const second = String((await operation('acc_tea', 'zhangwei_ops', 'login')).id)
  w.clock.advance(minutes(10))
  t.is((await call('GET', `/v1/operations/${second}`)).json.state, 'lapsed', 'before any sweep')
  const lateCode = /允许 ([A-Z0-9]{4,5})/.exec((await w.inboxOf('u_wangfang', 3))[2]!)![1]!
  t.true((await w.ask('u_wangfang', `允许 ${lateCode}`)).includes('超过 10 分钟未处理,视为拒绝'))
  await w.assistant.jobs.expirySweep(w.clock.at)
  t.is((await w.db.approval(second))!.status, 'lapsed')
})

test('rename and delete-article always wait for the admin\'s confirmation, protection or not', async (t) => {
  const { w, operation, call } = await api(t)
  const answer = await operation('acc_news', 'liqiang_news', 'rename-account')
  t.is(answer.result, 'pending')
  const [request] = await w.inboxOf('u_liqiang', 1)
  t.true(request!.startsWith('重要操作确认\n你(管理员)于 2026-11-21 10:00 请求在「城西社区报」修改公众号名称。'), request)
  const code = /允许 ([A-Z0-9]{4,5})/.exec(request!)![1]!
  t.is(await w.ask('u_liqiang', `允许 ${code}`), '已允许 你 在「城西社区报」修改公众号名称。')
  t.is((await call('GET', `/v1/operations/${String(answer.id)}`)).json.state, 'approved')
  t.is((await operation('acc_news', 'liqiang_news', 'delete-article')).result, 'pending')
})

test('protection off: operators go ahead; switching it on by chat (with confirmation) holds the next login', async (t) => {
  const { w, operation } = await api(t)
  t.is((await operation('acc_news', 'zhangwei_ops', 'login')).result, 'allowed')
  t.true((await w.ask('u_liqiang', '风险操作保护 开')).startsWith('确认开启「城西社区报」的风险操作保护吗?'))
  t.is((await operation('acc_news', 'zhangwei_ops', 'login')).result, 'allowed', 'not before the confirmation')
  t.is(await w.ask('u_liqiang', '确认'), '已开启「城西社区报」的风险操作保护。')
  t.is((await operation('acc_news', 'zhangwei_ops', 'login')).result, 'pending')
  t.true((await w.ask('u_liqiang', '风险操作保护 开')).includes('已经是开启状态'))
  t.true((await w.ask('u_zhangwei', '风险操作保护 关 城西社区报')).startsWith('只有公众号的管理员才能使用 风险操作保护'))
  t.true((await w.ask('u_wangfang', '风险操作保护 关 城西社区报')).startsWith('你不是「城西社区报」的管理员'))
})

test('alerts: every operator operation, allowed or denied, reaches the admin with a one-reply removal; off means none', async (t) => {
  const { w, operation } = await api(t)
  await operation('acc_news', 'zhangwei_ops', 'mass-send')
  await operation('acc_news', 'zhangwei_ops', 'view-appsecret')
  await operation('acc_news', 'liqiang_news', 'login') // the admin's own: no alert
  const alerts = (await w.inboxOf('u_liqiang', 2)).filter((text) => text.startsWith('风险操作提醒'))
  t.is(alerts.length, 2)
  t.true(alerts[0]!.includes('短期运营者 张伟(微信号 zhangwei_ops)于 2026-11-21 10:00 在「城西社区报」群发消息:已放行。'), alerts[0])
  t.true(alerts[1]!.includes('查看 AppSecret:已拒绝(运营者只能登录和群发;这项操作只有管理员可以做)'), alerts[1])
  t.true(alerts[0]!.includes('回复 解绑运营者 zhangwei_ops,再回复 确认,即可解除其运营者身份'), 'the alert says removal asks for a confirmation')
  t.true((await w.ask('u_liqiang', '解绑运营者 zhangwei_ops')).startsWith('确认解除 张伟'), 'the suggested reply works')
  await w.ask('u_liqiang', '取消')

  await w.ask('u_liqiang', '风险操作提醒 关')
  t.is(await w.ask('u_liqiang', '确认'), '已关闭「城西社区报」的风险操作提醒。')
  await operation('acc_news', 'zhangwei_ops', 'login')
  await w.settled()
  t.is(w.inbox('u_liqiang').filter((text) => text.startsWith('风险操作提醒')).length, 2, 'no alert once off')
})

test('profile, security and follow updates change what an invitation finds', async (t) => {
  const { w, call } = await api(t)
  // 吴天 lacks 帐号保护 and a bank card; 周晓 does not follow 城西社区报
  t.true((await w.ask('u_liqiang', '绑定运营者 wutian_2025 长期')).includes('有 2 项条件未满足'))
  const security = await call('PATCH', '/v1/users/wutian_2025/security', { accountProtection: true, bankCard: true })
  t.is(security.status, 200)
  t.like(security.json, { wechatId: 'wutian_2025', accountProtection: true, bankCard: true, phone: '187****7009' })
  t.true((await w.ask('u_liqiang', '绑定运营者 wutian_2025 长期')).startsWith('已发出邀请'))

  t.true((await w.ask('u_liqiang', '绑定运营者 zhouxiao_new 短期')).includes('对方没有关注「城西社区报」'))
  t.is((await call('PUT', '/v1/accounts/acc_news/followers/zhouxiao_new')).status, 200)
  t.true((await w.ask('u_liqiang', '绑定运营者 zhouxiao_new 短期')).startsWith('已发出邀请'))
  t.is((await call('DELETE', '/v1/accounts/acc_news/followers/zhouxiao_new')).status, 200)
  t.true((await w.ask('u_zhouxiao', '同意')).includes('你没有关注「城西社区报」'), 'unfollowing before accepting is caught')

  t.like((await call('PUT', '/v1/accounts/acc_nope/followers/zhouxiao_new')).json, { error: 'unknown-account' })
  t.is((await call('PATCH', '/v1/users/nobody_here/security', { bankCard: true })).status, 404)
})

test('a new user and a changed WeChat ID or phone are seen at once by lookups and invitations', async (t) => {
  const { w, call } = await api(t)
  const created = await call('POST', '/v1/users', { name: '新同事', wechatId: 'newcomer_01', phone: '+86 135-0000-1234', accountProtection: true, bankCard: true })
  t.is(created.status, 201)
  t.like(created.json, { wechatId: 'newcomer_01', phone: '135****1234', idNumber: null })
  t.is((await call('POST', '/v1/users', { name: '重复', wechatId: 'NEWCOMER_01', accountProtection: true, bankCard: true })).status, 409)
  t.is((await call('PUT', '/v1/accounts/acc_news/followers/newcomer_01')).status, 200)
  t.true((await w.ask('u_liqiang', '绑定运营者 newcomer_01 短期')).startsWith('已发出邀请'))

  const renamed = await call('PATCH', '/v1/users/zhangwei_ops/profile', { wechatId: 'zhangwei_new', phone: '13600001111' })
  t.is(renamed.status, 200)
  t.is((await call('PATCH', '/v1/users/zhaomin_work/profile', { wechatId: 'zhangwei_new' })).status, 409)
  t.like((await call('PATCH', '/v1/users/zhaomin_work/profile', { phone: '13600001111' })).json, { error: 'phone-taken' }, 'one mobile number, one WeChat account')
  t.is((await call('POST', '/v1/users', { name: '冒用', wechatId: 'someone_99', phone: '13600001111', accountProtection: true, bankCard: true })).status, 409)
  t.true((await w.ask('u_zhangwei', '绑定查询 13600001111')).includes('共 2 个'), 'the new phone finds his bindings')
  t.true((await w.ask('u_zhangwei', '绑定查询 13800138000')).startsWith('未查询到'), 'the old one no longer does')
  t.true((await w.ask('u_liqiang', '解绑运营者 zhangwei_new')).startsWith('确认解除 张伟(微信号 zhangwei_new)'))
})

test('操作记录 lists the account\'s history newest first, paged, with settings, operations and decisions', async (t) => {
  const { w, operation } = await api(t)
  await w.ask('u_liqiang', '风险操作保护 开')
  await w.ask('u_liqiang', '确认')
  await operation('acc_news', 'zhangwei_ops', 'login')
  const code = /允许 ([A-Z0-9]{4,5})/.exec((await w.inboxOf('u_liqiang', 3)).find((text) => text.startsWith('风险操作确认'))!)![1]!
  await w.ask('u_liqiang', `拒绝 ${code}`)
  for (let i = 0; i < 10; i++) await operation('acc_news', 'zhouxiao_new', 'login')
  const page1 = await w.ask('u_liqiang', '操作记录')
  const lines = page1.split('\n')
  t.regex(lines[0]!, /^「城西社区报」的操作记录\(第 1\/2 页,最新的在前\):$/)
  t.is(lines[1], '2026-11-21 10:00 周晓 风险操作(被拒绝):zhouxiao_new 登录公众平台(该微信号不是这个公众号的管理员或运营者)')
  t.is(lines.at(-1), '发送 操作记录 2 查看更早的记录。')
  const page2 = await w.ask('u_liqiang', '操作记录 2')
  t.true(page2.includes('李强 拒绝风险操作:zhangwei_ops 登录公众平台'), page2)
  t.true(page2.includes('张伟 风险操作(待管理员允许):zhangwei_ops 登录公众平台'), page2)
  t.true(page2.includes('李强 风险操作保护:开启'), page2)
  t.true(page2.includes('李强 绑定运营者:zhangwei_ops 短期运营者'), 'the seed\'s bindings too')
  t.is(await w.ask('u_liqiang', '操作记录 3'), '没有这一页:操作记录共 2 页,请发送 操作记录 1 到 操作记录 2。')
  t.true((await w.ask('u_zhangwei', '操作记录')).startsWith('只有公众号的管理员才能使用 操作记录'))
})

embeddedOnly('when the data file cannot be written, the API says so with 503 from the first request and does nothing', async (t) => {
  const { w, call } = await api(t)
  await rm(dirname(w.dataFile), { recursive: true, force: true })
  const first = await call('POST', '/v1/operations', { account: 'acc_news', actor: 'zhangwei_ops', operation: 'login' })
  t.is(first.status, 503)
  t.regex(String(first.json.message), /Writing the data file failed .* Nothing was done\./)
  const later = await call('PATCH', '/v1/users/wutian_2025/security', { bankCard: true })
  t.is(later.status, 503)
  t.regex(String(later.json.message), /Writing the data file failed .* Nothing was done\./)
  t.false((await w.db.userByWechatId('wutian_2025'))!.bankCard)
})

test('an expired short-term operator is told so by the platform even before any sweep', async (t) => {
  const { w, operation } = await api(t)
  w.clock.at = Date.parse((await w.db.binding('b_zw_news'))!.expiresAt!) + days(1)
  t.like(await operation('acc_news', 'zhangwei_ops', 'login'), { result: 'denied', reason: 'binding-expired' })
})

test('every answer passes the last mask: unknown keys quoted in a 400, names, unknown paths', async (t) => {
  const { call } = await api(t)
  const unknownKey = await call('POST', '/v1/users', { name: 'x', wechatId: 'newuser_01', accountProtection: true, bankCard: true, 13800138000: 1 })
  t.is(unknownKey.status, 400)
  t.false(JSON.stringify(unknownKey.json).includes('13800138000'), JSON.stringify(unknownKey.json))
  t.true(JSON.stringify(unknownKey.json).includes('138****8000'))
  const idKey = await call('POST', '/v1/operations', { account: 'acc_tea', actor: 'zhangwei_ops', operation: 'login', '510107199208150069': true })
  t.false(JSON.stringify(idKey.json).includes('510107199208150069'), JSON.stringify(idKey.json))
  // A name that is a phone number is refused (it would show masked), and the refusal quotes it masked too.
  const named = await call('POST', '/v1/users', { name: '13800138001', wechatId: 'newuser_02', accountProtection: true, bankCard: true })
  t.is(named.status, 400)
  t.regex(String(named.json.message), /reads as a phone or ID number/)
  t.false(JSON.stringify(named.json).includes('13800138001'), JSON.stringify(named.json))
  const path = await call('GET', '/v1/users/13800138000/nothing')
  t.is(path.status, 404)
  t.false(JSON.stringify(path.json).includes('13800138000'))
  // A path the router cannot even read (a broken %-escape, a part over 100 characters) is refused in the API's own shape, quoting nothing of it.
  for (const broken of ['/v1/users/13800138000%ED%A0%80', '/v1/users/510107199208150069%ZZ', `/v1/users/${'13800138000'.repeat(12)}`]) {
    const answer = await call('GET', broken)
    t.is(answer.status, 400)
    t.is(answer.json.error, 'bad-path')
    t.false(/13800138000|510107199208150069/.test(JSON.stringify(answer.json)), JSON.stringify(answer.json))
  }
})

test('a name no engine could store (a NUL, a broken character) is refused with 400, so the state can always move to PostgreSQL', async (t) => {
  const { call, w } = await api(t)
  for (const name of ['Null\u0000Guy', 'half\uD800', 'bell\u0007']) {
    const answer = await call('POST', '/v1/users', { name, wechatId: 'newuser_09', accountProtection: true, bankCard: true })
    t.is(answer.status, 400, JSON.stringify(name))
    t.regex(String(answer.json.message), /name: not a valid name \(it holds a control character or a broken character\)/)
  }
  t.is((await w.db.userByWechatId('newuser_09')), undefined)
  t.is((await call('PATCH', '/v1/users/wutian_2025/profile', { name: 'x\u0000' })).status, 400)
})
