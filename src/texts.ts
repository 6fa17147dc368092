// Every text a person reads from the assistant: replies and pushes, in one place.
import { formatDate, formatDateTime, formatTimeFrom, days } from './domain/calendar.js'
import type { Millis } from './domain/calendar.js'
import { maskIdentifier, maskPhone, maskWechatId } from './domain/identity.js'
import type { FormatProblem, Identifier, IdentifierKind } from './domain/identity.js'
import { ROLE_LABEL } from './domain/roles.js'
import type { OperatorRole } from './domain/roles.js'
import type { Refusal } from './domain/invitation-rules.js'
import type { Decision, DenyReason, Operation } from './domain/permissions.js'
import type { ClosedReason } from './domain/requests.js'
import type { HistoryEntry } from './store/schema.js'
import type { Delivery } from './services/context.js'
import type { LookupEntry } from './services/lookup.js'
import type { Roster } from './services/operators.js'
import type { Switch } from './services/settings.js'
import type { Actor, Notice } from './services/notices.js'
import type { HistoryEvent } from './services/history.js'
import type { OperationAnswer } from './services/risky-operations.js'
import type { LoginOutcome } from './services/logins.js'
import { ACCOUNT_NAME_MAX } from './domain/accounts.js'
import { ALERT_TOPICS, modeOf } from './domain/alerts.js'
import type { AlertChoices, AlertMode, AlertTopic, DigestLine } from './domain/alerts.js'
import type { Person } from './services/notices.js'
import type { AccountNameProblem, AdminRefusal, NameProblem } from './domain/accounts.js'
import type { HealthProblem } from './services/health.js'
import { DEFAULT_REVIEW_DAYS, REVIEW_AFTER_LAPSE_DAYS, REVIEW_DAYS_MAX, REVIEW_DAYS_MIN, REVIEW_LAPSE_DAYS, REVIEW_REMINDER_DAYS } from './domain/reviews.js'
import type { ItemOutcome, ReviewState, ReviewView } from './services/reviews.js'
import type { WebhookUrlProblem } from './domain/webhook.js'

/**
 * A word a person typed that the reply names back (复核周期 abc, 确认登录 X): its first `max` UTF-16 units
 * and "…" when longer, never half a surrogate pair, so a 10,000-character word is not sent back whole.
 */
export function typedWord (word: string, max = 12): string {
  if (word.length <= max) return word
  const end = /[\uD800-\uDBFF]/.test(word[max - 1]!) ? max - 1 : max
  return `${word.slice(0, end)}…`
}

export const KIND_LABEL: Record<IdentifierKind, string> = {
  phone: '手机号',
  idNumber: '身份证号',
  wechatId: '微信号',
}

const FORMAT_HINT: Record<FormatProblem, string> = {
  'phone.length': '手机号格式不对:应为 11 位数字,以 1 开头(前面可以带 +86,中间可以有空格或 -)。',
  'phone.prefix': '手机号格式不对:中国大陆手机号以 13–19 开头,共 11 位。',
  'idNumber.length': '身份证号格式不对:应为 18 位,前 17 位是数字,最后一位是数字或 X。',
  'idNumber.characters': '身份证号格式不对:前 17 位只能是数字,最后一位是数字或 X。',
  'idNumber.birthDate': '身份证号第 7–14 位的出生日期不是真实的日期,请核对后重新输入。',
  'idNumber.checkDigit': '身份证号最后一位校验码对不上,可能有数字输错了,请核对后重新输入。',
  'wechatId.length': '微信号格式不对:应为 6–20 个字符。',
  'wechatId.start': '微信号格式不对:应以字母开头。',
  'wechatId.characters': '微信号格式不对:只能包含字母、数字、下划线 _ 和减号 -。',
  unrecognised: '没认出这是手机号、身份证号还是微信号。',
}

const KIND_EXAMPLE: Record<IdentifierKind, string> = {
  phone: '11 位手机号(可带 +86)',
  idNumber: '18 位身份证号,最后一位可以是 X',
  wechatId: '微信号(在 微信 → 我 页面的头像旁可以看到;6–20 个字符,以字母开头)',
}

const RETYPE = '请重新输入,或回复 取消 退出。'

const ROLE_WORD: Record<OperatorRole, string> = { long: '长期', short: '短期' }

export const OPERATION_LABEL: Record<Operation, string> = {
  login: '登录公众平台',
  'mass-send': '群发消息',
  'modify-server-config': '修改服务器配置',
  'reset-appsecret': '重置 AppSecret',
  'view-appsecret': '查看 AppSecret',
  'rename-account': '修改公众号名称',
  'delete-article': '删除已群发文章',
}

const DENY_TEXT: Record<DenyReason, string> = {
  'unknown-account': '没有这个公众号。',
  'not-bound': '该微信号不是这个公众号的管理员或运营者。请联系公众号的管理员绑定运营者。',
  'binding-expired': '该微信号的短期运营者身份已到期。可以在公众平台安全助手里发送 续期 申请,或请管理员重新邀请。',
  'role-not-permitted': '运营者只能登录和群发;这项操作只有管理员可以做。',
}

const SETTING_LABEL: Record<Switch, string> = { riskProtection: '风险操作保护', riskAlerts: '风险操作提醒' }
const SETTING_EFFECT = {
  riskProtection: { on: '开启后,运营者登录公众平台和群发消息都要等你在这里回复 允许 才能进行(10 分钟内不回复视为拒绝)。', off: '关闭后,运营者登录和群发不再需要你的允许。' },
  riskAlerts: { on: '开启后,运营者的风险操作按 提醒设置 中的方式提醒你(默认每次立即提醒;被拒绝的尝试总是立即提醒)。', off: '关闭后,你将不再收到运营者风险操作的提醒。' },
} as const

export type Setting = Switch

/**
 * Each kind of operation of 风险操作提醒 / 提醒设置, in one table: the words an admin may type for it (matched
 * whatever their case; the first is the one usage texts show) and its label in replies.
 */
export const ALERT_TOPIC_TEXT: Record<AlertTopic, { words: readonly [string, ...string[]], label: string }> = {
  login: { words: ['登录'], label: '登录' },
  massSend: { words: ['群发'], label: '群发' },
  serverConfig: { words: ['修改服务器配置', '服务器配置'], label: '修改服务器配置' },
  appSecret: { words: ['AppSecret', '修改AppSecret', '查看AppSecret', '重置AppSecret'], label: '修改/查看 AppSecret' },
}
const ALERT_MODE_LABEL: Record<AlertMode, string> = { immediate: '即时提醒', digest: '每日汇总(08:00)', off: '不提醒' }
const ALERT_TOPIC_LIST = ALERT_TOPICS.map((topic) => ALERT_TOPIC_TEXT[topic].words[0]).join('|')
const ALWAYS_AT_ONCE = '被拒绝的尝试、以及不是(或已不再是)运营者的人的操作,总是立即提醒。'

export type WordedAnswer = Extract<OperationAnswer, { result: 'allowed' }> | (Exclude<OperationAnswer, { result: 'allowed' }> & { message: string })


function actorLabel (who: Actor, admin: boolean): string {
  if (who.role === 'admin') return admin ? '你(管理员)' : `管理员 ${who.name}`
  if (who.role === 'long' || who.role === 'short') return `${ROLE_LABEL[who.role]} ${who.name}(微信号 ${who.wechatId})`
  return who.name ? `${who.name}(微信号 ${who.wechatId},不是这个公众号的运营者)` : `未知的微信号 ${who.wechatId}`
}

const HISTORY_LABEL = new Map<string, string>([
  ['binding.created', '绑定运营者'],
  ['binding.ended', '运营者自行解绑'],
  ['binding.removed', '解除运营者'],
  ['binding.expired', '短期运营者到期'],
  ['binding.imported', '导入运营者'],
  ['account.imported', '导入公众号'],
  ['invitation.created', '发出邀请'],
  ['invitation.resent', '重发邀请'],
  ['invitation.cancelled', '撤销邀请'],
  ['invitation.declined', '拒绝邀请'],
  ['invitation.blocked', '接受邀请未成功'],
  ['invitation.expired', '邀请过期'],
  ['renewal.requested', '申请续期'],
  ['renewal.approved', '批准续期'],
  ['renewal.refused', '拒绝续期'],
  ['renewal.expired', '续期申请失效'],
  ['renewal.closed', '续期申请关闭'],
  ['settings.riskProtection', '风险操作保护'],
  ['settings.riskAlerts', '风险操作提醒'],
  ['settings.alertMode', '风险操作提醒方式'],
  ['operation.allowed', '风险操作(已放行)'],
  ['operation.denied', '风险操作(被拒绝)'],
  ['operation.pending', '风险操作(待管理员允许)'],
  ['operation.approved', '允许风险操作'],
  ['operation.refused', '拒绝风险操作'],
  ['operation.lapsed', '风险操作超时未允许'],
  ['operation.closed', '风险操作请求关闭'],
  ['login.confirmed', '确认登录'],
  ['login.rejected', '登录被本人否认'],
  ['login.lapsed', '登录确认超时'],
  ['account.created', '创建公众号'],
  ['account.renamed', '公众号更名'],
  ['account.admin-changed', '更换管理员'],
  ['review.started', '开始权限复核'],
  ['review.completed', '权限复核完成'],
  ['review.lapsed', '权限复核逾期关闭'],
  ['settings.reviewInterval', '权限复核周期'],
])
export const HISTORY_PAGE_SIZE = 10
const STATUS_LABEL = { pending: '待回复', accepted: '已接受', declined: '已拒绝', cancelled: '已撤销', expired: '已过期' } as const
const REVIEW_STATE_LABEL: Record<ReviewState, string> = { undecided: '', kept: '【已保留】', removed: '【已移除】', gone: '【已离开,无需决定】' }
const REVIEW_OUTCOME_LABEL: Record<ItemOutcome, string> = {
  kept: '已保留',
  removed: '已移除,对方会收到通知',
  'already-kept': '之前已保留',
  'already-removed': '之前已移除',
  gone: '已不是运营者(已自行解绑或被解除),无需决定,也不能保留',
  'cannot-keep-removed': '已在本次复核中移除,不能再保留;如需恢复请重新邀请(绑定运营者)',
}
const ACCOUNT_HINT = '(管理多个公众号时,在命令最后加上公众号名称)'

