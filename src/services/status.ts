// Whether the assistant can take changes now, and how much it holds (for the start-up log line).
import type { ServiceContext } from './context.js'

export interface Holdings {
  accounts: number
  bindings: number
}

export class StatusService {
  constructor (private readonly ctx: ServiceContext) {}

  /** Why nothing may be answered from memory now (the data file failed and memory may be ahead of it). */
  failure (): Error | undefined {
    return this.ctx.engine.failure()
  }

  holdings (): Holdings {
    // contract lacks counts of all accounts and bindings: read from the embedded store for now.
    const { data } = this.ctx.store
    return { accounts: data.accounts.length, bindings: data.bindings.length }
  }
}
