// The platform's accounts over HTTP, against the demo world: created, renamed and handed to another admin
// (with what that does to operators, invitations and open requests), and read with their operators,
// invitations and history, a page at a time.
import test from 'ava'
import type { ExecutionContext } from 'ava'
import { checkDocument, ruleProblems } from '../src/store/consistency.js'
import type { Data } from '../src/store/schema.js'
import { api } from './api-fixture.js'
import type { Api } from './api-fixture.js'

/** What every refused change leaves: the state exactly as before. */
async function unchanged (t: ExecutionContext, w: Api['w'], before: string): Promise<void> {
  t.is(JSON.stringify(await w.db.document()), before, 'nothing changed')
}

/** The document loads as a restart would load it, limits and all. */
async function loadable (t: ExecutionContext, w: Api['w']): Promise<void> {
  const checked = checkDocument(await w.db.document())
  t.true('data' in checked, JSON.stringify(checked))
  t.deepEqual(ruleProblems((checked as { data: Data }).data, w.clock.at), [])
}

test('an account created with its admin: 201, told by a push, in the history, and the admin can run it by chat at once', async (t) => {
  const { w, call } = await api(t)
  const created = await call('POST', '/v1/accounts', { name: ' 周记咖啡 ', admin: 'ZhouXiao_New' })
  t.is(created.status, 201, JSON.stringify(created.json))
  const id = String(created.json.id)
  t.regex(id, /^acc_[0-9a-f]{12}$/)
  t.deepEqual(created.json, {
    id,
    name: '周记咖啡',
    admin: { wechatId: 'zhouxiao_new', name: '周晓' },
    riskProtection: false,
    riskAlerts: true,
    slots: { long: { used: 0, limit: 5 }, short: { used: 0, limit: 20 } },
  })
  t.deepEqual((await call('GET', `/v1/accounts/${id}`)).json, created.json)
  const [notice] = await w.inboxOf('u_zhouxiao', 1)
  t.true(notice!.startsWith('公众号管理员通知\n你已成为新公众号「周记咖啡」的管理员。'), notice)
  t.like((await call('GET', `/v1/accounts/${id}/history`)).json, { items: [{ action: 'account.created', actor: null, detail: '「周记咖啡」,管理员 zhouxiao_new' }], total: 1 })
  t.true((await w.ask('u_zhouxiao', '帮助')).includes('你是「周记咖啡」的管理员'))
  await call('PUT', `/v1/accounts/${id}/followers/wutian_2025`)
  await call('PATCH', '/v1/users/wutian_2025/security', { accountProtection: true, bankCard: true })
  t.true((await w.ask('u_zhouxiao', '绑定运营者 wutian_2025 长期')).startsWith('已发出邀请'))

  const switches = await call('POST', '/v1/accounts', { name: '海边书房', admin: 'liqiang_news', riskProtection: true, riskAlerts: false })
  t.like(switches.json, { riskProtection: true, riskAlerts: false })
  await loadable(t, w)
})

