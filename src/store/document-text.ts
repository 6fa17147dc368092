// The data file's text, made from cached text of each record: a change re-serialises only the records
// it touched instead of the whole document, so a write blocks the event loop for far less time. The
// result is exactly JSON.stringify(document) (a test checks it after random changes).

export class DocumentText {
  private readonly cache = new WeakMap<object, string>()

  /** A record that changed (or may have) is serialised again at the next write. */
  forget (record: object): void {
    this.cache.delete(record)
  }

  of (document: object): string {
    const parts: string[] = []
    for (const [key, value] of Object.entries(document)) {
      if (value === undefined) continue
      parts.push(`${JSON.stringify(key)}:${Array.isArray(value) ? this.list(value) : JSON.stringify(value)}`)
    }
    return `{${parts.join(',')}}`
  }

  private list (records: unknown[]): string {
    const texts = new Array<string>(records.length)
    for (let i = 0; i < records.length; i++) {
      const record = records[i]
      if (record === null || typeof record !== 'object') {
        texts[i] = JSON.stringify(record) ?? 'null'
        continue
      }
      let text = this.cache.get(record)
      if (text === undefined) {
        text = JSON.stringify(record)
        this.cache.set(record, text)
      }
      texts[i] = text
    }
    return `[${texts.join(',')}]`
  }
}