export const texts = {
  help: (adminOf: string[]): string => [
    '公众平台安全助手可以帮你:',
    '· 绑定查询 — 查看你的手机号、身份证号或微信号绑定了哪些公众号(也可以在后面直接写上号码,如 绑定查询 你的手机号)',
    '· 解绑 序号 — 查询后解除你在某个公众号的运营者身份',
    '· 我的邀请 — 查看发给你的运营者邀请;回复 同意 或 拒绝(有多个邀请时加上邀请码,如 同意 K7Q2M)',
    '· 续期 — 短期运营者向管理员申请延长一个月',
    '· 确认登录 [编号] — 确认你自己正在登录公众平台(收到 登录确认 消息后 5 分钟内);不是你在登录,回复 不是我 编号',
    '· 取消 — 退出当前步骤',
    '· 帮助 — 显示本菜单',
    ...(adminOf.length > 0
      ? [
          '',
          `你是${adminOf.map((name) => `「${name}」`).join('')}的管理员,还可以:`,
          '· 绑定运营者 微信号 长期|短期 — 邀请运营者,例如 绑定运营者 zhang_san01 长期',
          '· 运营者列表 — 查看运营者、邀请和名额',
          '· 解绑运营者 微信号 — 解除某人的运营者身份',
          '· 撤销邀请 微信号 / 重发邀请 微信号 — 处理还没有回复的邀请',
          '· 同意 编号 / 拒绝 编号 — 处理运营者的续期申请(编号在申请消息里)',
          '· 允许 编号 / 拒绝 编号 — 放行或拒绝等你确认的风险操作',
          '· 风险操作保护 开|关 — 开启后运营者登录和群发要等你允许',
          '· 风险操作提醒 开|关 — 提醒的总开关',
          `· 风险操作提醒 ${ALERT_TOPIC_LIST} 即时|汇总|关 — 每类操作分别选择立即提醒、每天 08:00 汇总一条或不提醒(被拒绝的尝试总是立即提醒)`,
          '· 提醒设置 — 查看当前的提醒方式',
          '· 操作记录 [页码] — 公众号的绑定、邀请、设置和风险操作记录',
          `· 权限复核 — 逐一确认长期运营者是否仍需要权限(每 ${DEFAULT_REVIEW_DAYS} 天自动开始一次);回复 保留 1 3 / 移除 2 / 全部保留`,
          `· 复核周期 天数 — 修改权限复核的周期(${REVIEW_DAYS_MIN}–${REVIEW_DAYS_MAX} 天)`,
          ...(adminOf.length > 1 ? [ACCOUNT_HINT] : []),
        ]
      : []),
    '',
    '为保护隐私,你只能查询本人的信息;手机号和身份证号在回复中会打码显示。有人用你的手机号或身份证号查询时,助手会告诉你(同一人每天最多一次)。',
  ].join('\n'),

  chooseMethod: '请选择查询方式,回复序号:\n1 手机号\n2 身份证号\n3 微信号\n(回复 取消 退出)',
  badMethod: '请回复 1、2 或 3 选择查询方式:\n1 手机号\n2 身份证号\n3 微信号\n(回复 取消 退出)',
  askValue: (kind: IdentifierKind): string => `请输入你的 ${KIND_EXAMPLE[kind]}。`,
  badFormat: (problem: FormatProblem, kind: IdentifierKind | undefined, inDialog: boolean): string => {
    const hint = FORMAT_HINT[problem]
    if (kind === undefined) return `${hint}请发送 绑定查询,按提示选择查询方式。`
    return inDialog ? `${hint}${RETYPE}` : `${hint}也可以只发送 绑定查询,按提示一步步查询。`
  },
  rateLimited: (limit: { max: number, windowMs: number }, retryAt: Millis, now: Millis): string =>
    `查询太频繁:每 ${Math.round(limit.windowMs / 60_000)} 分钟最多查询 ${limit.max} 次。请在 ${formatTimeFrom(retryAt, now)} 之后再试。`,

  /** `askerWechatId`: entries held by another of the asker's WeChat accounts name that account. */
  lookupResult: (p: { identifier: Identifier, active: LookupEntry[], lapsed: LookupEntry[], askerWechatId: string | undefined, now: Millis }): string => {
    const { active, lapsed, now, askerWechatId } = p
    const subject = `${KIND_LABEL[p.identifier.kind]} ${maskIdentifier(p.identifier)} `
    if (active.length === 0 && lapsed.length === 0) {
      return `未查询到${subject}绑定的公众号。\n提示:绑定查询只能查你本人的手机号、身份证号或微信号。`
    }
    const lines: string[] = []
    if (active.length === 0) lines.push(`${subject}目前没有有效的绑定。`)
    else {
      lines.push(`${subject}绑定的公众号(共 ${active.length} 个):`)
      active.forEach((e, i) => lines.push(`${i + 1}. ${e.accountName} — ${describeEntry(e, now)}${heldBy(e, askerWechatId)}`))
    }
    if (lapsed.length > 0) {
      lines.push('', '已到期(不能再登录和群发):')
      for (const e of lapsed) {
        lines.push(`· ${e.accountName} — 短期运营者,${formatDateTime(e.expiresAt!)} 到期${heldBy(e, askerWechatId)};如需继续运营,发送 续期 向管理员申请(到期 30 天内),或请管理员重新邀请。`)
      }
    }
    if (active.some((e) => e.role !== 'admin')) lines.push('', '如需解除运营者身份,回复 解绑 序号,例如 解绑 1。')
    return lines.join('\n')
  },

  unbindNeedsLookup: '请先发送 绑定查询,在查询结果里找到要解绑的公众号,再回复 解绑 序号。',
  unbindNeedsNumber: (count: number): string => `请回复 解绑 序号(1–${count}),例如 解绑 1。`,
  unbindBadNumber: (n: string, count: number): string =>
    (/^\d{1,3}$/.test(n) ? `查询结果里没有序号 ${n}(共 ${count} 个)。` : `解绑 后面请写查询结果里的序号(共 ${count} 个)。`) +
    `请回复 解绑 1${count > 1 ? ` 到 解绑 ${count}` : ''} 之间的序号。`,
  unbindAdmin: (accountName: string): string =>
    `你是「${accountName}」的管理员。管理员身份不能在这里解除(更换管理员请在公众平台 设置 → 人员设置 中操作)。这里只能解除运营者身份。`,
  unbindConfirm: (accountName: string, role: OperatorRole, wechatId: string | undefined): string =>
    `确认解除${wechatId ? `微信号 ${maskWechatId(wechatId)} ` : '你'}在「${accountName}」的${ROLE_LABEL[role]}身份吗?` +
    '解除后将不能再登录和群发这个公众号。\n回复 确认 解除,回复 取消 保留(5 分钟内有效)。',
  unbindDone: (accountName: string, role: OperatorRole, at: Millis, wechatId: string | undefined): string =>
    `已解除${wechatId ? `微信号 ${maskWechatId(wechatId)} ` : '你'}在「${accountName}」的${ROLE_LABEL[role]}身份(${formatDateTime(at)})。该公众号的管理员会收到通知。`,
  unbindAlreadyEnded: (accountName: string, role: OperatorRole): string =>
    `你在「${accountName}」的${ROLE_LABEL[role]}身份已经失效(已解除或已到期),无需再解绑。发送 绑定查询 可查看最新情况。`,
  unbindNotYours: '这条绑定不属于你,无法解除。请重新发送 绑定查询。',
  adminNoticeUnbound: (p: { operatorName: string, wechatId: string, accountName: string, role: OperatorRole, at: Millis, by: string | undefined }): string =>
    `运营者解绑通知\n${p.operatorName}(微信号 ${p.wechatId})在「${p.accountName}」的${ROLE_LABEL[p.role]}身份已于 ${formatDateTime(p.at)} ` +
    (p.by ? `由同一实名的微信号 ${p.by} 解除。` : '由本人解除。') + '\n该微信号已不能登录和群发这个公众号。',
  unboundFromOtherAccount: (accountName: string, role: OperatorRole, by: string, at: Millis): string =>
    `你在「${accountName}」的${ROLE_LABEL[role]}身份已于 ${formatDateTime(at)} 由与你同一实名的微信号 ${by} 解除,你已不能再登录和群发这个公众号。如非本人操作,请联系该公众号的管理员。`,

  // ── admin commands: which account ──
  notAnAdmin: (command: string): string =>
    `只有公众号的管理员才能使用 ${command}。你目前不是任何公众号的管理员;如果你是运营者,可以发送 绑定查询 查看自己的绑定。`,
  notAdminOf: (accountName: string, command: string): string =>
    `你不是「${accountName}」的管理员,不能对它使用 ${command}。只有该公众号的管理员可以管理它的运营者。`,
  unknownAccount: (own: string[]): string =>
    `没有找到这个名称的公众号。你管理的公众号:${own.map((n) => `「${n}」`).join('、')};请在命令最后写上其中一个的名称。`,
  chooseAccount: (command: string, names: string[]): string =>
    `你管理多个公众号,要对哪一个使用 ${command}?回复序号:\n${names.map((n, i) => `${i + 1} ${n}`).join('\n')}\n(回复 取消 退出)`,
  badAccountChoice: (count: number): string => `请回复 1${count > 1 ? `–${count}` : ''} 之间的序号选择公众号,或回复 取消 退出。`,

  // ── inviting ──
  inviteUsage: '用法:绑定运营者 微信号 长期|短期 [公众号],例如 绑定运营者 zhang_san01 长期。\n微信号是对方在 微信 → 我 页面看到的微信号,不是昵称。',
  inviteNeedsRole: (wechatId: string): string =>
    `请说明邀请 ${wechatId} 做长期还是短期运营者:发送 绑定运营者 ${wechatId} 长期 或 绑定运营者 ${wechatId} 短期(管理多个公众号时在最后加上公众号名称)。\n长期运营者一直有效(每个公众号最多 5 个);短期运营者一个月后自动失效(最多 20 个)。`,
  badWechatIdIn: (command: string, problem: FormatProblem): string =>
    `${FORMAT_HINT[problem]}请核对对方的微信号(对方在 微信 → 我 页面头像旁可以看到,不是昵称)后重新发送 ${command} 微信号${command === '绑定运营者' ? ' 长期|短期' : ''}。`,
  unknownInvitee: (wechatId: string): string =>
    `没有找到微信号为 ${wechatId} 的用户。请确认填写的是对方的微信号(对方在 微信 → 我 页面头像旁可以看到,不是昵称或备注),` +
    '并请对方先关注公众号、添加公众平台安全助手为好友。',
  inviteRefused: (invitee: { name: string, wechatId: string }, accountName: string, role: OperatorRole, refusals: Refusal[], retry: string): string => [
    `暂时不能邀请 ${invitee.name}(微信号 ${invitee.wechatId})成为「${accountName}」的${ROLE_LABEL[role]},有 ${refusals.length} 项条件未满足:`,
    ...refusals.map((r) => `✗ ${refusalText(r, accountName, 'admin')}`),
    `处理好后再发送一次 ${retry}。`,
  ].join('\n'),
  invited: (p: { inviteeName: string, wechatId: string, accountName: string, role: OperatorRole, code: string, expiresAt: Millis, delivery: Delivery, resent?: boolean }): string => [
    `${p.resent ? '已重新发送' : '已发出'}邀请:${p.inviteeName}(微信号 ${p.wechatId})成为「${p.accountName}」的${ROLE_LABEL[p.role]}。邀请码 ${p.code},${formatDateTime(p.expiresAt)} 前有效。`,
    p.delivery.sent
      ? '邀请已送达对方,对方回复 同意 即完成绑定,结果会通知你。'
      : `但邀请暂时没有送达:${deliveryProblem(p.delivery)}`,
  ].join('\n'),

  // ── the invitee ──
  invitation: (p: { adminName: string, accountName: string, role: OperatorRole, code: string, expiresAt: Millis, quoteCode: boolean }): string => [
    '公众号运营者邀请',
    `${p.adminName}(「${p.accountName}」的管理员)邀请你成为「${p.accountName}」的${ROLE_LABEL[p.role]}。`,
    p.role === 'short'
      ? '短期运营者自你同意起一个月内可以登录公众平台和群发消息,到期自动失效(到期前会提醒你,可申请续期)。'
      : '长期运营者可以一直登录公众平台和群发消息,直到被解除。',
    p.quoteCode
      ? `你有多个待回复的邀请,请回复 同意 ${p.code} 接受,或回复 拒绝 ${p.code} 谢绝。`
      : `回复 同意 接受,回复 拒绝 谢绝(邀请码 ${p.code})。`,
    `邀请 ${formatDateTime(p.expiresAt)} 前有效。发送 我的邀请 可随时查看。`,
  ].join('\n'),
  invitationWithdrawn: (accountName: string, code: string): string =>
    `「${accountName}」的管理员撤销了发给你的运营者邀请(邀请码 ${code}),这份邀请已不能再接受。`,
  myInvitations: (list: Array<{ code: string, accountName: string, role: OperatorRole, adminName: string, expiresAt: Millis }>, ownWechatId: string | undefined): string => {
    if (list.length === 0) return texts.noPendingInvitation(ownWechatId)
    return [
      `你有 ${list.length} 个待回复的邀请:`,
      ...list.map((i) => `· ${i.code}:「${i.accountName}」${ROLE_LABEL[i.role]},${i.adminName} 邀请,${formatDateTime(i.expiresAt)} 前有效`),
      list.length === 1 ? '回复 同意 接受,或 拒绝 谢绝。' : `回复 同意 邀请码 接受(如 同意 ${list[0]!.code}),或 拒绝 邀请码 谢绝。`,
    ].join('\n')
  },
  noPendingInvitation: (ownWechatId: string | undefined): string =>
    '你目前没有待回复的运营者邀请。' + (ownWechatId
      ? `如果管理员说已经邀请了你,请确认对方填写的是你的微信号 ${ownWechatId},并且邀请没有过期或被撤销。`
      : '如果管理员说已经邀请了你,请让对方确认填写的是你的微信号(在 微信 → 我 页面可以看到)。'),
  chooseInvitation: (answer: string, codes: Array<{ code: string, accountName: string }>): string =>
    `你有 ${codes.length} 个待回复的邀请,请在 ${answer} 后面加上邀请码:\n` +
    codes.map((c) => `· ${answer} ${c.code} —「${c.accountName}」`).join('\n'),
  noSuchInvitation: (code: string): string => `没有找到发给你的、邀请码为 ${code} 的邀请。发送 我的邀请 查看你的邀请和邀请码。`,
  invitationClosed: (accountName: string, status: 'accepted' | 'declined' | 'cancelled' | 'expired', at: Millis | undefined): string => {
    switch (status) {
      case 'accepted': return `「${accountName}」的这份邀请你已经接受过了,无需再次回复。发送 绑定查询 可查看你的绑定。`
      case 'declined': return `「${accountName}」的这份邀请你已经拒绝了。如果改变主意,请联系该公众号的管理员重新邀请。`
      case 'cancelled': return `「${accountName}」的管理员已经撤销了这份邀请${at ? `(${formatDateTime(at)})` : ''}。如需绑定,请联系管理员重新邀请。`
      case 'expired': return `「${accountName}」的这份邀请已于 ${at ? formatDateTime(at) : ''} 过期,没能在有效期内回复。请联系该公众号的管理员重新发送邀请(重发邀请)。`
    }
  },
  acceptanceRefused: (accountName: string, role: OperatorRole, refusals: Refusal[]): string => [
    `暂时无法成为「${accountName}」的${ROLE_LABEL[role]},有 ${refusals.length} 项条件未满足:`,
    ...refusals.map((r) => `✗ ${refusalText(r, accountName, 'invitee')}`),
    '邀请仍然有效:处理好后再回复一次 同意。管理员也已收到通知。',
  ].join('\n'),
  accepted: (accountName: string, role: OperatorRole, expiresAt: Millis | undefined): string =>
    `你已成为「${accountName}」的${ROLE_LABEL[role]},现在可以登录公众平台和群发消息。` +
    (expiresAt === undefined ? '' : `短期运营者身份 ${formatDateTime(expiresAt)} 到期。`),
  declined: (accountName: string): string => `已拒绝「${accountName}」的运营者邀请,管理员会收到通知。`,
  invitationAcceptedNotice: (invitee: { name: string, wechatId: string }, accountName: string, role: OperatorRole, expiresAt: Millis | undefined): string =>
    `${invitee.name}(微信号 ${invitee.wechatId})已接受邀请,成为「${accountName}」的${ROLE_LABEL[role]}` +
    (expiresAt === undefined ? '。' : `,${formatDateTime(expiresAt)} 到期。`),
  invitationDeclinedNotice: (invitee: { name: string, wechatId: string }, accountName: string, role: OperatorRole): string =>
    `${invitee.name}(微信号 ${invitee.wechatId})拒绝了「${accountName}」的${ROLE_LABEL[role]}邀请。`,
  acceptanceBlockedNotice: (invitee: { name: string, wechatId: string }, accountName: string, role: OperatorRole, refusals: Refusal[]): string => [
    `${invitee.name}(微信号 ${invitee.wechatId})想接受「${accountName}」的${ROLE_LABEL[role]}邀请,但有 ${refusals.length} 项条件现在不满足:`,
    ...refusals.map((r) => `✗ ${refusalText(r, accountName, 'admin')}`),
    '邀请仍然有效,对方处理好后再回复 同意 即可。',
  ].join('\n'),

  // ── managing ──
  roster: (r: Roster, now: Millis): string => {
    const lines = [
      `「${r.account.name}」的运营者(长期 ${r.used.long}/${r.limits.long},短期 ${r.used.short}/${r.limits.short},均含待回复的邀请):`,
      `管理员:${r.admin.name}(微信号 ${r.admin.wechatId})`,
    ]
    for (const role of ['long', 'short'] as const) {
      lines.push('', `${ROLE_LABEL[role]}:`)
      if (r.operators[role].length === 0) lines.push('(无)')
      r.operators[role].forEach(({ binding, user }, i) => {
        const phone = user.phone ? `,手机 ${maskPhone(user.phone)}` : ''
        const expiry = binding.expiresAt ? `,${formatDateTime(Date.parse(binding.expiresAt))} 到期` : ''
        lines.push(`${i + 1}. ${user.name}(微信号 ${user.wechatId}${phone}),${formatDate(Date.parse(binding.boundAt))} 绑定${expiry}`)
      })
    }
    if (r.invitations.length > 0) {
      lines.push('', '邀请:')
      for (const i of r.invitations) {
        const state = i.status === 'pending'
          ? `待回复,${formatTimeFrom(Date.parse(i.invitation.expiresAt), now)} 前有效,${REACH_LABEL[i.reach]}`
          : STATUS_LABEL[i.status]
        lines.push(`· ${i.invitee.name}(微信号 ${i.invitee.wechatId})${ROLE_WORD[i.invitation.role]},邀请码 ${i.invitation.code}:${state}`)
      }
      if (r.invitations.some((i) => i.status === 'pending' && i.reach === 'undeliverable')) {
        lines.push('未送达的邀请:请对方添加公众平台安全助手为好友后发送 我的邀请,或稍后 重发邀请 微信号。')
      }
    }
    return lines.join('\n')
  },
  removeUsage: '用法:解绑运营者 微信号 [公众号],例如 解绑运营者 zhang_san01。发送 运营者列表 可查看运营者的微信号。',
  unknownOperator: (wechatId: string): string => `没有找到微信号为 ${wechatId} 的用户。发送 运营者列表 可查看运营者的微信号。`,
  notAnOperator: (name: string, wechatId: string, accountName: string): string =>
    `${name}(微信号 ${wechatId})现在不是「${accountName}」的运营者,无需解绑。发送 运营者列表 查看当前的运营者。`,
  removeConfirm: (name: string, wechatId: string, accountName: string, role: OperatorRole): string =>
    `确认解除 ${name}(微信号 ${wechatId})在「${accountName}」的${ROLE_LABEL[role]}身份吗?对方将不能再登录和群发,并会收到通知。\n回复 确认 解除,回复 取消 保留(5 分钟内有效)。`,
  removed: (name: string, accountName: string, role: OperatorRole): string =>
    `已解除 ${name} 在「${accountName}」的${ROLE_LABEL[role]}身份,对方会收到通知。`,
  operatorRemovedNotice: (accountName: string, role: OperatorRole, adminName: string, at: Millis): string =>
    `「${accountName}」的管理员 ${adminName} 已于 ${formatDateTime(at)} 解除了你的${ROLE_LABEL[role]}身份,你已不能再登录和群发这个公众号。如有疑问请联系管理员。`,
  // 权限复核 (access review): services/reviews.ts.
  reviewList: (view: ReviewView, now: Millis): string => view.lines.map((l) => {
    const bound = l.boundAt === undefined ? '' : `,${formatDate(l.boundAt)} 绑定`
    const seen = l.lastSeenAt === undefined ? ',没有操作记录' : `,最近操作 ${formatTimeFrom(l.lastSeenAt, now)}`
    return `${l.number}. ${l.name}(微信号 ${l.wechatId})${bound}${seen}${REVIEW_STATE_LABEL[l.state]}`
  }).join('\n'),
  reviewHowToAnswer: (view: ReviewView, severalAccounts: boolean): string => {
    const suffix = severalAccounts ? ` ${view.accountName}` : ''
    const [first, second] = view.undecided
    const example = second === undefined ? `保留 ${first ?? 1}${suffix} 或 移除 ${first ?? 1}${suffix}` : `保留 ${first} ${second}${suffix} 或 移除 ${second}${suffix}`
    return `请逐一决定:回复 ${example},全部需要保留就回复 全部保留${suffix}。被移除的运营者会立即失去权限并收到通知。`
  },
  reviewStartedNotice: (p: { view: ReviewView, intervalDays: number, severalAccounts: boolean, now: Millis }): string => [
    `权限复核:「${p.view.accountName}」`,
    `每 ${p.intervalDays} 天请确认一次长期运营者是否仍需要权限:`,
    texts.reviewList(p.view, p.now),
    texts.reviewHowToAnswer(p.view, p.severalAccounts),
    `${REVIEW_REMINDER_DAYS.join('、')} 天后仍未完成会提醒你;${REVIEW_LAPSE_DAYS} 天内未完成,本次复核关闭,未决定的运营者保留权限。`,
  ].join('\n'),
  reviewStarted: (view: ReviewView, now: Millis, severalAccounts: boolean): string => [
    `已开始「${view.accountName}」的权限复核,请确认以下长期运营者是否仍需要权限:`,
    texts.reviewList(view, now),
    texts.reviewHowToAnswer(view, severalAccounts),
  ].join('\n'),
  reviewOpen: (view: ReviewView, now: Millis, severalAccounts: boolean): string => [
    `「${view.accountName}」的权限复核进行中(${formatDate(view.startedAt)} 开始),还有 ${view.undecided.length} 位未决定:`,
    texts.reviewList(view, now),
    texts.reviewHowToAnswer(view, severalAccounts),
  ].join('\n'),
  reviewNothing: (accountName: string): string =>
    `「${accountName}」现在没有长期运营者,无需权限复核。短期运营者一个月后自动到期。`,
  reviewReminderNotice: (p: { view: ReviewView, day: number, severalAccounts: boolean, now: Millis }): string => [
    `权限复核提醒:「${p.view.accountName}」的权限复核已开始 ${p.day} 天,还有 ${p.view.undecided.length} 位长期运营者未决定:`,
    texts.reviewList(p.view, p.now),
    texts.reviewHowToAnswer(p.view, p.severalAccounts),
    `开始 ${REVIEW_LAPSE_DAYS} 天后仍未完成,本次复核关闭,未决定的运营者保留权限。`,
  ].join('\n'),
  reviewLapsedNotice: (p: { view: ReviewView, now: Millis }): string => [
    `「${p.view.accountName}」的权限复核开始 ${REVIEW_LAPSE_DAYS} 天仍未完成,已关闭。`,
    `未决定的 ${p.view.lines.filter((l) => l.state === 'undecided').map((l) => l.name).join('、')} 保留了权限(不会因为没有回复而被移除),已记入 操作记录。`,
    `${REVIEW_AFTER_LAPSE_DAYS} 天后会再次复核;也可以随时发送 权限复核 重新开始,或用 解绑运营者 微信号 解除不再需要的运营者。`,
  ].join('\n'),
  reviewAnswered: (p: { view: ReviewView, outcomes: Array<{ number: number, name: string, outcome: ItemOutcome }>, completed: boolean, severalOpen: boolean, nextAt: Millis | undefined, now: Millis }): string => {
    const lines = [`「${p.view.accountName}」权限复核:`]
    for (const o of p.outcomes) lines.push(`${o.number}. ${o.name}:${REVIEW_OUTCOME_LABEL[o.outcome]}`)
    if (p.completed) {
      const count = (state: ReviewState): number => p.view.lines.filter((l) => l.state === state).length
      lines.push(`复核已完成:保留 ${count('kept')} 位,移除 ${count('removed')} 位${count('gone') > 0 ? `,${count('gone')} 位已离开` : ''}。结果已记入 操作记录。`)
      if (p.nextAt !== undefined) lines.push(`下次复核:${formatDate(p.nextAt)}。`)
    } else {
      lines.push(`还有 ${p.view.undecided.join('、')} 号未决定,复核尚未完成:`)
      lines.push(texts.reviewList({ ...p.view, lines: p.view.lines.filter((l) => l.state === 'undecided') }, p.now))
      lines.push(texts.reviewHowToAnswer(p.view, p.severalOpen))
    }
    return lines.join('\n')
  },
  reviewUsage: (word: string): string =>
    `用法:${word} 编号 [公众号],编号见权限复核的名单,多个编号用空格隔开,例如 ${word} 1 3;全部保留请回复 全部保留。`,
  reviewBadNumber: (accountName: string, number: number | string, count: number): string =>
    `「${accountName}」的权限复核名单只有 1${count > 1 ? `–${count}` : ''} 号,没有 ${number} 号,这次回复没有做任何修改。发送 权限复核 可再看名单。`,
  reviewNoneOpen: '现在没有进行中的权限复核。发送 权限复核 [公众号] 可随时开始一次;到期的复核会自动发给你。',
  reviewAnsweredTooLate: (accountName: string): string =>
    `「${accountName}」的权限复核开始已超过 ${REVIEW_LAPSE_DAYS} 天,已逾期关闭,这次回复没有生效:没有人被保留或移除,未决定的运营者仍保留权限。需要时发送 权限复核 ${accountName} 重新开始一次。`,
  reviewNotOpen: (accountName: string): string => `「${accountName}」现在没有进行中的权限复核。发送 权限复核 ${accountName} 可开始一次。`,
  reviewChoose: (word: string, names: string[]): string =>
    `你有 ${names.length} 个公众号的权限复核在进行(${names.map((n) => `「${n}」`).join('')}),请在编号后加上公众号名称,例如 ${word} 1 ${names[0]}。`,
  reviewNotAdmin: (word: string): string => `${word} 是管理员回复权限复核用的。你不是任何公众号的管理员;运营者的权限由各公众号的管理员复核。`,
  reviewIntervalUsage: `用法:复核周期 天数 [公众号],天数为 ${REVIEW_DAYS_MIN}–${REVIEW_DAYS_MAX} 之间的整数(默认 ${DEFAULT_REVIEW_DAYS} 天),例如 复核周期 60。`,
  reviewIntervalRefused: (word: string, problem: 'not-a-number' | 'out-of-range'): string => problem === 'not-a-number'
    ? `复核周期要写成整数天数,「${typedWord(word)}」不是。${texts.reviewIntervalUsage}`
    : `复核周期须在 ${REVIEW_DAYS_MIN}–${REVIEW_DAYS_MAX} 天之间:少于 ${REVIEW_DAYS_MIN} 天会频繁打扰,超过一年起不到复核的作用。没有修改,${texts.reviewIntervalUsage}`,
  reviewIntervalSet: (accountName: string, intervalDays: number, nextAt: Millis | undefined, open: boolean): string =>
    `已将「${accountName}」的权限复核周期设为 ${intervalDays} 天。` +
    (open ? '当前有一次复核进行中,完成后按新周期计算下次复核。' : nextAt === undefined ? '目前没有长期运营者,暂不需要复核。' : `下次复核:${formatDate(nextAt)}。`),
  withdrawUsage: '用法:撤销邀请 微信号 [公众号],例如 撤销邀请 zhang_san01。',
  resendUsage: '用法:重发邀请 微信号 [公众号],例如 重发邀请 zhang_san01。',
  noPendingFor: (name: string, wechatId: string, accountName: string): string =>
    `「${accountName}」没有发给 ${name}(微信号 ${wechatId})的待回复邀请。发送 运营者列表 查看所有邀请。`,
  withdrawn: (name: string, accountName: string, code: string, told: boolean): string =>
    `已撤销发给 ${name} 的「${accountName}」邀请(邀请码 ${code}),名额已释放。` +
    (told ? '对方收到过这份邀请,会收到撤销通知。' : '这份邀请还没有送达对方,不会再发出,也不会通知对方。'),
  neverInvited: (name: string, wechatId: string, accountName: string): string =>
    `「${accountName}」还没有邀请过 ${name}(微信号 ${wechatId})。请发送 绑定运营者 ${wechatId} 长期 或 短期 发出邀请。`,

  deliveryFailedNotice: (recipientName: string, accountName: string, text: string, reason: string): string =>
    `一条发给 ${recipientName} 的「${accountName}」通知多次发送失败,已停止重试(${reason})。内容:\n${text.length > 60 ? `${text.slice(0, 60)}…` : text}\n请通过其他方式告知对方。`,

  // ── accounts as the platform creates, renames and hands them over ──
  adminAssigned: (p: { accountName: string, previousAdmin: { name: string, wechatId: string } | undefined, endedRole: OperatorRole | undefined, waiting: number }): string => [
    '公众号管理员通知',
    p.previousAdmin
      ? `你已成为「${p.accountName}」的管理员(原管理员 ${p.previousAdmin.name},微信号 ${p.previousAdmin.wechatId})。`
      : `你已成为新公众号「${p.accountName}」的管理员。`,
    ...(p.endedRole ? [`你在「${p.accountName}」的${ROLE_LABEL[p.endedRole]}身份随之结束:管理员已拥有全部权限。`] : []),
    ...(p.waiting > 0 ? [`有 ${p.waiting} 个运营者的请求在等你处理,接下来会逐一发给你;回复 允许 可随时查看。`] : []),
    '发送 帮助 查看管理员可以做的事,发送 运营者列表 查看运营者和邀请。',
  ].join('\n'),
  adminReplaced: (accountName: string, newAdmin: { name: string, wechatId: string }, at: Millis): string =>
    `公众号管理员变更通知\n「${accountName}」的管理员已于 ${formatDateTime(at)} 由你变更为 ${newAdmin.name}(微信号 ${newAdmin.wechatId})。` +
    '你已不能再管理这个公众号的运营者,也不会再收到它的请求和提醒;等你处理的请求已转给新管理员。如非你本人同意的变更,请立即在公众平台处理。',
  accountRenamed: (from: string, to: string, at: Millis): string =>
    `你管理的公众号「${from}」已于 ${formatDateTime(at)} 更名为「${to}」。在命令里请使用新名称。如非你本人确认的更名,请立即在公众平台处理。`,

  // ── expiry, reminders, renewal ──
  shortTermEnded: (accountName: string, expiresAt: Millis, adminName: string, renewable: boolean): string =>
    `你在「${accountName}」的短期运营者身份已于 ${formatDateTime(expiresAt)} 到期,现在不能再登录和群发这个公众号。` +
    (renewable
      ? `如需继续运营:到期 30 天内可以发送 续期 向管理员 ${adminName} 申请,或请管理员重新邀请你。`
      : `如需继续运营,请管理员 ${adminName} 重新邀请你。`),
  shortTermEndedAdmin: (operator: { name: string, wechatId: string }, accountName: string, expiresAt: Millis): string =>
    `${operator.name}(微信号 ${operator.wechatId})在「${accountName}」的短期运营者身份已于 ${formatDateTime(expiresAt)} 到期,` +
    `对方已不能登录和群发。如需继续,可发送 绑定运营者 ${operator.wechatId} 短期 重新邀请。`,
  invitationLapsedAdmin: (invitee: { name: string, wechatId: string }, accountName: string, role: OperatorRole, code: string): string =>
    `发给 ${invitee.name}(微信号 ${invitee.wechatId})的「${accountName}」${ROLE_LABEL[role]}邀请(邀请码 ${code})已过期,对方没有回复。` +
    `如仍需要,可发送 重发邀请 ${invitee.wechatId}。`,
  reminder: (accountName: string, expiresAt: Millis, daysLeft: number): string =>
    `提醒:你在「${accountName}」的短期运营者身份将于 ${formatDateTime(expiresAt)} 到期(不到 ${daysLeft} 天)。` +
    '如需继续运营,发送 续期 向管理员申请延长一个月。',
  reminderAdmin: (operator: { name: string, wechatId: string }, accountName: string, expiresAt: Millis, daysLeft: number): string =>
    `提醒:${operator.name}(微信号 ${operator.wechatId})在「${accountName}」的短期运营者身份将于 ${formatDateTime(expiresAt)} 到期(不到 ${daysLeft} 天)。` +
    '对方可以发送 续期 向你申请;你也可以到期后重新邀请。',
  renewalNothing: '你目前没有可以续期的短期运营者身份。续期只适用于短期运营者(有效中或到期 30 天内);长期运营者一直有效,无需续期。',
  renewalChoose: (list: Array<{ accountName: string, expiresAt: Millis }>, now: Millis): string =>
    `你有 ${list.length} 个可以续期的短期运营者身份,请回复 续期 序号:\n` +
    list.map((b, i) => `${i + 1}. ${b.accountName} — ${formatDateTime(b.expiresAt)} ${b.expiresAt > now ? '到期' : '已到期'}`).join('\n'),
  renewalBadNumber: (n: string, count: number): string =>
    `${/^\d{1,3}$/.test(n) ? `没有序号 ${n}` : '没有这个序号'}(可以续期的共 ${count} 个)。请回复 续期 1${count > 1 ? ` 到 续期 ${count}` : ''} 之间的序号。`,
  renewalAlreadyRequested: (accountName: string, adminName: string, code: string): string =>
    `你已经申请过「${accountName}」的续期(编号 ${code}),正在等管理员 ${adminName} 回复,无需重复申请。`,
  renewalRequested: (accountName: string, adminName: string, respondBy: Millis): string =>
    `已向「${accountName}」的管理员 ${adminName} 申请续期一个月,${formatDateTime(respondBy)} 前有效。管理员回复后会通知你。`,
  renewalRequest: (p: { operatorName: string, wechatId: string, accountName: string, expiresAt: Millis, code: string, now: Millis }): string => [
    '运营者续期申请',
    `${p.operatorName}(微信号 ${p.wechatId})申请延长在「${p.accountName}」的短期运营者身份一个月` +
      `(${p.expiresAt > p.now ? '当前' : '已于'} ${formatDateTime(p.expiresAt)} ${p.expiresAt > p.now ? '到期' : '到期'})。`,
    `回复 同意 ${p.code} 批准,或回复 拒绝 ${p.code} 不批准。`,
  ].join('\n'),
  renewalApproved: (p: { accountName: string, expiresAt: Millis, adminName: string, at: Millis }): string =>
    `你在「${p.accountName}」的续期申请已由管理员 ${p.adminName} 于 ${formatDateTime(p.at)} 批准:短期运营者身份延长至 ${formatDateTime(p.expiresAt)}。`,
  renewalApprovedAdmin: (operatorName: string, accountName: string, expiresAt: Millis): string =>
    `已批准 ${operatorName} 在「${accountName}」的续期,新的到期时间 ${formatDateTime(expiresAt)},对方会收到通知。`,
  renewalRefused: (p: { accountName: string, adminName: string, at: Millis }): string =>
    `你在「${p.accountName}」的续期申请已由管理员 ${p.adminName} 于 ${formatDateTime(p.at)} 拒绝。到期后如需继续运营,请与管理员联系。`,
  renewalRefusedAdmin: (operatorName: string, accountName: string): string =>
    `已拒绝 ${operatorName} 在「${accountName}」的续期申请,对方会收到通知。`,
  renewalLapsed: (accountName: string): string =>
    `你对「${accountName}」的续期申请管理员一直没有回复,已失效。如仍需要,可以再发送一次 续期。`,
  renewalLapsedAdmin: (operator: { name: string, wechatId: string }, accountName: string, code: string): string =>
    `${operator.name}(微信号 ${operator.wechatId})在「${accountName}」的续期申请(编号 ${code})你一直没有回复,已失效,对方已收到通知。无需再回复;对方可以再次申请。`,
  renewalTooLate: (operatorName: string, accountName: string): string =>
    `${operatorName} 在「${accountName}」的短期运营者身份已到期超过 30 天,不能再续期。如需继续,请发送 绑定运营者 重新邀请。`,
  renewalBlocked: (operatorName: string, accountName: string, refusals: Refusal[]): string => [
    `${operatorName} 的「${accountName}」短期运营者身份已到期,恢复它需要满足邀请的条件,现在有 ${refusals.length} 项不满足:`,
    ...refusals.map((r) => `✗ ${refusalText(r, accountName, 'admin')}`),
    '处理好后再回复一次批准即可(申请仍然有效)。',
  ].join('\n'),
  renewalClosed: (accountName: string, status: 'approved' | 'refused' | 'expired' | 'closed', operatorName: string, reason: ClosedReason | undefined): string =>
    status === 'closed'
      ? `这份「${accountName}」的续期申请已关闭,不能再批准:${operatorName}${CLOSED_BECAUSE[reason ?? 'removed']}。如需让对方继续运营,请重新邀请(绑定运营者)。`
      : `这份「${accountName}」的续期申请已经${status === 'approved' ? '批准' : status === 'refused' ? '拒绝' : '失效'}了,无需再回复。`,
  openRequests: (word: string, list: Array<{ code: string, text: string }>): string => [
    `有 ${list.length} 个请求在等你回复,请在 ${word} 后面加上编号:`,
    ...list.map((r) => `· ${r.code}:${r.text}`),
    `例如 ${word} ${list[0]!.code}。`,
  ].join('\n'),
  openApproval: (actorName: string, accountName: string, operation: Operation, expiresAt: Millis, now: Millis): string =>
    `${actorName} 请求在「${accountName}」${OPERATION_LABEL[operation]}(${formatTimeFrom(expiresAt, now)} 前)`,
  openRenewal: (operatorName: string, accountName: string): string => `${operatorName} 申请续期「${accountName}」的短期运营者身份`,
  acceptWithAgree: (code: string): string => `这是发给你的运营者邀请。接受邀请请回复 同意 ${code},谢绝请回复 拒绝 ${code}。`,
  noOpenRequests: '现在没有等你允许的请求。风险操作的确认请求和续期申请里都带有编号,回复 允许 编号 即可。',
  noSuchRequest: (code: string): string => `没有找到编号为 ${code}、等你回复的邀请或申请。请核对编号;发送 我的邀请 可查看你的邀请。`,

  // ── risky operations ──
  operationDenied: (reason: DenyReason): string => DENY_TEXT[reason],
  /** The platform's answer with what to tell the person beside a denial or a wait (API and console). */
  operationAnswer: (answer: OperationAnswer): WordedAnswer => answer.result === 'denied'
    ? { ...answer, message: DENY_TEXT[answer.reason] }
    : answer.result === 'pending' ? { ...answer, message: texts.operationPending(answer.waitsFor === 'confirmation') } : answer,
  operationPending: (byAdmin: boolean): string => byAdmin
    ? '这项重要操作需要管理员在公众平台安全助手里确认,请在 10 分钟内回复 允许。'
    : '已开启风险操作保护:需要管理员在公众平台安全助手里允许,10 分钟内未允许视为拒绝。',
  operationDetail: (wechatId: string, operation: Operation, reason: DenyReason | undefined): string =>
    `${wechatId} ${OPERATION_LABEL[operation]}${reason ? `(${DENY_TEXT[reason].replace(/。.*$/, '')})` : ''}`,
  approvalRequest: (p: { who: Actor, accountName: string, operation: Operation, code: string, at: Millis, expiresAt: Millis }): string => [
    p.who.role === 'admin' ? '重要操作确认' : '风险操作确认',
    `${actorLabel(p.who, true)}于 ${formatDateTime(p.at)} 请求在「${p.accountName}」${OPERATION_LABEL[p.operation]}。`,
    `回复 允许 ${p.code} 放行,回复 拒绝 ${p.code} 拒绝(${formatTimeFrom(p.expiresAt, p.at)} 前有效,过时视为拒绝)。`,
  ].join('\n'),
  riskAlert: (p: { who: Actor, accountName: string, operation: Operation, at: Millis, decision: Decision, removable: boolean, severalAccounts: boolean }): string => [
    '风险操作提醒',
    `${actorLabel(p.who, false)}于 ${formatDateTime(p.at)} 在「${p.accountName}」${OPERATION_LABEL[p.operation]}:` +
      (p.decision.kind === 'denied' ? `已拒绝(${DENY_TEXT[p.decision.reason].replace(/。.*$/, '')})。` : '已放行。'),
    p.removable
      ? `如果不是你授权的,回复 解绑运营者 ${p.who.wechatId}${p.severalAccounts ? ` ${p.accountName}` : ''},再回复 确认,即可解除其运营者身份。`
      : '如有可疑,请检查公众号的运营者和登录情况。',
    '(发送 提醒设置 查看提醒方式,例如改为每天 08:00 汇总一次)',
  ].join('\n'),
  approvalDecidedNotice: (p: { accountName: string, operation: Operation, allowed: boolean, adminName: string, at: Millis }): string =>
    `你在「${p.accountName}」${OPERATION_LABEL[p.operation]}的请求已由管理员 ${p.adminName} 于 ${formatDateTime(p.at)} ${p.allowed ? '允许' : '拒绝'}。` +
    (p.allowed ? '' : '如有疑问请联系管理员。'),
  approvalLapsedNotice: (accountName: string, operation: Operation, expiresAt: Millis): string =>
    `你在「${accountName}」${OPERATION_LABEL[operation]}的请求,管理员到 ${formatDateTime(expiresAt)} 也没有允许,已失效(视为拒绝)。如仍需要,请在公众平台重新操作,并提醒管理员留意公众平台安全助手的消息。`,
  approvalLapsedAdmin: (p: { actor: { name: string, wechatId: string } | undefined, accountName: string, operation: Operation, code: string, expiresAt: Millis }): string =>
    p.actor
      ? `${p.actor.name}(微信号 ${p.actor.wechatId})在「${p.accountName}」${OPERATION_LABEL[p.operation]}的请求(编号 ${p.code})到 ${formatDateTime(p.expiresAt)} 没有等到你的允许,已失效(视为拒绝),对方已收到通知。无需再回复;如需放行,请对方在公众平台重新操作。`
      : `你在「${p.accountName}」${OPERATION_LABEL[p.operation]}的确认请求(编号 ${p.code})到 ${formatDateTime(p.expiresAt)} 没有确认,已失效。无需再回复;如仍需要,请在公众平台重新操作。`,
  approvalDecided: (actorName: string, accountName: string, operation: Operation, allowed: boolean): string =>
    `已${allowed ? '允许' : '拒绝'} ${actorName} 在「${accountName}」${OPERATION_LABEL[operation]}。`,
  approvalClosed: (accountName: string, operation: Operation, state: 'approved' | 'refused' | 'lapsed' | 'closed', actorName: string, reason: ClosedReason | undefined): string =>
    state === 'closed'
      ? `「${accountName}」的这个${OPERATION_LABEL[operation]}请求已关闭,没有放行:${actorName}${CLOSED_BECAUSE[reason ?? 'removed']},请求随之失效。无需再回复。`
      : `「${accountName}」的这个${OPERATION_LABEL[operation]}请求已经${state === 'approved' ? '允许' : state === 'refused' ? '拒绝' : '超过 10 分钟未处理,视为拒绝'}了,无需再回复。`,
  /** A closed request's reason, short, for the history. */
  closedReason: (reason: ClosedReason): string => `请求已关闭:${CLOSED_SHORT[reason]}`,

  // ── logins confirmed by the person ──
  loginConfirmation: (p: { accountName: string, code: string, at: Millis, expiresAt: Millis }): string => [
    '登录确认',
    `你正在登录「${p.accountName}」公众平台(${formatDateTime(p.at)})。`,
    `是你本人在登录:回复 确认登录 ${p.code}`,
    `不是你在登录:回复 不是我 ${p.code},这次登录会被拦下,管理员会收到提醒。`,
    `${formatTimeFrom(p.expiresAt, p.at)} 前有效,过时需要在公众平台重新登录。`,
  ].join('\n'),
  loginDisowned: (p: { who: Actor, accountName: string, at: Millis, removable: boolean, severalAccounts: boolean }): string => [
    '登录异常提醒',
    `有人于 ${formatDateTime(p.at)} 以${actorLabel(p.who, false)}的身份登录「${p.accountName}」公众平台,本人回复说不是自己在登录,这次登录已被拦下。`,
    p.removable
      ? `请提醒对方检查微信帐号安全;如有必要,回复 解绑运营者 ${p.who.wechatId}${p.severalAccounts ? ` ${p.accountName}` : ''},再回复 确认,解除其运营者身份。`
      : '请提醒对方检查微信帐号安全,并留意公众号的登录情况。',
  ].join('\n'),
  /** What the platform shows beside a login it asked for. */
  loginAsked: '请在微信里查看公众平台安全助手发来的 登录确认 消息,5 分钟内回复 确认登录 编号。',
  /** What the platform shows beside a login's outcome, when there is something to say. */
  loginMessage: (outcome: LoginOutcome): string | null => {
    switch (outcome.state) {
      case 'denied': return DENY_TEXT[outcome.reason]
      case 'pending': return texts.operationPending(false)
      case 'refused': return '管理员没有允许这次登录(已拒绝,或 10 分钟内没有处理)。'
      default: return null
    }
  },
  noLoginWaiting: '现在没有等你确认的登录。请先在公众平台发起登录(扫码),收到 登录确认 消息后再回复。',
  chooseLogin: (word: string, list: Array<{ code: string, accountName: string, expiresAt: Millis }>, now: Millis): string => [
    `有 ${list.length} 个登录在等你确认,请在 ${word} 后面加上编号:`,
    ...list.map((l) => `· ${word} ${l.code} —「${l.accountName}」(${formatTimeFrom(l.expiresAt, now)} 前有效)`),
  ].join('\n'),
  noSuchLogin: (code: string): string => `没有找到编号为 ${code}、等你确认的登录。请核对 登录确认 消息里的编号;只能确认自己的登录。`,
  loginClosed: (accountName: string, state: 'confirmed' | 'rejected' | 'lapsed'): string => state === 'lapsed'
    ? `「${accountName}」的这次登录超过 5 分钟没有确认,已失效。如需登录,请在公众平台重新发起登录。`
    : `「${accountName}」的这次登录你已经${state === 'confirmed' ? '确认' : '否认'}过了,无需再回复。`,
  loginConfirmed: (accountName: string, answer: OperationAnswer, adminName: string): string => {
    switch (answer.result) {
      case 'allowed': return `已确认,你现在可以登录「${accountName}」公众平台。`
      case 'denied': return `已确认,但不能登录「${accountName}」:${DENY_TEXT[answer.reason]}`
      case 'pending': return `已确认。「${accountName}」开启了风险操作保护,这次登录还要等管理员 ${adminName} 允许(10 分钟内,过时视为拒绝),结果会通知你。`
    }
  },
  loginRejected: (accountName: string, adminTold: boolean): string =>
    `已拦下这次「${accountName}」的登录。` + (adminTold ? '管理员会收到提醒。' : '') +
    '有人可能知道你的公众平台登录信息:请检查微信帐号安全(微信 → 我 → 设置 → 帐号与安全),必要时修改密码。',

  // ── settings and history ──
  settingsUsage: (setting: Setting): string => setting === 'riskAlerts'
    ? `用法:风险操作提醒 开|关 [公众号](总开关),或 风险操作提醒 ${ALERT_TOPIC_LIST} 即时|汇总|关 [公众号](每类操作分别设置),例如 风险操作提醒 登录 汇总。`
    : `用法:${SETTING_LABEL[setting]} 开|关 [公众号],例如 ${SETTING_LABEL[setting]} 开。`,
  alertBadMode: (topic: AlertTopic): string =>
    `「${ALERT_TOPIC_TEXT[topic].label}」后面请写提醒方式:即时(每次立刻提醒)、汇总(每天 08:00 汇总成一条)或 关(不提醒),例如 风险操作提醒 ${ALERT_TOPIC_TEXT[topic].words[0]} 汇总。`,
  alertModeDone: (accountName: string, topic: AlertTopic, mode: AlertMode, alertsOn: boolean): string => [
    `已将「${accountName}」${ALERT_TOPIC_TEXT[topic].label}的风险操作提醒设为${ALERT_MODE_LABEL[mode]}。` +
      (mode === 'digest' ? '每天 08:00 发一条汇总,列出此前谁做了什么。' : ''),
    ALWAYS_AT_ONCE,
    ...(alertsOn ? [] : ['注意:风险操作提醒的总开关现在是关闭的,发送 风险操作提醒 开 后才会生效。']),
  ].join('\n'),
  alertModeUnchanged: (accountName: string, topic: AlertTopic, mode: AlertMode): string =>
    `「${accountName}」${ALERT_TOPIC_TEXT[topic].label}的风险操作提醒已经是${ALERT_MODE_LABEL[mode]},无需更改。发送 提醒设置 查看全部设置。`,
  alertSettings: (accountName: string, alertsOn: boolean, choices: AlertChoices | undefined): string => [
    `「${accountName}」的风险操作提醒:总开关${alertsOn ? '开启' : '关闭(以下设置暂不生效)'}`,
    ...ALERT_TOPICS.map((topic) => `· ${ALERT_TOPIC_TEXT[topic].label}:${ALERT_MODE_LABEL[modeOf(choices, topic)]}`),
    ALWAYS_AT_ONCE,
    `修改:风险操作提醒 ${ALERT_TOPIC_LIST} 即时|汇总|关;总开关:风险操作提醒 开|关。`,
  ].join('\n'),
  alertDigest: (p: { accountName: string, since: Millis, upTo: Millis, total: number, lines: Array<DigestLine<Person>>, more: number, severalAccounts: boolean }): string => [
    '风险操作每日汇总',
    `「${p.accountName}」${formatDateTime(p.since)} 至 ${formatDateTime(p.upTo)} 共 ${p.total} 次风险操作(已放行):`,
    ...p.lines.map((line) => `· ${line.person.name}(微信号 ${line.person.wechatId}):` +
      `${line.counts.map((c) => `${OPERATION_LABEL[c.operation]} ${c.count} 次`).join('、')},最近一次 ${formatDateTime(line.last)}`),
    ...(p.more > 0 ? [`…还有 ${p.more} 条(发送 操作记录${p.severalAccounts ? ` ${p.accountName}` : ''} 查看全部)`] : []),
    `如果有不是你授权的,回复 解绑运营者 微信号${p.severalAccounts ? ` ${p.accountName}` : ''} 解除其运营者身份。`,
    '(发送 提醒设置 查看或修改提醒方式)',
  ].join('\n'),
  lookupNotice: (p: { identifier: Identifier, askerWechatId: string | undefined, at: Millis }): string => [
    '绑定查询提醒',
    `${p.askerWechatId ? `微信号 ${p.askerWechatId} ` : '一位没有在助手登记过的微信用户'}于 ${formatDateTime(p.at)} 用你的${KIND_LABEL[p.identifier.kind]} ${maskIdentifier(p.identifier)} 查询了绑定的公众号。`,
    '对方只看到"未查询到绑定"的回复,没有看到你的任何信息。如果你不认识对方,请留意是否有人在冒用你的信息。',
    '(同一人 24 小时内再次查询不再提醒)',
  ].join('\n'),
  settingsUnchanged: (setting: Setting, accountName: string, on: boolean): string =>
    `「${accountName}」的${SETTING_LABEL[setting]}已经是${on ? '开启' : '关闭'}状态,无需更改。`,
  settingsConfirm: (setting: Setting, accountName: string, on: boolean): string =>
    `确认${on ? '开启' : '关闭'}「${accountName}」的${SETTING_LABEL[setting]}吗?${SETTING_EFFECT[setting][on ? 'on' : 'off']}\n回复 确认 或 取消(5 分钟内有效)。`,
  settingsDone: (setting: Setting, accountName: string, on: boolean): string =>
    `已${on ? '开启' : '关闭'}「${accountName}」的${SETTING_LABEL[setting]}。`,
  history: (accountName: string, entries: HistoryEntry[], page: number, pages: number, nameOf: (userId: string | undefined) => string): string => {
    if (entries.length === 0) return `「${accountName}」还没有操作记录。`
    return [
      `「${accountName}」的操作记录(第 ${page}/${pages} 页,最新的在前):`,
      ...entries.map((e) => `${formatDateTime(Date.parse(e.at))} ${nameOf(e.actorUserId)} ${(HISTORY_LABEL.get(e.action) ?? e.action)}${e.detail ? `:${e.detail}` : ''}`),
      ...(page < pages ? [`发送 操作记录 ${page + 1} 查看更早的记录。`] : []),
    ].join('\n')
  },
  historyBadPage: (pages: number): string => `没有这一页:操作记录共 ${pages} 页,请发送 操作记录 1${pages > 1 ? ` 到 操作记录 ${pages}` : ''}。`,

  cancelled: '已取消,没有做任何修改。',
  nothingToCancel: '当前没有进行中的操作。发送 帮助 查看可用命令。',
  nothingToConfirm: '当前没有等待确认的操作。发送 帮助 查看可用命令。',
  stepExpired: (restart: string): string => `上一步超过 5 分钟没有完成,已自动取消,没有做任何修改。请重新发送 ${restart}。`,
  unknown: '没看懂这条消息。发送 帮助 查看可用命令;查询绑定请发送 绑定查询。',
  roomHint: '为保护隐私,公众号绑定信息只在私聊中提供。请私聊我,发送 帮助 开始。',
  nonText: '我只能识别文字消息。发送 帮助 查看可用命令。',
  failure: '抱歉,处理你的消息时出错了,请稍后再试。如果一直这样,请联系公众号的管理员。',
  outOfService: '抱歉,公众平台安全助手暂时无法保存数据,已暂停服务,你的请求没有被处理。维护人员重启后即可恢复,请稍后再试。',
}