test('creating an account is refused, with what to do and nothing changed, for each broken rule', async (t) => {
  const { w, call } = await api(t)
  const before = JSON.stringify(await w.db.document())
  const cases: Array<[string, unknown, number, string, RegExp]> = [
    ['no name', { admin: 'zhouxiao_new' }, 400, 'invalid-body', /^name: /],
    ['an empty name', { name: '  ', admin: 'zhouxiao_new' }, 400, 'invalid-body', /name: not a valid account name: it is empty/],
    ['a name on two lines', { name: '周记\n咖啡', admin: 'zhouxiao_new' }, 400, 'invalid-body', /line break/],
    ['a name too long', { name: '咖'.repeat(31), admin: 'zhouxiao_new' }, 400, 'invalid-body', /longer than 30 characters/],
    ['a NUL in the name', { name: '咖\u0000啡', admin: 'zhouxiao_new' }, 400, 'invalid-body', /control character/],
    ['a malformed admin', { name: '周记咖啡', admin: '1zhouxiao' }, 400, 'invalid-body', /admin: not a valid WeChat ID \(wechatId.start\)/],
    ['an unknown field', { name: '周记咖啡', admin: 'zhouxiao_new', owner: 'x' }, 400, 'invalid-body', /owner/],
    ['a switch that is not a boolean', { name: '周记咖啡', admin: 'zhouxiao_new', riskAlerts: 'yes' }, 400, 'invalid-body', /riskAlerts/],
    ['an admin nobody is', { name: '周记咖啡', admin: 'nobody_here' }, 404, 'unknown-admin', /register them first \(POST \/v1\/users\)/],
    ['a name another account has', { name: '晨光茶馆', admin: 'zhouxiao_new' }, 409, 'name-taken', /\(acc_tea\) already has this name/],
    ['the same name in full-width spaces', { name: '\u3000晨光茶馆\u3000', admin: 'zhouxiao_new' }, 409, 'name-taken', /acc_tea/],
    ['an admin without 帐号保护 or a bank card', { name: '周记咖啡', admin: 'wutian_2025' }, 409, 'admin-refused', /account protection .* is off.*; no bank card is bound/],
    ['an admin without a bank card', { name: '周记咖啡', admin: 'zhaomin_home' }, 409, 'admin-refused', /^zhaomin_home cannot be an admin yet .*: no bank card is bound/],
  ]
  for (const [what, body, status, error, message] of cases) {
    const { status: got, json } = await call('POST', '/v1/accounts', body)
    t.is(got, status, what)
    t.is(json.error, error, what)
    t.regex(String(json.message), message, what)
  }
  const refused = await call('POST', '/v1/accounts', { name: '周记咖啡', admin: 'wutian_2025' })
  t.deepEqual((refused.json.refusals as Array<{ kind: string }>).map((r) => r.kind), ['no-account-protection', 'no-bank-card'])
  await unchanged(t, w, before)
  t.is((await call('POST', '/v1/accounts', { name: '周记咖啡', admin: 'zhouxiao_new' }, 'wrong')).status, 401)
  await unchanged(t, w, before)
})

test('a rename: the admin is told, the history says from what to what, and chat commands take the new name', async (t) => {
  const { w, call } = await api(t)
  const renamed = await call('PATCH', '/v1/accounts/acc_news', { name: '城西新报' })
  t.is(renamed.status, 200)
  t.like(renamed.json, { id: 'acc_news', name: '城西新报', admin: { wechatId: 'liqiang_news' }, changes: { renamed: { from: '城西社区报', to: '城西新报' } } })
  t.true((await w.inboxOf('u_liqiang', 1))[0]!.startsWith('你管理的公众号「城西社区报」已于 2026-11-21 10:00 更名为「城西新报」。'))
  t.like((await call('GET', '/v1/accounts/acc_news/history?perPage=1')).json, { items: [{ action: 'account.renamed', detail: '「城西社区报」→「城西新报」' }] })
  t.true((await w.ask('u_zhangwei', '绑定查询 13800138000')).includes('城西新报'), 'lookups show the new name')
  t.true((await w.ask('u_wangfang', '运营者列表 城西新报')).startsWith('你不是「城西新报」的管理员'), 'the new name is found by its name')

  // The name it already has, or the same admin: nothing to do, nothing written, nobody told.
  const before = JSON.stringify(await w.db.document())
  const same = await call('PATCH', '/v1/accounts/acc_news', { name: '城西新报', admin: 'LIQIANG_NEWS' })
  t.is(same.status, 200)
  t.deepEqual(same.json.changes, {})
  await unchanged(t, w, before)
})

test('changing an account is refused, with what to do and nothing changed, for each broken rule, all or nothing', async (t) => {
  const { w, call } = await api(t)
  const before = JSON.stringify(await w.db.document())
  const cases: Array<[string, string, unknown, number, string]> = [
    ['nothing to change', 'acc_news', {}, 400, 'invalid-body'],
    ['an unknown field', 'acc_news', { riskProtection: true }, 400, 'invalid-body'],
    ['an unknown account', 'acc_nope', { name: '新名字' }, 404, 'unknown-account'],
    ['an admin nobody is', 'acc_news', { admin: 'nobody_here' }, 404, 'unknown-admin'],
    ['another account\'s name', 'acc_news', { name: '青禾书店' }, 409, 'name-taken'],
    ['an admin without 帐号保护', 'acc_news', { admin: 'wutian_2025' }, 409, 'admin-refused'],
    ['a good name with a refused admin', 'acc_news', { name: '城西新报', admin: 'zhaomin_home' }, 409, 'admin-refused'],
    ['a good admin with a taken name', 'acc_news', { name: '晨光茶馆', admin: 'zhouxiao_new' }, 409, 'name-taken'],
  ]
  for (const [what, account, body, status, error] of cases) {
    const { status: got, json } = await call('PATCH', `/v1/accounts/${account}`, body)
    t.is(got, status, what)
    t.is(json.error, error, what)
    t.true(String(json.message).length > 20, what)
  }
  await unchanged(t, w, before)
})

