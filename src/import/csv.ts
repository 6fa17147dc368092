// A small RFC 4180 reader (no CSV library is installed; csv-parse would be the one to add): comma
// separated, fields in double quotes may hold commas, line breaks and "" for a quote; CRLF, LF or CR
// ends a record; a leading BOM (Excel's "CSV UTF-8") is skipped. Each record keeps the line it starts
// on, so that a refusal can name it. Pure.

export type CsvRecord =
  | { line: number, cells: string[] }
  /** Too long to be a row of people (a pasted document, a broken export): its cells are not kept. */
  | { line: number, tooLong: number }
  /** A quoted field followed by more text before the comma (`"abc"def`): what was meant is unclear. */
  | { line: number, textAfterQuote: true }

export type CsvReading =
  | { ok: true, records: CsvRecord[] }
  /** A quote opened on `line` is never closed: everything after it would be one field. */
  | { ok: false, line: number }

const FIELD_END = /[,\r\n]/g
const LINE_BREAKS = /\r\n|\r|\n/g

export function readCsv (text: string, maxRecordChars: number): CsvReading {
  const records: CsvRecord[] = []
  const n = text.length
  let i = text.charCodeAt(0) === 0xFEFF ? 1 : 0
  let line = 1
  while (i < n) {
    const start = i
    const startLine = line
    const cells: string[] = []
    let textAfterQuote = false
    for (;;) {
      let cell: string
      if (text[i] === '"') {
        const close = closingQuote(text, i + 1)
        if (close === undefined) return { ok: false, line: startLine }
        cell = text.slice(i + 1, close).replaceAll('""', '"')
        line += cell.match(LINE_BREAKS)?.length ?? 0
        i = close + 1
        if (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          textAfterQuote = true
          i = fieldEnd(text, i)
        }
      } else {
        const end = fieldEnd(text, i)
        cell = text.slice(i, end)
        i = end
      }
      cells.push(cell)
      if (i >= n) break
      if (text[i] === ',') {
        i++
        continue // a comma at the very end: one more, empty field, read at the top
      }
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1
      line++
      break
    }
    const length = i - start
    if (length > maxRecordChars) records.push({ line: startLine, tooLong: length })
    else if (textAfterQuote) records.push({ line: startLine, textAfterQuote })
    else records.push({ line: startLine, cells })
  }
  return { ok: true, records }
}

/** Where the next comma or line break is (or the end). */
function fieldEnd (text: string, from: number): number {
  FIELD_END.lastIndex = from
  return FIELD_END.exec(text)?.index ?? text.length
}

/** The quote that closes a quoted field opened just before `from` ("" inside is an escaped quote), if any. */
function closingQuote (text: string, from: number): number | undefined {
  let at = from
  for (;;) {
    const quote = text.indexOf('"', at)
    if (quote === -1) return undefined
    if (text[quote + 1] !== '"') return quote
    at = quote + 2
  }
}