/** Every push, rendered from what it says; the one place a notice becomes text. */
export function renderNotice (n: Notice): string {
  switch (n.kind) {
    case 'invitation': return texts.invitation(n)
    case 'invitation-withdrawn': return texts.invitationWithdrawn(n.accountName, n.code)
    case 'invitation-accepted': return texts.invitationAcceptedNotice(n.invitee, n.accountName, n.role, n.expiresAt)
    case 'invitation-declined': return texts.invitationDeclinedNotice(n.invitee, n.accountName, n.role)
    case 'invitation-blocked': return texts.acceptanceBlockedNotice(n.invitee, n.accountName, n.role, n.refusals)
    case 'invitation-lapsed': return texts.invitationLapsedAdmin(n.invitee, n.accountName, n.role, n.code)
    case 'operator-removed': return texts.operatorRemovedNotice(n.accountName, n.role, n.adminName, n.at)
    case 'operator-unbound': return texts.adminNoticeUnbound(n)
    case 'unbound-by-other-account': return texts.unboundFromOtherAccount(n.accountName, n.role, n.by, n.at)
    case 'renewal-request': return texts.renewalRequest(n)
    case 'renewal-approved': return texts.renewalApproved(n)
    case 'renewal-refused': return texts.renewalRefused(n)
    case 'renewal-lapsed': return texts.renewalLapsed(n.accountName)
    case 'renewal-lapsed-admin': return texts.renewalLapsedAdmin(n.operator, n.accountName, n.code)
    case 'approval-request': return texts.approvalRequest(n)
    case 'approval-decided': return texts.approvalDecidedNotice(n)
    case 'approval-lapsed': return texts.approvalLapsedNotice(n.accountName, n.operation, n.expiresAt)
    case 'approval-lapsed-admin': return texts.approvalLapsedAdmin(n)
    case 'login-confirmation': return texts.loginConfirmation(n)
    case 'login-disowned': return texts.loginDisowned(n)
    case 'risk-alert': return texts.riskAlert(n)
    case 'reminder': return texts.reminder(n.accountName, n.expiresAt, n.daysLeft)
    case 'reminder-admin': return texts.reminderAdmin(n.operator, n.accountName, n.expiresAt, n.daysLeft)
    case 'short-term-ended': return texts.shortTermEnded(n.accountName, n.expiresAt, n.adminName, n.renewable)
    case 'short-term-ended-admin': return texts.shortTermEndedAdmin(n.operator, n.accountName, n.expiresAt)
    case 'delivery-failed': return texts.deliveryFailedNotice(n.recipientName, n.accountName, n.text, n.reason)
    case 'admin-assigned': return texts.adminAssigned(n)
    case 'admin-replaced': return texts.adminReplaced(n.accountName, n.newAdmin, n.at)
    case 'account-renamed': return texts.accountRenamed(n.from, n.to, n.at)
    case 'alert-digest': return texts.alertDigest(n)
    case 'lookup-notice': return texts.lookupNotice(n)
    case 'review-started': return texts.reviewStartedNotice(n)
    case 'review-reminder': return texts.reviewReminderNotice(n)
    case 'review-lapsed': return texts.reviewLapsedNotice(n)
  }
}