test('a new admin who was an operator stops being one; the old admin\'s own requests close, operators\' open ones go to the new admin', async (t) => {
  const { w, call, operation } = await api(t)
  // 晨光茶馆 (王芳's, 风险操作保护 on): 张伟 and 赵敏 are long-term operators there.
  const zhangweiLogin = String((await operation('acc_tea', 'zhangwei_ops', 'login')).id)
  const zhaominSend = String((await operation('acc_tea', 'zhaomin_work', 'mass-send')).id)
  const ownRename = String((await operation('acc_tea', 'wangfang_tea', 'rename-account')).id)
  const asked = await w.inboxOf('u_wangfang', 3)
  const sendCode = /允许 ([A-Z0-9]{4,5})/.exec(asked.find((m) => m.includes('群发消息'))!)![1]!

  const handed = await call('PATCH', '/v1/accounts/acc_tea', { admin: 'zhangwei_ops' })
  t.is(handed.status, 200, JSON.stringify(handed.json))
  t.like(handed.json, {
    admin: { wechatId: 'zhangwei_ops', name: '张伟' },
    slots: { long: { used: 1, limit: 5 } },
    changes: { admin: { from: { wechatId: 'wangfang_tea' }, to: { wechatId: 'zhangwei_ops' }, endedOperatorRole: 'long', requestsForwarded: 1, requestsClosed: 2 } },
  })
  t.like((await call('GET', `/v1/operations/${zhangweiLogin}`)).json, { state: 'closed', closedReason: 'removed' })
  t.like((await call('GET', `/v1/operations/${ownRename}`)).json, { state: 'closed', closedReason: 'not-admin' })
  t.like((await call('GET', `/v1/operations/${zhaominSend}`)).json, { state: 'pending' })

  const [assigned, forwarded] = await w.inboxOf('u_zhangwei', 2)
  t.is(assigned, '公众号管理员通知\n你已成为「晨光茶馆」的管理员(原管理员 王芳,微信号 wangfang_tea)。\n' +
    '你在「晨光茶馆」的长期运营者身份随之结束:管理员已拥有全部权限。\n有 1 个运营者的请求在等你处理,接下来会逐一发给你;回复 允许 可随时查看。\n' +
    '发送 帮助 查看管理员可以做的事,发送 运营者列表 查看运营者和邀请。')
  t.true(forwarded!.startsWith('风险操作确认\n长期运营者 赵敏(微信号 zhaomin_work)于 2026-11-21 10:00 请求在「晨光茶馆」群发消息。'), forwarded)
  t.true(forwarded!.includes(`允许 ${sendCode}`), 'the same code')
  const replaced = (await w.inboxOf('u_wangfang', 4))[3]!
  t.true(replaced.startsWith('公众号管理员变更通知\n「晨光茶馆」的管理员已于 2026-11-21 10:00 由你变更为 张伟(微信号 zhangwei_ops)。'), replaced)

  t.true((await w.ask('u_wangfang', `允许 ${sendCode}`)).startsWith(`没有找到编号为 ${sendCode}`), 'the old admin can no longer decide it')
  t.is(await w.ask('u_zhangwei', `允许 ${sendCode}`), '已允许 赵敏 在「晨光茶馆」群发消息。')
  t.like((await call('GET', `/v1/operations/${zhaominSend}`)).json, { state: 'approved' })
  t.is((await operation('acc_tea', 'zhangwei_ops', 'view-appsecret')).result, 'allowed', 'the new admin may do everything')
  t.like(await operation('acc_tea', 'wangfang_tea', 'login'), { result: 'denied', reason: 'not-bound' })
  t.true((await w.ask('u_zhangwei', '帮助')).includes('你是「晨光茶馆」的管理员'))
  t.true((await w.ask('u_wangfang', '帮助')).includes('你是「青禾书店」的管理员'))

  const operators = (await call('GET', '/v1/accounts/acc_tea/operators')).json
  t.deepEqual((operators.operators as Array<{ wechatId: string }>).map((o) => o.wechatId), ['zhaomin_work'])
  const history = (await call('GET', '/v1/accounts/acc_tea/history?perPage=20')).json.items as Array<{ action: string, detail: string }>
  t.true(history.some((h) => h.action === 'account.admin-changed' && h.detail === 'wangfang_tea → zhangwei_ops(zhangwei_ops 的长期运营者身份随之结束)'))
  t.true(history.some((h) => h.action === 'operation.closed' && h.detail.includes('已不是管理员')))
  await w.settled()
  t.deepEqual((await w.db.unsentMessages()).filter((m) => m.toUserId === 'u_wangfang'), [], 'nothing left waiting for the old admin')
  await loadable(t, w)
})

