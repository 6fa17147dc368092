// A seeded random chat: a few thousand messages from admins, operators, users without roles and a
// stranger (real commands with real and wrong arguments, every spelling of phone and ID numbers, words
// that are also Object.prototype names, odd texts), with the clock moved and the jobs run now and then.
// One message at a time: send, wait until the bot has it, wait for settled(), check, next.
//
// Reproduce a run with RANDOM_CHAT_SEED=<seed> (RANDOM_CHAT_MESSAGES=<n> for a longer or shorter one).
// The same seed sends the same messages; only the codes the assistant draws (邀请码 etc.) differ.
import test from 'ava'
import { copyFile, mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Message } from 'wechaty'
import { days, hours, minutes } from '../src/domain/calendar.js'
import { OPERATIONS } from '../src/domain/permissions.js'
import type { Logger } from '../src/log.js'
import type { Data } from '../src/store/schema.js'
import { Store } from '../src/store/store.js'
import { texts } from '../src/texts.js'
import { startWorld } from './fixture.js'
import {
  fullWidth, HOSTILE_WORDS, oddText, Random, randomIdNumber, randomPhone, show, spellIdNumber, spellPhone, wholeNumbersIn,
} from './helpers/random.js'

const SEED = Number(process.env.RANDOM_CHAT_SEED ?? 20261121)
const MESSAGES = Number(process.env.RANDOM_CHAT_MESSAGES ?? 3000)
const SETTLE_TIMEOUT = 10_000

const ADMINS = ['u_wangfang', 'u_liqiang', 'u_chenjing', 'u_liuyang']
const OPERATORS = ['u_zhangwei', 'u_zhaomin', 'u_zhaomin_home', 'u_sunli']
const NO_ROLE = ['u_zhouxiao', 'u_wutian', 'u_hexiaodong']
const STRANGER = 'stranger' // a chat contact the data file does not know
const COMMAND_WORDS = ['绑定运营者', '邀请运营者', '运营者列表', '解绑运营者', '撤销邀请', '重发邀请', '风险操作保护', '风险操作提醒', '操作记录',
  '绑定查询', '我的邀请', '解绑', '确认登录', '确认', '取消', '同意', '接受', '拒绝', '允许', '续期', '不是我', '权限复核', '复核周期', '全部保留', '保留', '移除',
  '提醒设置', '帮助', 'help']

/** One thing that happened to the world: a message from someone, or the scheduler or the platform acting. */
interface Action { step: number, from: string, text: string }

// ---------------------------------------------------------------------------------------------------
// Generators: each returns one argument, or one script (the messages one sender sends in a row).

/** `known` is the stored state after the last action: what people could know of each other, codes included. */
interface Gen { r: Random, known: Data, from: string }

const userOf = (g: Gen) => g.from === STRANGER ? undefined : g.known.users.find((u) => u.id === g.from)
const anyUser = (g: Gen) => g.r.pick(g.known.users)
const hostile = (g: Gen): string => g.r.pick(HOSTILE_WORDS)

/** Mostly `real`, sometimes a hostile word, a number or an odd text in its place. */
const arg = (g: Gen, real: () => string): string => g.r.weighted([
  [10, real],
  [3, () => hostile(g)],
  [1, () => numberArg(g)],
  [1, () => oddText(g.r)],
])

/** The sender's own phone, someone else's, a random one, or one that is not quite a phone. */
const phoneArg = (g: Gen): string => spellPhone(g.r, g.r.weighted([
  [3, () => userOf(g)?.phone ?? randomPhone(g.r)],
  [2, () => anyUser(g).phone ?? randomPhone(g.r)],
  [2, () => randomPhone(g.r)],
  [1, () => randomPhone(g.r).slice(0, 10)],
  [1, () => `${randomPhone(g.r)}${g.r.int(0, 9)}`],
  [1, () => `12${g.r.digits(9)}`],
]))

