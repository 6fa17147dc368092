// The import's CSV reader. The format (RFC 4180) is csv-parse's to read, a well-kept parser, rather than
// a hand-written one: comma separated, fields in double quotes may hold commas, line breaks and "" for a
// quote; CRLF, LF or CR ends a record; a leading BOM (Excel's "CSV UTF-8") is skipped. What is ours is
// what a refusal needs: the line each record starts on (counted from the bytes csv-parse reports it read,
// as csv-parse's own count takes a CRLF inside quotes for two lines); a record too long to be a row of
// people refused by that line, not kept, and the rows after it still read; text after a closing quote
// refused as unclear. Pure.
import { CsvError, parse } from 'csv-parse/sync'
import type { Options } from 'csv-parse/sync'

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

const OPTIONS: Options = {
  record_delimiter: ['\r\n', '\n', '\r'], // any of them ends a record, not only the kind the first line ends with
  relax_column_count: true, // more or fewer cells than the header: csv-format's to judge, by the row
  // A quote inside an unquoted field (O"Brien) is part of it; "abc"def is read as the one field `"abc"def`
  // (its record ends where it would without the "def") and refused below.
  relax_quotes: true,
}

const CR = 0x0D
const LF = 0x0A

export function readCsv (text: string, maxRecordChars: number): CsvReading {
  // Bytes, as csv-parse reads them; without the BOM, so that it counts in no row's length.
  const bytes = Buffer.from(text.startsWith('\uFEFF') ? text.slice(1) : text)
  // csv-parse's limit on the record it holds: above any row that can be kept (a character is at most 3
  // bytes), and a pasted 50 MB document is never held whole.
  const maxRecordBytes = Math.max(3 * maxRecordChars, 1_048_576)
  const records: CsvRecord[] = []
  let start = 0 // where the next record starts, in bytes
  let line = 1 // and the line it starts on
  const next = (end: number): void => {
    line += lineBreaks(bytes, start, end)
    start = end
  }
  /** The record csv-parse read from `start` to `end` (after its line break), or why it is refused. */
  const recordOf = (cells: string[], end: number): CsvRecord => {
    const length = end - start > maxRecordChars ? charsIn(bytes, start, end) : 0 // no more characters than bytes
    if (length > maxRecordChars) return { line, tooLong: length }
    const quoteFirst = cells.some((cell) => cell.startsWith('"'))
    if (quoteFirst && hasTextAfterQuote(bytes.subarray(start, end))) return { line, textAfterQuote: true }
    return { line, cells }
  }
  for (;;) {
    const from = start
    try {
      parse(bytes.subarray(from), {
        ...OPTIONS,
        max_record_size: maxRecordBytes,
        on_record: (cells, info) => {
          const end = from + info.bytes
          records.push(recordOf(cells, end))
          next(end)
          return null // kept here, not in a second list
        },
      })
      return { ok: true, records }
    } catch (error) {
      if (!(error instanceof CsvError)) throw error
      if (error.code === 'CSV_QUOTE_NOT_CLOSED') return { ok: false, line }
      if (error.code !== 'CSV_MAX_RECORD_SIZE') throw error
      // Read no further: the record is taken to end with the line that holds csv-parse's limit (its real
      // end, unless a field in quotes goes on past that line).
      const end = lineEnd(bytes, start + maxRecordBytes)
      records.push({ line, tooLong: charsIn(bytes, start, end) })
      next(end)
    }
  }
}

/**
 * Whether a record has text after a closing quote. csv-parse (with relax_quotes) reads `"abc"def` as the
 * field `"abc"def`; a field that starts with a quote is that or a quoted one starting with `""`, so such a
 * record is read again strictly, where the former is an invalid closing quote.
 */
function hasTextAfterQuote (recordBytes: Buffer): boolean {
  let found = false
  parse(recordBytes, {
    ...OPTIONS,
    relax_quotes: false,
    skip_records_with_error: true, // an invalid opening quote (O"Brien) is told, and reading goes on
    on_skip: (error) => { found ||= error?.code === 'CSV_INVALID_CLOSING_QUOTE' },
  })
  return found
}

/** Line breaks (CRLF, LF or CR) in bytes[from, to). */
function lineBreaks (bytes: Buffer, from: number, to: number): number {
  let count = 0
  for (let i = from; i < to; i++) {
    if (bytes[i] === LF || (bytes[i] === CR && bytes[i + 1] !== LF)) count++
  }
  return count
}

/** Where the line holding bytes[at] ends: after its line break, or at the end. */
function lineEnd (bytes: Buffer, at: number): number {
  const lf = bytes.indexOf(LF, at)
  const cr = bytes.indexOf(CR, at)
  if (cr !== -1 && (lf === -1 || cr < lf)) return cr + (bytes[cr + 1] === LF ? 2 : 1)
  return lf === -1 ? bytes.length : lf + 1
}

/** The characters (UTF-16 code units, as a string's length counts) that bytes[from, to) of UTF-8 hold. */
function charsIn (bytes: Buffer, from: number, to: number): number {
  let count = 0
  for (let i = from; i < to; i++) {
    const byte = bytes[i]!
    if ((byte & 0xC0) !== 0x80) count += byte >= 0xF0 ? 2 : 1 // a lead byte; 4 bytes are a surrogate pair
  }
  return count
}