test('a new admin\'s pending invitation to the account is cancelled, and an operator\'s renewal request goes to them to decide', async (t) => {
  const { w, call } = await api(t)
  t.true((await w.ask('u_liqiang', '绑定运营者 zhouxiao_new 短期')).includes('对方没有关注'))
  await call('PUT', '/v1/accounts/acc_news/followers/zhouxiao_new')
  t.true((await w.ask('u_liqiang', '绑定运营者 zhouxiao_new 短期')).startsWith('已发出邀请'))
  t.true((await w.ask('u_zhangwei', '续期')).startsWith('已向「城西社区报」的管理员'))

  const handed = await call('PATCH', '/v1/accounts/acc_news', { admin: 'zhouxiao_new', name: '城西新报' })
  t.like(handed.json, { name: '城西新报', changes: { renamed: { from: '城西社区报' }, admin: { endedOperatorRole: null, requestsForwarded: 1, requestsClosed: 0 } } })
  const invitations = (await call('GET', '/v1/accounts/acc_news/invitations')).json
  t.like(invitations, { items: [{ invitee: { wechatId: 'zhouxiao_new' }, status: 'cancelled', invitedBy: { wechatId: 'liqiang_news' } }], total: 1 })
  t.true((await w.ask('u_zhouxiao', '我的邀请')).startsWith('你目前没有待回复的运营者邀请'))
  t.true((await w.ask('u_zhouxiao', '同意')).startsWith('有 1 个请求在等你回复'), '同意 is now for the renewal waiting for them')

  const inbox = await w.inboxOf('u_zhouxiao', 3)
  const request = inbox.find((m) => m.startsWith('运营者续期申请'))!
  t.true(request.includes('张伟(微信号 zhangwei_ops)申请延长在「城西新报」的短期运营者身份一个月'), request)
  const code = /同意 ([A-Z0-9]{4,5})/.exec(request)![1]!
  t.true((await w.ask('u_zhouxiao', `同意 ${code}`)).startsWith('已批准'))
  t.true((await w.inboxOf('u_liqiang', 2)).some((m) => m.startsWith('公众号管理员变更通知\n「城西社区报」的管理员')), 'the old admin hears of it under the name they knew')
  await loadable(t, w)
})

test('accounts are listed a page at a time in the order they were made; a page past the last is 404 and malformed paging 400', async (t) => {
  const { call } = await api(t)
  await call('POST', '/v1/accounts', { name: '周记咖啡', admin: 'zhouxiao_new' })
  const first = await call('GET', '/v1/accounts?perPage=4')
  t.like(first.json, { page: 1, pages: 2, perPage: 4, total: 7 })
  t.deepEqual((first.json.items as Array<{ id: string }>).map((a) => a.id), ['acc_tea', 'acc_books', 'acc_news', 'acc_ride'])
  t.deepEqual((first.json.items as unknown[])[0], { id: 'acc_tea', name: '晨光茶馆', admin: { wechatId: 'wangfang_tea', name: '王芳' }, riskProtection: true, riskAlerts: true })
  const second = await call('GET', '/v1/accounts?page=2&perPage=4')
  t.deepEqual((second.json.items as Array<{ name: string }>).map((a) => a.name), ['小满烘焙', '海风摄影', '周记咖啡'])
  t.is((await call('GET', '/v1/accounts')).json.total, 7)

  const past = await call('GET', '/v1/accounts?page=3&perPage=4')
  t.is(past.status, 404)
  t.like(past.json, { error: 'no-such-page', message: 'There is no such page: at this perPage there are 2 pages; ask for page 1 to 2.' })
  for (const query of ['page=0', 'page=abc', 'page=1.5', 'page=0x1', 'page=1e0', 'perPage=0b11', 'page=-1', 'perPage=0', 'perPage=201', 'page=1&page=2', 'sort=name']) {
    const { status, json } = await call('GET', `/v1/accounts?${query}`)
    t.is(status, 400, query)
    t.is(json.error, 'invalid-query', query)
  }
})

