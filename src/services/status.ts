// Whether the assistant can take changes now, and how much it holds (for the start-up log line).
import type { Holdings } from '../store/contract.js'
import type { ServiceContext } from './context.js'

export type { Holdings }

export class StatusService {
  constructor (private readonly ctx: ServiceContext) {}

  /** Why nothing may be answered from memory now (the data file failed and memory may be ahead of it). */
  failure (): Error | undefined {
    return this.ctx.engine.failure()
  }

  async holdings (): Promise<Holdings> {
    return this.ctx.engine.counts()
  }
}