/** The detail of a history entry, as 操作记录 shows it after the action's label. */
export function renderHistoryDetail (e: HistoryEvent): string {
  switch (e.action) {
    case 'binding.created':
    case 'invitation.created': return `${e.wechatId} ${ROLE_LABEL[e.role]},邀请码 ${e.code}`
    case 'binding.ended':
    case 'binding.removed':
    case 'binding.expired':
    case 'binding.imported': return `${e.wechatId} ${ROLE_LABEL[e.role]}`
    case 'account.imported': return `管理员 ${e.adminWechatId}`
    case 'invitation.resent':
    case 'invitation.cancelled':
    case 'invitation.declined':
    case 'invitation.expired':
    case 'renewal.requested':
    case 'renewal.approved':
    case 'renewal.refused': return `${e.wechatId},${e.action.startsWith('renewal') ? '编号' : '邀请码'} ${e.code}`
    case 'invitation.blocked': return `${e.wechatId},${e.refusals.length} 项条件不满足(${e.refusals.join('、')})`
    case 'renewal.expired': return `编号 ${e.code}`
    case 'renewal.closed': return `${e.wechatId},编号 ${e.code}(${texts.closedReason(e.reason)})`
    case 'settings.riskProtection':
    case 'settings.riskAlerts': return e.on ? '开启' : '关闭'
    case 'settings.alertMode': return `${ALERT_TOPIC_TEXT[e.topic].label} → ${ALERT_MODE_LABEL[e.mode]}`
    case 'operation.closed': return `${texts.operationDetail(e.wechatId, e.operation, undefined)}(${texts.closedReason(e.reason)})`
    case 'login.confirmed':
    case 'login.rejected':
    case 'login.lapsed': return `${e.wechatId},编号 ${e.code}`
    case 'account.created': return `「${e.name}」,管理员 ${e.adminWechatId}`
    case 'account.renamed': return `「${e.from}」→「${e.to}」`
    case 'review.started': return `${e.count} 位长期运营者${e.scheduled ? '(到期自动开始)' : ''}`
    case 'review.completed': return [
      `保留 ${e.kept.join('、') || '无'}`,
      `移除 ${e.removed.join('、') || '无'}`,
      ...(e.gone.length > 0 ? [`已离开 ${e.gone.join('、')}`] : []),
    ].join(';')
    case 'review.lapsed': return `未决定、保留权限:${e.undecided.join('、') || '无'}`
    case 'settings.reviewInterval': return `${e.days} 天`
    case 'account.admin-changed': return `${e.from} → ${e.to}${e.endedRole ? `(${e.to} 的${ROLE_LABEL[e.endedRole]}身份随之结束)` : ''}`
    default: return texts.operationDetail(e.wechatId, e.operation, e.denied)
  }
}

