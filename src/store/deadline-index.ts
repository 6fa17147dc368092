// Records ordered by a deadline, so that the jobs find what is due without reading every record: the
// expiry sweep and the reminders ask for what falls due by a time, and get just that.

export class DeadlineIndex<R extends object> {
  private readonly entries: Array<{ at: number, record: R }> = []
  /** Where each record was placed, to find it again by binary search when it changes. */
  private readonly placedAt = new Map<R, number>()

  /** `deadline` is the record's due time while it belongs here, undefined when it does not. */
  constructor (private readonly deadline: (record: R) => number | undefined) {}

  /** Fills an empty index at once (one sort instead of an insertion each). */
  fill (records: Iterable<R>): void {
    for (const record of records) {
      const at = this.deadline(record)
      if (at === undefined || Number.isNaN(at)) continue
      this.entries.push({ at, record })
      this.placedAt.set(record, at)
    }
    this.entries.sort((a, b) => a.at - b.at)
  }

  /** Puts the record where its deadline says, or leaves it out; call after every change to it. */
  place (record: R): void {
    this.remove(record)
    const at = this.deadline(record)
    if (at === undefined || Number.isNaN(at)) return
    this.entries.splice(this.firstAfter(at), 0, { at, record })
    this.placedAt.set(record, at)
  }

  remove (record: R): void {
    const at = this.placedAt.get(record)
    if (at === undefined) return
    this.placedAt.delete(record)
    for (let i = this.firstAfter(at) - 1; i >= 0 && this.entries[i]!.at === at; i--) {
      if (this.entries[i]!.record === record) return void this.entries.splice(i, 1)
    }
  }

  /** The records due at or before `time`, earliest first. */
  dueBy (time: number): R[] {
    return this.entries.slice(0, this.firstAfter(time)).map((e) => e.record)
  }

  clear (): void {
    this.entries.length = 0
    this.placedAt.clear()
  }


  /** The index of the first entry due after `at`. */
  private firstAfter (at: number): number {
    let low = 0
    let high = this.entries.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.entries[mid]!.at <= at) low = mid + 1
      else high = mid
    }
    return low
  }
}
