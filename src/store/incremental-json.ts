// Encodes the data document as UTF-8 JSON, re-encoding only the stretches of its record lists that
// changed since the previous encoding. Stringifying and encoding the whole document blocked the event
// loop for tens of milliseconds per write at 10,000 users (hundreds at 100,000); a change to one record
// now costs one chunk. The bytes are exactly those of `JSON.stringify(document)`.

/** Records per chunk: small enough to re-encode in well under a millisecond, few enough chunks to write. */
const RECORDS_PER_CHUNK = 128

interface Chunk {
  /** The records encoded, in order: the chunk stands while the list holds these same objects here. */
  readonly records: readonly unknown[]
  readonly bytes: Buffer
  /** One of its records was changed in place since it was encoded. */
  stale: boolean
}

export class IncrementalJson {
  /** Each list's chunks, by the document's key. */
  private chunks = new Map<string, Array<Chunk | undefined>>()
  /** The chunk each record was last encoded in, so that a change in place can spoil it. */
  private chunkOf = new WeakMap<object, Chunk>()

  constructor (private readonly recordsPerChunk = RECORDS_PER_CHUNK) {}

  /**
   * Call for every record changed in place since the last encoding, before the next one. Records added,
   * dropped or moved need no call: a chunk whose places hold other objects is encoded again anyway.
   */
  changedInPlace (record: object): void {
    const chunk = this.chunkOf.get(record)
    if (chunk) chunk.stale = true
  }

  /** The document's JSON as a list of byte buffers, to be written one after another. */
  encode (document: unknown): Buffer[] {
    if (!isPlainObject(document)) return [Buffer.from(JSON.stringify(document) ?? 'null')]
    try {
      return this.encodeObject(document)
    } catch (err) {
      // Nothing half-updated may stand for the next encoding: start again from nothing.
      this.chunks = new Map()
      this.chunkOf = new WeakMap()
      throw err
    }
  }

  /**
   * Encodes chunks not encoded yet until `deadline` (a performance.now() time), so that the first write
   * need not encode the whole document in one block; true once every chunk is ready. Like `encode`, call
   * it only while the document holds no half-made change.
   */
  prepare (document: unknown, deadline: number): boolean {
    if (!isPlainObject(document)) return true
    for (const [key, value] of Object.entries(document)) {
      if (!Array.isArray(value) || 'toJSON' in value) continue
      let chunks = this.chunks.get(key)
      if (!chunks) this.chunks.set(key, chunks = [])
      for (let start = 0, k = 0; start < value.length; start += this.recordsPerChunk, k++) {
        const end = Math.min(start + this.recordsPerChunk, value.length)
        const kept = chunks[k]
        if (kept && !kept.stale && holdsSame(kept.records, value, start, end)) continue
        chunks[k] = this.encodeChunk(value.slice(start, end))
        if (performance.now() >= deadline) return false // at least one chunk a call, however late
      }
    }
    return true
  }

  private encodeObject (document: Record<string, unknown>): Buffer[] {
    const out: Buffer[] = []
    const chunks = new Map<string, Array<Chunk | undefined>>()
    let first = true
    for (const [key, value] of Object.entries(document)) {
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue // as JSON.stringify leaves them out
      out.push(Buffer.from(`${first ? '{' : ','}${JSON.stringify(key)}:`)) // keys are few: no cache
      first = false
      if (!Array.isArray(value) || 'toJSON' in value) {
        out.push(Buffer.from(JSON.stringify(value)))
        continue
      }
      const listChunks = this.encodeList(value, this.chunks.get(key) ?? [])
      chunks.set(key, listChunks)
      out.push(OPEN_LIST)
      listChunks.forEach((chunk, k) => { if (k > 0) out.push(COMMA); out.push(chunk.bytes) })
      out.push(CLOSE_LIST)
    }
    out.push(Buffer.from(first ? '{}' : '}'))
    this.chunks = chunks
    return out
  }

  /** `before` may have gaps (chunks `prepare` has not reached). */
  private encodeList (list: readonly unknown[], before: ReadonlyArray<Chunk | undefined>): Chunk[] {
    const chunks: Chunk[] = []
    for (let start = 0, k = 0; start < list.length; start += this.recordsPerChunk, k++) {
      const end = Math.min(start + this.recordsPerChunk, list.length)
      const kept = before[k]
      chunks.push(kept && !kept.stale && holdsSame(kept.records, list, start, end) ? kept : this.encodeChunk(list.slice(start, end)))
    }
    return chunks
  }

  private encodeChunk (records: unknown[]): Chunk {
    const text = JSON.stringify(records) // `[a,b,c]`: the brackets are left out below
    const encoded = Buffer.from(text)
    const chunk: Chunk = { records, bytes: encoded.subarray(1, encoded.length - 1), stale: false }
    for (const record of records) if (typeof record === 'object' && record !== null) this.chunkOf.set(record, chunk)
    return chunk
  }
}

const COMMA = Buffer.from(',')
const OPEN_LIST = Buffer.from('[')
const CLOSE_LIST = Buffer.from(']')

function holdsSame (records: readonly unknown[], list: readonly unknown[], start: number, end: number): boolean {
  if (records.length !== end - start) return false
  for (let i = start; i < end; i++) if (records[i - start] !== list[i]) return false
  return true
}

/** An object JSON.stringify writes key by key: not an array, not one with its own toJSON. */
function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return (proto === Object.prototype || proto === null) && !('toJSON' in value)
}