const CLOSED_BECAUSE: Record<ClosedReason, string> = {
  unbound: ' 已自行解除了运营者身份',
  removed: ' 的运营者身份已被解除',
  expired: ' 的短期运营者身份已到期',
  'not-admin': ' 已不是这个公众号的管理员',
}

const CLOSED_SHORT: Record<ClosedReason, string> = {
  unbound: '运营者已自行解绑',
  removed: '运营者已被解除',
  expired: '短期运营者已到期',
  'not-admin': '已不是管理员',
}

const REACH_LABEL = { delivered: '已送达', queued: '等待发送', undeliverable: '未送达' } as const

function deliveryProblem (delivery: Exclude<Delivery, { sent: true }>): string {
  switch (delivery.reason) {
    case 'no-contact': return '对方还没有添加公众平台安全助手为好友,或还没有和助手说过话,消息发不过去。请对方添加助手并发送 我的邀请 查看并回复;之后邀请也会自动补发。'
    case 'offline': return '助手暂时离线,恢复后会自动补发;对方也可以发送 我的邀请 查看。'
    case 'busy': return '现在要发的消息较多,邀请正在排队,稍后会自动发出;对方也可以发送 我的邀请 查看。'
    case 'failed': return `微信没有接收这条消息${delivery.error ? `(${delivery.error})` : ''}。稍后会自动重试;对方也可以发送 我的邀请 查看并回复。`
  }
}

