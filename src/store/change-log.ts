// What one change did to the document, so that a change found invalid can be undone before anything
// of it reaches the file.
import type { Collection } from './consistency.js'
import type { Data } from './schema.js'

type AnyRecord = Data[Collection][number]

export class ChangeLog {
  private readonly before = new Map<AnyRecord, { collection: Collection, snapshot: AnyRecord }>()
  private readonly added = new Map<AnyRecord, Collection>()
  private readonly replaced = new Map<Collection, AnyRecord[]>()

  /** `changingInPlace` hears of every record about to be changed in place (the file encoder re-encodes those). */
  constructor (private readonly changingInPlace: (record: AnyRecord) => void = () => undefined) {}

  /** Call before changing a record in place. */
  updating (collection: Collection, record: AnyRecord): void {
    if (this.before.has(record) || this.added.has(record)) return
    this.before.set(record, { collection, snapshot: structuredClone(record) })
    this.changingInPlace(record)
  }

  adding (collection: Collection, record: AnyRecord): void {
    this.added.set(record, collection)
  }

  /** Call before a collection's array is swapped for another (pruning). */
  replacing (collection: Collection, records: AnyRecord[]): void {
    if (!this.replaced.has(collection)) this.replaced.set(collection, records)
  }

  /** Set when records were dropped without their indexes being kept: they are made again after the change. */
  reindex = false

  /** Nothing was added, changed or dropped. */
  get empty (): boolean {
    return this.added.size === 0 && this.before.size === 0 && this.replaced.size === 0
  }

  /** The records added or changed, each once, to be validated. */
  touched (): Array<{ collection: Collection, record: AnyRecord }> {
    return [
      ...[...this.added].map(([record, collection]) => ({ collection, record })),
      ...[...this.before].map(([record, { collection }]) => ({ collection, record })),
    ]
  }

  /** Puts the document back as it was before the change. */
  undo (data: Data): void {
    const lists = data as unknown as Record<Collection, AnyRecord[]>
    for (const [collection, records] of this.replaced) lists[collection] = records
    for (const [record, collection] of this.added) {
      const list = lists[collection]
      const at = list.lastIndexOf(record)
      if (at >= 0) list.splice(at, 1)
    }
    for (const [record, { snapshot }] of this.before) {
      for (const key of Object.keys(record)) delete (record as Record<string, unknown>)[key]
      Object.assign(record, snapshot)
    }
  }
}