/** The sender's own ID number, someone else's, a random valid one, or one with a wrong check digit or date. */
const idArg = (g: Gen): string => spellIdNumber(g.r, g.r.weighted([
  [3, () => userOf(g)?.idNumber ?? randomIdNumber(g.r)],
  [2, () => anyUser(g).idNumber ?? randomIdNumber(g.r)],
  [2, () => randomIdNumber(g.r)],
  [1, () => { const id = randomIdNumber(g.r); return id.slice(0, 17) + (id[17] === '0' ? '1' : '0') }],
  [1, () => `110101${g.r.int(1950, 2000)}1345${g.r.digits(4)}`],
]))

const numberArg = (g: Gen): string => g.r.chance(0.55) ? phoneArg(g) : idArg(g)

const wechatIdArg = (g: Gen): string => g.r.weighted([
  [3, () => anyUser(g).wechatId],
  [1, () => anyUser(g).wechatId.toUpperCase()],
  [1, () => userOf(g)?.wechatId ?? 'nobody_here'],
  [1, () => `user_${g.r.digits(4)}`],
  [1, () => `abc${randomPhone(g.r)}`],
  [1, () => g.r.pick(['12345', 'ab', 'a'.repeat(30), '张伟', 'zhang wei', fullWidth('zhangwei_ops')])],
])

const accountNameArg = (g: Gen): string => g.r.weighted([
  [4, () => g.r.pick(g.known.accounts).name],
  [1, () => g.r.pick(['茶馆', '书店', '不存在的号', '晨光茶馆 青禾书店'])],
])

/** ' 晨光茶馆', ' constructor', or nothing: the optional account name of admin commands. */
const maybeAccount = (g: Gen): string => g.r.chance(0.5) ? ` ${arg(g, () => accountNameArg(g))}` : ''

/** The numbered answer to "which account?" (an admin with several accounts is asked). */
const accountChoice = (g: Gen): string => arg(g, () => g.r.pick(['1', '2', '3', '0', '１', ' 2 ']))

/** A 4-character code: mostly one that exists, preferably one addressed to the sender, else made up. */
const codeArg = (g: Gen): string => {
  const { known } = g
  const administered = (accountId: string): boolean => known.accounts.find((a) => a.id === accountId)?.adminUserId === g.from
  const all = [...known.invitations, ...known.renewals, ...known.approvals, ...known.logins].map((x) => x.code)
  const mine = [
    ...known.invitations.filter((i) => i.inviteeUserId === g.from),
    ...known.logins.filter((l) => l.userId === g.from),
    ...known.renewals.filter((x) => x.requestedBy === g.from || administered(x.accountId)),
    ...known.approvals.filter((x) => administered(x.accountId)),
  ].map((x) => x.code)
  return g.r.weighted([
    [4, () => g.r.pick(mine.length > 0 ? mine : all)],
    [2, () => g.r.pick(all)],
    [1, () => g.r.pick(all).toLowerCase()],
    [2, () => Array.from({ length: 4 }, () => g.r.pick([...'ABCDEFGHJKMNPQRSTUVWXYZ23456789'])).join('')],
    [2, () => hostile(g)],
    [1, () => numberArg(g)],
  ])
}

const confirmWord = (g: Gen): string => g.r.weighted([
  [6, () => '确认'],
  [2, () => '取消'],
  [2, () => hostile(g)],
  [1, () => g.r.pick(['确 认', '确认。', 'cancel', '好的', 'yes'])],
])

const menuChoice = (g: Gen): string => arg(g, () => g.r.pick(['1', '2', '3', '手机号', '身份证号', '身份证', '微信号', '4', '0', '１', ' 3 ']))
/** The value for 绑定查询: a number in any spelling, or a WeChat ID. */
const lookupValue = (g: Gen): string => arg(g, () => g.r.chance(0.75) ? numberArg(g) : wechatIdArg(g))
const smallNumber = (g: Gen): string => arg(g, () => g.r.pick(['1', '2', '3', '6', '0', '-1', '１', '99999999999999999999']))
const roleWord = (g: Gen): string => arg(g, () => g.r.pick(['长期', '短期', 'long', 'short', '长期运营者', '短期运营者', '中期']))
const switchWord = (g: Gen): string => arg(g, () => g.r.pick(['开', '关', '开启', '关闭', 'on', 'off', 'ON', '开关']))
const pageArg = (g: Gen): string => g.r.chance(0.5) ? ` ${arg(g, () => g.r.pick(['1', '2', '3', '0', '999', '-1', '1.5']))}` : ''
const space = (g: Gen): string => g.r.pick([' ', ' ', ' ', '', '  ', '\u3000', '\n'])
const sometimes = (g: Gen, make: () => string): string[] => g.r.chance(0.5) ? [make()] : []

