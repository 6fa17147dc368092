// Dialog state per sender as plain data: which step they are on, what it needs, and when it lapses.
import type { Millis } from '../domain/calendar.js'
import { minutes } from '../domain/calendar.js'
import { windowOpen } from '../domain/deadlines.js'
import type { IdentifierKind } from '../domain/identity.js'
import type { OperatorRole } from '../domain/roles.js'
import type { DialogService } from '../services/dialogs.js'
import type { DialogRecord } from '../services/dialogs.js'
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

/**
 * The step is still alive at `now`: not past its 5 minutes, and not set before the clock was set back (a
 * pending 确认 would otherwise stay confirmable for the jump's hours; it lapses as any other step).
 */
export function stepAlive (dialog: Dialog, now: Millis): boolean {
  return windowOpen(dialog.expiresAt, STEP_TTL, now)
}

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

/** The steps as the bot types them, kept by the store through the dialog service (the bot never touches the store). */
export class Dialogs {
  constructor (private readonly service: DialogService) {}

  /** A step as the store keeps it, typed: only the bot writes steps, always as a DialogStep, so what comes back is one. */
  static typed (record: DialogRecord | undefined): Dialog | undefined {
    return record as Dialog | undefined
  }

  set (sender: string, step: DialogStep, now: Millis): Promise<void> {
    return this.service.set(sender, step, now + STEP_TTL)
  }

  clear (sender: string): Promise<void> {
    return this.service.clear(sender)
  }
}
