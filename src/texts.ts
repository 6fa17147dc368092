// Every text a person reads from the assistant: replies and pushes, in one place.
import { formatDate, formatDateTime, formatTimeFrom, days } from './domain/calendar.js'
import type { Millis } from './domain/calendar.js'
import { maskIdentifier, maskWechatId } from './domain/identity.js'
import type { FormatProblem, Identifier, IdentifierKind } from './domain/identity.js'
import { ROLE_LABEL } from './domain/roles.js'
import type { OperatorRole } from './domain/roles.js'
import type { LookupEntry } from './services/lookup.js'

export const KIND_LABEL: Record<IdentifierKind, string> = {
  phone: '手机号',
  idNumber: '身份证号',
  wechatId: '微信号',
}

const FORMAT_HINT: Record<FormatProblem, string> = {
  'phone.length': '手机号格式不对:应为 11 位数字,以 1 开头(可带 +86),例如 13800138000。',
  'phone.prefix': '手机号格式不对:中国大陆手机号以 13–19 开头,例如 13800138000。',
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
  phone: '11 位手机号,例如 13800138000',
  idNumber: '18 位身份证号,最后一位可以是 X',
  wechatId: '微信号(在 微信 → 我 页面的头像旁可以看到),6–20 个字符,以字母开头',
}

const RETYPE = '请重新输入,或回复 取消 退出。'