type Script = (g: Gen) => string[]

/** An admin invites someone who follows one of their accounts: the invitation can really be made. */
const inviteFollower: Script = (g) => {
  const own = g.known.accounts.filter((a) => a.adminUserId === g.from)
  if (own.length === 0) return [`绑定运营者 ${wechatIdArg(g)} ${roleWord(g)}`]
  const account = g.r.pick(own)
  const followers = g.known.users.filter((u) => u.follows.includes(account.id) && u.id !== g.from)
  const invitee = followers.length > 0 ? g.r.pick(followers).wechatId : wechatIdArg(g)
  // A hostile role word matters most here, where the invitation is really made: so it comes more often.
  const role = g.r.chance(0.3) ? hostile(g) : roleWord(g)
  return [`绑定运营者 ${invitee} ${role}${own.length > 1 || g.r.chance(0.3) ? ` ${account.name}` : ''}`]
}

/** The scripts by weight; each is what a person might type in a row. */
const SCRIPTS: ReadonlyArray<readonly [number, Script]> = [
  [3, (g) => [arg(g, () => g.r.pick(['帮助', '菜单', 'help', 'HELP', '?', '？', '帮助 我']))]],
  [6, (g) => ['绑定查询', menuChoice(g), lookupValue(g), ...sometimes(g, () => `解绑 ${smallNumber(g)}`), ...sometimes(g, () => confirmWord(g))]],
  [6, (g) => [`绑定查询${space(g)}${lookupValue(g)}`, ...sometimes(g, () => g.r.chance(0.5) ? `解绑 ${smallNumber(g)}` : smallNumber(g)), ...sometimes(g, () => confirmWord(g))]],
  [2, (g) => [`解绑${space(g)}${smallNumber(g)}`, ...sometimes(g, () => confirmWord(g))]],
  [2, (g) => [g.r.pick(['确认', '取消', 'cancel'])]],
  [2, () => ['我的邀请']],
  [4, (g) => [`${g.r.pick(['同意', '拒绝', '接受'])}${g.r.chance(0.3) ? '' : `${space(g)}${codeArg(g)}`}`]],
  [3, (g) => [`允许${g.r.chance(0.3) ? '' : `${space(g)}${codeArg(g)}`}`]],
  [2, (g) => [`续期${g.r.chance(0.5) ? '' : ` ${smallNumber(g)}`}`]],
  [4, inviteFollower],
  [3, (g) => [`${g.r.pick(['绑定运营者', '邀请运营者'])} ${arg(g, () => wechatIdArg(g))} ${roleWord(g)}${maybeAccount(g)}`, ...sometimes(g, () => accountChoice(g))]],
  [2, (g) => [`运营者列表${maybeAccount(g)}`, ...sometimes(g, () => accountChoice(g))]],
  [3, (g) => [`解绑运营者 ${arg(g, () => wechatIdArg(g))}${maybeAccount(g)}`, ...sometimes(g, () => accountChoice(g)), confirmWord(g)]],
  [2, (g) => [`${g.r.pick(['撤销邀请', '重发邀请'])} ${arg(g, () => wechatIdArg(g))}${maybeAccount(g)}`, ...sometimes(g, () => accountChoice(g))]],
  [5, (g) => [`${g.r.pick(['风险操作保护', '风险操作提醒'])} ${switchWord(g)}${maybeAccount(g)}`, ...sometimes(g, () => accountChoice(g)), confirmWord(g)]],
  [2, (g) => [`操作记录${maybeAccount(g)}${pageArg(g)}`, ...sometimes(g, () => accountChoice(g))]],
  // Issue 11: logins, access reviews, alert modes.
  [3, (g) => [`${g.r.pick(['确认登录', '不是我'])}${g.r.chance(0.3) ? '' : `${space(g)}${codeArg(g)}`}`]],
  [2, (g) => [`权限复核${maybeAccount(g)}`, ...sometimes(g, () => accountChoice(g))]],
  [4, (g) => [`${g.r.pick(['保留', '移除', '全部保留'])} ${arg(g, () => [smallNumber(g), smallNumber(g)].join(g.r.pick([' ', ',', '、', '，'])))}${maybeAccount(g)}`, ...sometimes(g, () => accountChoice(g))]],
  [1, (g) => [`复核周期 ${arg(g, () => g.r.pick(['30', '90', '365', '29', '366', '0', '-5', '九十', '1e2', '60天']))}${maybeAccount(g)}`, ...sometimes(g, () => accountChoice(g))]],
  [2, (g) => [`风险操作提醒 ${arg(g, () => g.r.pick(['登录', '群发', '修改服务器配置', 'AppSecret', '删除']))} ${arg(g, () => g.r.pick(['即时', '汇总', '关', '开', '每天']))}${maybeAccount(g)}`, ...sometimes(g, () => accountChoice(g))]],
  [1, (g) => [`提醒设置${maybeAccount(g)}`, ...sometimes(g, () => accountChoice(g))]],
  [3, (g) => [numberArg(g)]],
  [2, (g) => [hostile(g)]],
  [3, (g) => [oddText(g.r)]],
]

