// A sender's pending conversation step, kept by the store (so a restart or another process keeps it):
// the bot reads and writes its dialog steps only through here, never the store itself.
import type { Millis } from '../domain/calendar.js'
import type { DialogRecord } from '../store/contract.js'
import type { ServiceContext } from './context.js'

export type { DialogRecord }

export class DialogService {
  constructor (private readonly ctx: Pick<ServiceContext, 'engine'>) {}

  set (sender: string, step: { step: string, data: unknown }, expiresAt: Millis): Promise<void> {
    return this.ctx.engine.setDialog(sender, step, expiresAt)
  }

  clear (sender: string): Promise<void> {
    return this.ctx.engine.clearDialog(sender)
  }
}