test('an account, its operators (masked) and its invitations, read by the platform; an unknown account is 404 on each', async (t) => {
  const { call } = await api(t)
  t.deepEqual((await call('GET', '/v1/accounts/acc_photo')).json, {
    id: 'acc_photo',
    name: '海风摄影',
    admin: { wechatId: 'liuyang_photo', name: '刘洋' },
    riskProtection: false,
    riskAlerts: true,
    slots: { long: { used: 1, limit: 5 }, short: { used: 1, limit: 20 } },
  })
  const operators = (await call('GET', '/v1/accounts/acc_tea/operators')).json
  t.like(operators, { account: 'acc_tea', admin: { wechatId: 'wangfang_tea' }, slots: { long: { used: 2 } } })
  t.like((operators.operators as unknown[])[0], { wechatId: 'zhangwei_ops', name: '张伟', phone: '138****8000', role: 'long', expiresAt: null })
  t.false(JSON.stringify(operators).includes('13800138000'))
  const invitations = (await call('GET', '/v1/accounts/acc_photo/invitations')).json
  t.deepEqual(invitations, {
    items: [{
      code: 'HX7Q',
      invitee: { wechatId: 'hexiaodong', name: '何晓东' },
      invitedBy: { wechatId: 'liuyang_photo', name: '刘洋' },
      role: 'short',
      status: 'pending',
      createdAt: '2026-11-21T00:00:00.000Z',
      expiresAt: '2026-11-22T00:00:00.000Z',
      answeredAt: null,
      delivery: 'queued',
    }],
    page: 1,
    pages: 1,
    perPage: 50,
    total: 1,
  })
  for (const path of ['/v1/accounts/acc_nope', '/v1/accounts/acc_nope/operators', '/v1/accounts/acc_nope/invitations', '/v1/accounts/acc_nope/history']) {
    t.like((await call('GET', path)).json, { error: 'unknown-account' }, path)
  }
})

test('an account\'s history a page at a time, newest first, the same entries 操作记录 shows', async (t) => {
  const { w, call, operation } = await api(t)
  for (let i = 0; i < 4; i++) await operation('acc_news', 'zhouxiao_new', 'login')
  await call('PATCH', '/v1/accounts/acc_news', { name: '城西新报' })
  const pages = await Promise.all([1, 2, 3].map(async (page) => (await call('GET', `/v1/accounts/acc_news/history?page=${page}&perPage=2`)).json))
  t.like(pages[0], { page: 1, pages: 3, perPage: 2, total: 6 })
  const entries = pages.flatMap((p) => p.items as Array<{ at: string, action: string, actor: { wechatId: string } | null, detail: string }>)
  t.deepEqual(entries.map((e) => e.action), ['account.renamed', 'operation.denied', 'operation.denied', 'operation.denied', 'operation.denied', 'binding.created'])
  t.is(entries[0]!.actor, null, 'the platform renamed it')
  t.deepEqual(entries[1]!.actor, { wechatId: 'zhouxiao_new', name: '周晓' })
  t.deepEqual([...entries].sort((a, b) => b.at.localeCompare(a.at)).map((e) => e.at), entries.map((e) => e.at), 'newest first')
  const chat = await w.ask('u_liqiang', '操作记录')
  t.true(chat.includes(`公众号更名:${entries[0]!.detail}`), chat)
  t.is((await call('GET', '/v1/accounts/acc_news/history?page=4&perPage=2')).status, 404)
})

