// Dialog state per sender as plain data: which step they are on, what it needs, and when it lapses.
import type { Millis } from '../domain/calendar.js'
import { minutes } from '../domain/calendar.js'
import type { IdentifierKind } from '../domain/identity.js'
import type { OperatorRole } from '../domain/roles.js'
import type { LookupEntry } from '../services/lookup.js'
import type { Setting } from '../texts.js'

export interface UnbindChoice {
  bindingId: string
  accountName: string
  role: OperatorRole
  /** Named in the confirmation when the binding is on another of the asker's WeChat accounts. */
  wechatId: string | undefined
  /** The lookup results it was picked from, so that 解绑 M can still pick another. */
  entries: LookupEntry[]
}

export const STEP_TTL = minutes(5)

export type DialogStep =
  | { step: 'lookup.method', data: Record<string, never> }
  | { step: 'lookup.value', data: { kind: IdentifierKind } }
  | { step: 'lookup.results', data: { entries: LookupEntry[] } }
  | { step: 'unbind.confirm', data: UnbindChoice }
  | { step: 'admin.account', data: { command: string, args: string[], accountIds: string[] } }
  | { step: 'remove.confirm', data: { accountId: string, bindingId: string } }
  | { step: 'settings.confirm', data: { accountId: string, setting: Setting, on: boolean } }

export type Dialog = DialogStep & { expiresAt: Millis }

/** The command that starts each step's dialog again, for the "step expired" reply. */
export const RESTART: Record<DialogStep['step'], string> = {
  'lookup.method': '绑定查询',
  'lookup.value': '绑定查询',
  'lookup.results': '绑定查询',
  'unbind.confirm': '绑定查询',
  'admin.account': '刚才的命令(可在最后加上公众号名称)',
  'remove.confirm': '解绑运营者 微信号',
  'settings.confirm': '风险操作保护 或 风险操作提醒',
}

export class Dialogs {
  private readonly bySender = new Map<string, Dialog>()

  get (sender: string): Dialog | undefined {
    return this.bySender.get(sender)
  }

  set (sender: string, step: DialogStep, now: Millis): void {
    this.bySender.set(sender, { ...step, expiresAt: now + STEP_TTL } as Dialog)
  }

  clear (sender: string): void {
    this.bySender.delete(sender)
  }

  /** Forgets steps that lapsed before `cutoff`; later ones are kept to answer "that step expired". */
  forget (cutoff: Millis): void {
    for (const [sender, dialog] of this.bySender) if (dialog.expiresAt < cutoff) this.bySender.delete(sender)
  }
}