/** One failed precondition, said to the admin (about the invitee) or to the invitee (about themselves). */
function refusalText (r: Refusal, accountName: string, audience: 'admin' | 'invitee'): string {
  const who = audience === 'admin' ? '对方' : '你'
  switch (r.kind) {
    case 'is-admin':
      return `${who}是「${accountName}」的管理员,管理员已拥有全部权限,不能再绑定为运营者。`
    case 'already-bound':
      return `${who}已经是「${accountName}」的${ROLE_LABEL[r.role]}${r.expiresAt === undefined ? '' : `(${formatDateTime(r.expiresAt)} 到期)`},无需再绑定。` +
        (audience === 'admin' ? '如需改变身份,请先 解绑运营者 再邀请。' : '')
    case 'already-invited':
      return audience === 'admin'
        ? `已有一份发给对方的${ROLE_LABEL[r.role]}邀请在等待回复(邀请码 ${r.code},${formatDateTime(r.expiresAt)} 前有效)。可发送 重发邀请 再提醒一次,或 撤销邀请 后重新邀请。`
        : `你还有一份「${accountName}」的邀请(邀请码 ${r.code})在等待回复。`
    case 'not-following':
      return `${who}没有关注「${accountName}」:请${audience === 'admin' ? '对方' : ''}先在微信里搜索并关注这个公众号(注意不是同名的其他公众号;取消关注后需要重新关注)。`
    case 'no-account-protection':
      return `${who}的微信没有开启帐号保护:请在 微信 → 我 → 设置 → 帐号与安全 → 帐号保护 中开启。`
    case 'no-bank-card':
      return `${who}的微信没有绑定银行卡:请在 微信 → 我 → 服务 → 钱包 → 银行卡 中绑定一张本人的银行卡。`
    case 'slots-full':
      return `「${accountName}」的${ROLE_LABEL[r.role]}名额已满(已用 ${r.used}/${r.limit},含待回复的邀请)。` +
        (audience === 'admin' ? '请先 解绑运营者 或 撤销邀请 腾出名额' + (r.role === 'long' ? ',或改为邀请短期运营者。' : '。') : '请联系管理员腾出名额。')
    case 'user-limit':
      return `${who}已绑定或被邀请了 ${r.held} 个公众号,一个微信号最多只能做 ${r.limit} 个公众号的运营者:` +
        (audience === 'admin' ? '需要对方先解除其中一个(对方发送 绑定查询 后 解绑)。' : '请先解除其中一个(发送 绑定查询 后 解绑),或拒绝其他邀请。')
  }
}