/** Admins type more, so their dialogs get deep; invitees come back to answer; anyone may type anything. */
const sender = (r: Random, known: Data): string => r.weighted([
  [2, () => r.pick(known.invitations.filter((i) => i.status === 'pending').map((i) => i.inviteeUserId).concat(NO_ROLE))],
  [5, () => r.pick(ADMINS)],
  [4, () => r.pick(OPERATORS)],
  [2, () => r.pick(NO_ROLE)],
  [1, () => STRANGER],
])

const timeJump = (r: Random): number => r.weighted([
  [5, () => minutes(r.int(1, 59))],
  [3, () => hours(r.int(1, 23))],
  [1, () => days(r.int(1, 3))],
])

// ---------------------------------------------------------------------------------------------------
// Findings: one entry per distinct problem, with the first action that showed it and how often it recurred.

/** The first word a message starts with ("free text" when none). */
function commandOf (text: string): string {
  const trimmed = text.trim().toLowerCase()
  return COMMAND_WORDS.find((word) => trimmed.startsWith(word)) ?? 'free text'
}

/** What kind of text was sent: the opening words of its first line, without digits or what it quotes. */
function templateOf (text: string): string {
  const firstLine = text.trim().split('\n')[0]!
  return (firstLine.split(/[“「(( :,]/)[0] || firstLine).replace(/\d/g, '#').slice(0, 12)
}

/** How a leaked number was written in the sent text: each spelling the mask misses is its own bug. */
function spellingOf (text: string): string {
  if (/[０-９]/.test(text)) return 'full-width digits'
  if (/\d[\u200b-\u200d\u2060\ufeff]\d/.test(text)) return 'zero-width characters between digits'
  if (/[A-Za-z_]\d{11}|\d{11}[A-Za-z]/.test(text)) return 'glued to letters'
  if (/\d\s+[-－]\s+\d/.test(text)) return 'spaced dashes'
  return 'plain'
}

/** A value from the code, not for people: a handler that went wrong without throwing. */
const LEFTOVER = /\b(?:undefined|NaN|null)\b|\[object \w+\]|function\s*\w*\s*\(|Invalid (?:Date|DateTime)/

class Findings {
  readonly history: Action[] = []
  private readonly found = new Map<string, { count: number, first: string }>()

  add (check: string, kind: string, action: Action, detail: string): void {
    const id = `${check}: ${kind}`
    const seen = this.found.get(id)
    if (seen) { seen.count++; return }
    // What the sender typed just before matters: a reply depends on the dialog step they were in.
    const before = this.history.filter((a) => a.from === action.from && a.step < action.step).slice(-3).map((a) => show(a.text, 60))
    const context = before.length > 0 && !['scheduler', 'platform', 'restart'].includes(action.from) ? ` (after ${before.join(', ')})` : ''
    this.found.set(id, { count: 1, first: `#${action.step} ${action.from}: ${show(action.text)}${context}\n      ${detail}` })
  }

  /** The command a message belongs to: its own first word, or for a bare answer the sender's last command. */
  contextOf (action: Action): string {
    const own = commandOf(action.text)
    if (own !== 'free text') return own
    const last = this.history.filter((a) => a.from === action.from && a.step < action.step && commandOf(a.text) !== 'free text').at(-1)
    return last ? `free text after ${commandOf(last.text)}` : own
  }

  report (): string[] {
    return [...this.found.entries()].map(([id, p], i) => `[${i + 1}] ${id} (${p.count}×)\n    first at ${p.first}`)
  }
}

const within = async <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms) })
  try { return await Promise.race([promise, timeout]) } finally { clearTimeout(timer) }
}