export const texts = {
  help: (adminOf: string[]): string => [
    '公众平台安全助手可以帮你:',
    '· 绑定查询 — 查看你的手机号、身份证号或微信号绑定了哪些公众号(也可以直接发送 绑定查询 13800138000)',
    '· 解绑 序号 — 查询后解除你在某个公众号的运营者身份',
    '· 取消 — 退出当前步骤',
    '· 帮助 — 显示本菜单',
    ...(adminOf.length > 0
      ? ['', `你是${adminOf.map((name) => `「${name}」`).join('')}的管理员:运营者解除绑定时,你会收到通知。`]
      : []),
    '',
    '为保护隐私,你只能查询本人的信息;手机号和身份证号在回复中会打码显示。',
  ].join('\n'),

  chooseMethod: '请选择查询方式,回复序号:\n1 手机号\n2 身份证号\n3 微信号\n(回复 取消 退出)',
  badMethod: '请回复 1、2 或 3 选择查询方式:\n1 手机号\n2 身份证号\n3 微信号\n(回复 取消 退出)',
  askValue: (kind: IdentifierKind): string => `请输入你的${KIND_EXAMPLE[kind]}。`,
  badFormat: (problem: FormatProblem, kind: IdentifierKind | undefined, inDialog: boolean): string => {
    const hint = FORMAT_HINT[problem]
    if (kind === undefined) return `${hint}请发送 绑定查询,按提示选择查询方式。`
    return inDialog ? `${hint}${RETYPE}` : `${hint}也可以只发送 绑定查询,按提示一步步查询。`
  },
  rateLimited: (limit: { max: number, windowMs: number }, retryAt: Millis, now: Millis): string =>
    `查询太频繁:每 ${Math.round(limit.windowMs / 60_000)} 分钟最多查询 ${limit.max} 次。请在 ${formatTimeFrom(retryAt, now)} 之后再试。`,

  /** `askerWechatId`: entries held by another of the asker's WeChat accounts name that account. */
  lookupResult: (p: { identifier: Identifier, active: LookupEntry[], lapsed: LookupEntry[], askerWechatId: string | undefined, now: Millis }): string => {
    const { active, lapsed, now } = p
    const subject = `${KIND_LABEL[p.identifier.kind]} ${maskIdentifier(p.identifier)} `
    const holder = (e: LookupEntry): string => e.wechatId === p.askerWechatId ? '' : `(微信号 ${maskWechatId(e.wechatId)})`
    if (active.length === 0 && lapsed.length === 0) {
      return `未查询到${subject}绑定的公众号。\n提示:绑定查询只能查你本人的手机号、身份证号或微信号。`
    }
    const lines: string[] = []
    if (active.length === 0) lines.push(`${subject}目前没有有效的绑定。`)
    else {
      lines.push(`${subject}绑定的公众号(共 ${active.length} 个):`)
      active.forEach((e, i) => lines.push(`${i + 1}. ${e.accountName} — ${describeEntry(e, now)}${holder(e)}`))
    }
    if (lapsed.length > 0) {
      lines.push('', '已到期(不能再登录和群发):')
      for (const e of lapsed) {
        lines.push(`· ${e.accountName} — 短期运营者,${formatDateTime(e.expiresAt!)} 到期${holder(e)};如需继续运营,请联系该公众号的管理员重新邀请。`)
      }
    }
    if (active.some((e) => e.role !== 'admin')) lines.push('', '如需解除运营者身份,回复 解绑 序号,例如 解绑 1。')
    return lines.join('\n')
  },

  unbindNeedsLookup: '请先发送 绑定查询,在查询结果里找到要解绑的公众号,再回复 解绑 序号。',
  unbindNeedsNumber: (count: number): string => `请回复 解绑 序号(1–${count}),例如 解绑 1。`,
  unbindBadNumber: (n: string, count: number): string =>
    `查询结果里没有序号 ${n}(共 ${count} 个)。请回复 解绑 1${count > 1 ? ` 到 解绑 ${count}` : ''} 之间的序号。`,
  unbindAdmin: (accountName: string): string =>
    `你是「${accountName}」的管理员。管理员身份不能在这里解除(更换管理员请在公众平台 设置 → 人员设置 中操作)。这里只能解除运营者身份。`,
  unbindConfirm: (accountName: string, role: OperatorRole, wechatId: string | undefined): string =>
    `确认解除${wechatId ? `微信号 ${maskWechatId(wechatId)} ` : '你'}在「${accountName}」的${ROLE_LABEL[role]}身份吗?` +
    '解除后将不能再登录和群发这个公众号。\n回复 确认 解除,回复 取消 保留(5 分钟内有效)。',
  unbindDone: (accountName: string, role: OperatorRole, at: Millis): string =>
    `已解除你在「${accountName}」的${ROLE_LABEL[role]}身份(${formatDateTime(at)})。该公众号的管理员会收到通知。`,
  unbindAlreadyEnded: (accountName: string, role: OperatorRole): string =>
    `你在「${accountName}」的${ROLE_LABEL[role]}身份已经失效(已解除或已到期),无需再解绑。发送 绑定查询 可查看最新情况。`,
  unbindNotYours: '这条绑定不属于你,无法解除。请重新发送 绑定查询。',
  adminNoticeUnbound: (p: { operatorName: string, wechatId: string, accountName: string, role: OperatorRole, at: Millis }): string =>
    `运营者解绑通知\n${p.operatorName}(微信号 ${p.wechatId})已于 ${formatDateTime(p.at)} 自行解除在「${p.accountName}」的${ROLE_LABEL[p.role]}身份。` +
    '\n该微信号已不能登录和群发这个公众号。',

  cancelled: '已取消,没有做任何修改。',
  nothingToCancel: '当前没有进行中的操作。发送 帮助 查看可用命令。',
  nothingToConfirm: '当前没有等待确认的操作。发送 帮助 查看可用命令。',
  stepExpired: (restart: string): string => `上一步超过 5 分钟没有完成,已自动取消,没有做任何修改。请重新发送 ${restart}。`,
  unknown: (text: string): string => `没看懂“${text.length > 20 ? `${text.slice(0, 20)}…` : text}”。发送 帮助 查看可用命令。`,
  roomHint: '为保护隐私,公众号绑定信息只在私聊中提供。请私聊我,发送 帮助 开始。',
  nonText: '我只能识别文字消息。发送 帮助 查看可用命令。',
  failure: '抱歉,处理你的消息时出错了,请稍后再试。如果一直这样,请联系公众号的管理员。',
}

function describeEntry (e: LookupEntry, now: Millis): string {
  if (e.role === 'admin') return '管理员'
  const bound = `${formatDate(e.boundAt!)} 绑定`
  if (e.expiresAt === undefined) return `${ROLE_LABEL[e.role]},${bound}`
  const left = Math.ceil((e.expiresAt - now) / days(1))
  return `${ROLE_LABEL[e.role]},${bound},${formatDateTime(e.expiresAt)} 到期(剩 ${left} 天)`
}