/**
 * Names the WeChat account holding an entry when it is not the asker's own. A plain function, not a
 * closure made per reply: under tsx every named closure costs an Object.defineProperty (keepNames).
 */
function heldBy (e: LookupEntry, askerWechatId: string | undefined): string {
  return e.wechatId === askerWechatId ? '' : `(微信号 ${maskWechatId(e.wechatId)})`
}

function describeEntry (e: LookupEntry, now: Millis): string {
  if (e.role === 'admin') return '管理员'
  const bound = `${formatDate(e.boundAt!)} 绑定`
  if (e.expiresAt === undefined) return `${ROLE_LABEL[e.role]},${bound}`
  const left = Math.ceil((e.expiresAt - now) / days(1))
  return `${ROLE_LABEL[e.role]},${bound},${formatDateTime(e.expiresAt)} 到期(剩 ${left} 天)`
}

// ── the platform API (read by the platform's developers, so in English) ──

const ADMIN_REFUSAL_TEXT: Record<AdminRefusal['kind'], string> = {
  'no-account-protection': 'account protection (帐号保护) is off: they turn it on in WeChat → Me → Settings → Account Security, and the platform reports it (PATCH /v1/users/{wechatId}/security)',
  'no-bank-card': 'no bank card is bound: they bind one of their own in WeChat → Me → Services → Wallet → Cards, and the platform reports it (PATCH /v1/users/{wechatId}/security)',
}