// ---------------------------------------------------------------------------------------------------

test('random chat: no crash, at most one reply a message, no whole phone or ID number sent, the stored state still loads', async (t) => {
  t.timeout(240_000)
  const started = Date.now()
  const r = new Random(SEED)
  const findings = new Findings()

  const errors: string[] = []
  const log: Logger = { info: () => undefined, warn: () => undefined, error: (message, err) => errors.push(`${message}: ${err instanceof Error ? err.message : String(err)}`) }
  const world = await startWorld({ plugin: { log } })
  let stopped = false
  const stopWorld = async (): Promise<void> => { if (!stopped) { stopped = true; await world.stop() } }
  t.teardown(stopWorld)
  const store = world.store // the embedded engine's, for the checks of its data file
  let known = await world.db.document()
  const stranger = world.mocker.createContact({ name: '路人甲' })
  const nameOf = (contactId: string): string => known.users.find((u) => u.contactId === contactId)?.id ?? (contactId === stranger.id ? STRANGER : contactId)

  // Replies per incoming message id (check 2). wechaty 1.x builds one Message class per bot, so patching
  // this bot's Message.prototype.say sees every reply, the apology included, under the id of the message
  // it answers, and nothing else: pushes go through Contact.say. (Comparing inbox growth would not do:
  // pushes caused by the message land in the same inboxes.)
  const replies = new Map<string, number>()
  const messageProto = world.bot.Message.prototype as unknown as { say: (this: Message, sayable: unknown) => Promise<unknown> }
  const say = messageProto.say
  messageProto.say = function (this: Message, sayable: unknown) {
    replies.set(this.id, (replies.get(this.id) ?? 0) + 1)
    return say.call(this, sayable)
  }

  // Every text the bot sends, replies and pushes, to anyone (the stranger too): all go through the puppet.
  const outgoing: Array<{ to: string, text: string }> = []
  const puppet = world.bot.puppet as unknown as { messageSendText: (to: string, text: string) => Promise<unknown> }
  const sendText = puppet.messageSendText.bind(puppet)
  puppet.messageSendText = async (to, text) => { outgoing.push({ to, text }); return sendText(to, text) }

  // The ids of the messages the bot received for the current action. This listener is added after the
  // plugin's, so when it fires the plugin has queued the message and settled() waits for its answer.
  let receivedIds: string[] = []
  let arrived = (): void => undefined
  world.bot.on('message', (message: Message) => {
    if (message.self() || message.room()) return
    receivedIds.push(message.id)
    arrived()
  })

  const probeDir = await mkdtemp(join(tmpdir(), 'random-chat-probe-'))
  let writesSeen = store?.fileWrites
  /**
   * Check 4, as it happens: after each change the stored state loads. PostgreSQL's export is checked as a
   * data file's load is; on the embedded engine a copy of the data file opens with the real loader.
   */
  const checkStateLoads = async (action: Action): Promise<void> => {
    try {
      known = await world.db.document()
    } catch (err) {
      findings.add('the stored state loads after every change', (err as Error).message.slice(0, 120), action, String(err))
    }
    if (!store || store.fileWrites === writesSeen) return
    writesSeen = store.fileWrites
    const probe = join(probeDir, 'copy.json')
    await copyFile(world.dataFile, probe)
    // Once settled, the file must be the document, byte for byte (nothing in memory ahead of it).
    if (await readFile(probe, 'utf8') !== JSON.stringify(store.data)) {
      findings.add('the data file holds exactly what the assistant holds', 'file differs from memory', action, 'memory is ahead of the file')
    }
    try {
      await (await Store.open({ file: probe, now: world.clock.now() })).close()
    } catch (err) {
      // Invariant 8: no message may make the file unloadable. The loader lists each schema issue in
      // brackets; each is reported at the action after which it first appeared.
      const reason = (err as Error).message.replaceAll(probe, '<data file>')
      for (const issue of /\((.*)\)/.exec(reason)?.[1]?.split('; ') ?? [reason]) {
        findings.add('the data file loads after every change', issue.replace(/\.\d+\./g, '.#.').replace(/, received \w+/, '').slice(0, 120), action, `load error: ${reason.slice(0, 400)}`)
      }
    }
  }

  /** Checks 1 and 3 on every text sent since `sentFrom`, and on what was logged since `errorsFrom`. */
  const checkSent = (action: Action, sentFrom: number, errorsFrom: number): void => {
    const knownWechatIds = known.users.map((u) => u.wechatId)
    for (const { to, text } of outgoing.slice(sentFrom)) {
      // Check 1: the apology means a handler threw (reported below with the logged error, if any).
      if (text.includes(texts.failure) && errors.length === errorsFrom) findings.add('no crash', `${findings.contextOf(action)} → apology`, action, `apology sent to ${nameOf(to)}`)
      // Check 1 too: "请输入你的 undefined" is a crash the user sees, even though nothing threw.
      const leftover = LEFTOVER.exec(text)?.[0]
      if (leftover !== undefined && !action.text.includes(leftover)) {
        findings.add('no crash', `"${leftover}" in ${templateOf(text)}`, action, `sent to ${nameOf(to)}: ${show(text, 200)}`)
      }
      // Check 3 (invariant 5): a phone or ID number, however it was typed, never leaves whole.
      const whole = wholeNumbersIn(text, knownWechatIds)
      if (whole.length > 0) {
        findings.add('no whole phone or ID number in a sent text', `${templateOf(text)} (${spellingOf(text)})`, action,
          `sent to ${nameOf(to)}: ${show(text, 200)} — whole number ${whole[0]}`)
      }
    }
    // Check 1: a handler, job or push that failed is logged even when the user gets no apology.
    for (const error of errors.slice(errorsFrom)) {
      const reason = error.replace(/^handling message \S+ from \S+ failed: /, '').split('\n')[0]!.slice(0, 100)
      findings.add('no crash', reason, action, `logged: ${error.slice(0, 300)}`)
    }
  }

  /** Runs one action and checks what came of it; false when the world stopped answering. */
  const act = async (action: Action, run: () => Promise<void>): Promise<boolean> => {
    findings.history.push(action)
    const [sentFrom, errorsFrom] = [outgoing.length, errors.length]
    try {
      await run()
    } catch (err) {
      findings.add('no crash', `${action.from} → ${(err as Error).message.slice(0, 80)}`, action, String(err))
    }
    // Check 1: the world keeps answering; a hung handler, write or push shows here.
    const settled = await within(world.settled(), SETTLE_TIMEOUT) !== 'timeout'
    if (!settled) findings.add('no crash', 'settled() never resolved', action, `still busy after ${SETTLE_TIMEOUT} ms; the run stops here`)
    checkSent(action, sentFrom, errorsFrom)
    await checkStateLoads(action)
    return settled
  }

  /** A person sends one message; it is answered, and every push it caused delivered, before the next. */
  const message = (step: number, from: string, text: string): Promise<boolean> => {
    world.clock.advance(r.int(1, 20) * 1000)
    const action = { step, from, text }
    return act(action, async () => {
      receivedIds = []
      const sentFrom = outgoing.length
      const received = new Promise<void>((resolve) => { arrived = resolve })
      if (from === STRANGER) stranger.say(text).to(world.botContact)
      else world.send(from, text)
      if (await within(received, 5_000) === 'timeout') throw new Error('the mock puppet never delivered the message to the bot')
      await within(world.settled(), SETTLE_TIMEOUT)
      // Check 2: exactly one reply. Two are a double answer; none is a message dropped on the floor.
      const count = receivedIds.reduce((sum, id) => sum + (replies.get(id) ?? 0), 0)
      if (count !== 1) findings.add(count > 1 ? 'at most one reply per message' : 'every message is answered', `${findings.contextOf(action)} → ${count} replies`, action, `sent: ${outgoing.slice(sentFrom).map((o) => show(o.text, 80)).join(' | ') || 'nothing'}`)
    })
  }

  /** The scheduler's turn: the clock jumps, then the jobs run as the schedule would run them. */
  const passTime = (step: number): Promise<boolean> => {
    const jump = timeJump(r)
    world.clock.advance(jump)
    return act({ step, from: 'scheduler', text: `clock +${Math.round(jump / 60_000)} min, then expirySweep, reminders, alertDigest, accessReviews, outbox` }, async () => {
      await world.assistant.jobs.expirySweep(world.clock.now())
      await world.assistant.jobs.reminders(world.clock.now())
      await world.assistant.jobs.alertDigest(world.clock.now())
      await world.assistant.jobs.accessReviews(world.clock.now())
      await world.assistant.jobs.outbox(world.clock.now())
    })
  }

  /** The platform's turn: someone logs in or mass-sends, so approval requests (允许 codes) and alerts exist. */
  const platformAsks = (step: number): Promise<boolean> => {
    const account = r.pick(known.accounts)
    const asker = r.pick([...OPERATORS, ...NO_ROLE, ...ADMINS])
    const wechatId = known.users.find((u) => u.id === asker)!.wechatId
    const operation = r.weighted([[6, () => r.pick(['login', 'mass-send'] as const)], [1, () => r.pick(OPERATIONS)]])
    const login = r.chance(0.3)
    return act({ step, from: 'platform', text: login ? `login asked of ${wechatId} on ${account.id}` : `${operation} by ${wechatId} on ${account.id}` }, async () => {
      if (login) await world.assistant.platform.logins.request(account.id, wechatId)
      else await world.assistant.platform.operations.request(account.id, wechatId, operation)
    })
  }

  let step = 0
  let going = true
  while (going && step < MESSAGES) {
    if (r.chance(0.03)) going &&= await passTime(step)
    if (r.chance(0.04)) going &&= await platformAsks(step)
    const from = sender(r, known)
    const script = r.weighted(SCRIPTS.map(([weight, make]) => [weight, () => make] as const))
    for (const text of script({ r, known, from })) {
      if (!going || step >= MESSAGES) break
      going = await message(step++, from, text)
    }
  }
  const chatSeconds = (Date.now() - started) / 1000

  // Check 4 (invariant 8): whatever was typed, the data file opens again and the assistant answers on it.
  await stopWorld()
  const restart = { step, from: 'restart', text: `startWorld({ storage }) after ${step} messages` }
  try {
    const again = await startWorld({ storage: world.storage, clock: world.clock })
    t.teardown(again.stop)
    const help = await again.ask('u_wangfang', '帮助')
    if (!help.includes('绑定查询')) findings.add('the data file still loads afterwards', 'no menu', restart, `帮助 answered ${show(help)}`)
  } catch (err) {
    findings.add('the data file still loads afterwards', 'start-up refused', restart, `start-up failed: ${(err as Error).message.slice(0, 600)}`)
  }

  t.log(`seed ${SEED}: ${step} messages in ${chatSeconds.toFixed(1)} s (${((Date.now() - started) / 1000).toFixed(1)} s in all), ` +
    `${store ? `${store.fileWrites} file writes` : 'on PostgreSQL'}, ${outgoing.length} texts sent`)
  const found = findings.report()
  if (found.length > 0) {
    t.fail(`random chat with seed ${SEED} (RANDOM_CHAT_SEED=${SEED} to reproduce) found ${found.length} distinct problems:\n${found.join('\n')}`)
  } else {
    t.pass()
  }
})