test('hostile bodies and names change nothing, or are kept as plain names, and the state always loads', async (t) => {
  const { w, call } = await api(t)
  const before = JSON.stringify(await w.db.document())
  for (const body of ['null', '[]', '"周记咖啡"', '{"__proto__":{"admin":"zhouxiao_new"},"name":"周记咖啡"}', '{"name":"周记咖啡","admin":"zhouxiao_new","name":"x"', 'x'.repeat(10)]) {
    const { status } = await call('POST', '/v1/accounts', body)
    t.is(status, 400, body)
  }
  const huge = await call('POST', '/v1/accounts', { name: '咖'.repeat(100_000), admin: 'zhouxiao_new' })
  t.like(huge.json, { error: 'invalid-body' })
  t.true(JSON.stringify(huge.json).length < 500, 'the name is not quoted back')
  await unchanged(t, w, before)

  for (const name of ['constructor', '__proto__', 'toString']) {
    const created = await call('POST', '/v1/accounts', { name, admin: 'zhouxiao_new' })
    t.is(created.status, 201, name)
    t.is((await call('PATCH', `/v1/accounts/${String(created.json.id)}`, { name: `${name}2`, admin: 'liqiang_news' })).status, 200, name)
    t.is((await call('POST', '/v1/accounts', { name: `${name}2`, admin: 'zhouxiao_new' })).json.error, 'name-taken', name)
  }
  for (const id of ['constructor', '__proto__', '..']) t.is((await call('GET', `/v1/accounts/${id}`)).status, 404, id)
  // A NUL no engine could look up (PostgreSQL refuses it in a query): refused as a malformed id, wherever it comes from.
  for (const [method, path, body] of [['GET', '/v1/accounts/acc_tea%00/history'], ['PATCH', '/v1/accounts/acc_tea%00', { name: 'x' }],
    ['PUT', '/v1/accounts/acc_tea%00/followers/zhouxiao_new'], ['GET', '/v1/operations/op_%00'],
    ['POST', '/v1/operations', { account: 'acc_tea\u0000', actor: 'zhangwei_ops', operation: 'login' }]] as Array<[string, string, unknown]>) {
    const { status, json } = await call(method, path, body)
    t.is(status, 400, path)
    t.regex(String(json.message), /not an id: holds a control character/, path)
  }
  t.true((await w.ask('u_liqiang', '运营者列表 constructor2')).startsWith('「constructor2」'), 'the bot finds it by its name')
  await loadable(t, w)
})

test('a handover to someone whose short-term role there has lapsed (not yet swept) ends it: their own renewal request is closed, not put to them', async (t) => {
  const { w, call } = await api(t)
  w.clock.at = Date.parse((await w.db.binding('b_zw_news'))!.expiresAt!) + 60_000
  t.true((await w.ask('u_zhangwei', '续期')).startsWith('已向「城西社区报」的管理员 李强 申请续期'))
  await w.settled()
  const handed = await call('PATCH', '/v1/accounts/acc_news', { admin: 'zhangwei_ops' })
  t.is(handed.status, 200, JSON.stringify(handed.json))
  t.like(handed.json, { changes: { admin: { requestsForwarded: 0 } } })
  await w.settled()
  t.false(w.inbox('u_zhangwei').some((text) => text.includes('续期申请')), 'no request of his own put to him')
  t.is((await w.db.document()).renewals[0]!.status, 'closed')
  t.is((await w.db.binding('b_zw_news'))!.endReason, 'removed')
})

test('an invitation resent after a handover names the new admin, who the invitee will work under', async (t) => {
  const { w, call } = await api(t)
  const invited = await w.ask('u_wangfang', '绑定运营者 zhouxiao_new 短期 晨光茶馆')
  t.true(invited.includes('zhouxiao_new'), invited)
  const [first] = await w.inboxOf('u_zhouxiao', 1)
  t.true(first!.includes('王芳(「晨光茶馆」的管理员)邀请你'), first)
  t.is((await call('PATCH', '/v1/accounts/acc_tea', { admin: 'zhangwei_ops' })).status, 200)
  const reply = await w.ask('u_zhangwei', '重发邀请 zhouxiao_new')
  await w.settled()
  const invitations = (await w.inboxOf('u_zhouxiao', 0)).filter((m) => m.startsWith('公众号运营者邀请'))
  t.is(invitations.length, 2, reply)
  t.true(invitations[1]!.includes('张伟(「晨光茶馆」的管理员)邀请你'), invitations[1])
})