/**
 * What is wrong with a name (domain/accounts.ts), in the two wordings its refusals use: the platform API's
 * for an account's name (`account`), and every other name field's (`name`: a person's in the API, any name
 * in an import), which has the field's own length limit. One table, so that each problem is worded for both.
 */
const NAME_PROBLEM: Record<NameProblem, { account: string, name: (max: number) => string }> = {
  empty: { account: 'is empty', name: () => 'it is empty' },
  'too-long': { account: `is longer than ${ACCOUNT_NAME_MAX} characters`, name: (max) => `longer than ${max} characters` },
  'line-break': { account: 'holds a line break or a tab (a name is one line)', name: () => 'a name is one line: no line break or tab' },
  invisible: {
    account: 'holds an invisible character (zero-width, a direction mark or a soft hyphen), which would make it look like another name',
    name: () => 'it holds an invisible character that would make it look like another name',
  },
  unstorable: { account: 'holds a control character or a broken character', name: () => 'it holds a control character or a broken character' },
  'personal-number': {
    account: 'holds what reads as a phone or ID number, which every message would show masked (so the name shown would not be the name to type): leave the number out',
    name: () => 'it holds what reads as a phone or ID number, which every message would show masked: leave the number out',
  },
}

const HEALTH_PROBLEM_TEXT: Record<HealthProblem, string> = {
  'store-failed': 'The store refuses changes: writing the data file failed. Restart the assistant once the cause is fixed (its log says what failed).',
  'store-unreachable': 'The store did not answer a read in time: check that the database is up and reachable from the assistant.',
  'logged-out': 'The bot is not logged in to WeChat: nothing is received or sent (pushes wait) until it logs in again.',
}

const WEBHOOK_URL_PROBLEM_TEXT: Record<WebhookUrlProblem, string> = {
  'not-a-url': 'it is not an absolute URL (https://host/path)',
  scheme: 'only http:// and https:// URLs are taken',
  credentials: 'put no user name or password in it (each delivery is signed with the secret instead)',
  fragment: 'a #fragment is never sent: leave it out',
  'too-long': 'it is longer than 2048 characters',
  address: 'it names an address a webhook may never reach (0.0.0.0, link-local such as the cloud metadata service 169.254.169.254, multicast)',
}

export const apiTexts = {
  unauthorized: 'Send Authorization: Bearer <the token the assistant was configured with>.',
  /** While the store refuses changes: `why` is the store's own message. */
  unavailable: (why: string): string => `${why} Nothing was done.`,
  internal: 'The assistant could not handle this request; nothing was changed unless a later GET shows it.',
  // The path is not quoted back: percent-encoding would carry a number past the last mask.
  noSuchRoute: (method: string): string => `No such endpoint for ${method}; GET /openapi.json lists every route.`,
  badPath: 'The path could not be read (a broken %-escape, or a part of it longer than 100 characters): send it percent-encoded as UTF-8. Nothing was done.',
  forbiddenJsonKeys: 'The body is valid JSON, but keys named __proto__ or constructor are not accepted (read as JavaScript objects they could change how every object ' +
    'behaves): rename them. Nothing was done.',
  unknownUser: 'No user has this WeChat ID.',
  unknownAccount: 'No official account has this id.',
  unknownOperation: 'No operation request has this id.',
  unknownLogin: 'No login has this id.',
  wechatIdTaken: 'Another user already has this WeChat ID.',
  phoneTaken: 'Another WeChat account is already bound to this mobile number; release it there first.',
  unknownAdmin: 'No user has the WeChat ID given as admin: register them first (POST /v1/users), then try again.',
  badName: (problem: AccountNameProblem): string => `not a valid account name: it ${NAME_PROBLEM[problem].account}`,
  /** Any other name field (fields.ts): a person's name, and every name in an import. */
  badNameField: (problem: NameProblem, max: number): string => `not a valid name (${NAME_PROBLEM[problem].name(max)})`,
  nameTaken: (holderId: string): string => `Another official account (${holderId}) already has this name, and names are unique: choose another one.`,
  adminRefused: (wechatId: string, refusals: readonly AdminRefusal[]): string =>
    `${wechatId} cannot be an admin yet (an admin holds every permission and approves operators' risky operations, so their WeChat must be protected): ` +
    `${refusals.map((r) => ADMIN_REFUSAL_TEXT[r.kind]).join('; ')}. Nothing was changed.`,
  adminRefusal: (r: AdminRefusal): string => ADMIN_REFUSAL_TEXT[r.kind],
  badPage: (pages: number): string => `There is no such page: at this perPage there ${pages === 1 ? 'is 1 page' : `are ${pages} pages`}; ask for page 1${pages > 1 ? ` to ${pages}` : ''}.`,
  healthProblem: (problem: HealthProblem): string => HEALTH_PROBLEM_TEXT[problem],
  badWebhookUrl: (problem: WebhookUrlProblem): string => `not a webhook URL: ${WEBHOOK_URL_PROBLEM_TEXT[problem]}. Nothing was changed.`,
  noWebhook: 'No webhook is registered: PUT /v1/webhook with { "url": "https://…" } registers one.',
  portTaken: (host: string, port: number): string =>
    `port ${port} on ${host} is already in use (another assistant, or another program, holds it). Set ASSISTANT_API_PORT to a free port, or stop what holds it.`,
  cannotListen: (host: string, port: number, why: string): string =>
    `${host}:${port} (${why}). Check ASSISTANT_API_HOST (an address of this machine) and ASSISTANT_API_PORT.`,
}
