// One delivery pass at a time (the chat outbox's, the webhook's): a pass asked for while one runs is run
// once more after it, so nothing queued meanwhile waits for the next schedule.
export class SinglePass {
  private running: Promise<void> | undefined
  private again = false

  constructor (private readonly pass: () => Promise<void>, private readonly onError: (err: unknown) => void) {}

  /** Starts a pass unless one is under way (then another follows it); resolves when the pass under way is over. */
  run (): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.pass().finally(() => {
      this.running = undefined
      if (this.again) {
        this.again = false
        this.kick()
      }
    })
    return this.running
  }

  /** From within a pass: one more pass after it (what it gave back is sent without waiting for the schedule). */
  followUp (): void {
    this.again = true
  }

  /** `run`, never waited for: a failure is reported, not thrown. */
  kick (): void {
    this.run().catch(this.onError)
  }

  /** Resolves once no pass runs (one that follows the one awaited is awaited too). */
  async idle (): Promise<void> {
    while (this.running) await this.running.catch(() => undefined) // its failure is reported where it was kicked
  }

  get busy (): boolean {
    return this.running !== undefined
  }
}
