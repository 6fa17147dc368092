// An import file's bytes into statements: size, UTF-8 and format checked first, then the format's own
// reader. Pure: the command reads the file and hands the bytes over.
import { readCsvImport } from './csv-format.js'
import { readJsonImport } from './json-format.js'
import { fileRejected } from './model.js'
import type { Reading } from './model.js'

/** Far above any real export (100,000 people is about 15 MB of CSV), far below what would strain memory. */
export const MAX_FILE_BYTES = 64 * 1_048_576

export type ImportFormat = 'csv' | 'json'

/** By the name's extension; failing that, a file that opens with { is JSON. */
function formatOf (fileName: string, text: string): ImportFormat | undefined {
  const extension = /\.(\w+)$/.exec(fileName)?.[1]?.toLowerCase()
  if (extension === 'csv' || extension === 'json') return extension
  const first = text.replace(/^\uFEFF/, '').trimStart()[0]
  if (first === '{') return 'json'
  return undefined
}

export function readImport (fileName: string, bytes: Uint8Array): Reading {
  if (bytes.byteLength > MAX_FILE_BYTES) return fileRejected([{ kind: 'file-too-large', bytes: bytes.byteLength, max: MAX_FILE_BYTES }])
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes) // drops a leading BOM (Excel's "CSV UTF-8")
  } catch {
    return fileRejected([{ kind: 'not-utf8' }])
  }
  switch (formatOf(fileName, text)) {
    case 'csv': return readCsvImport(text)
    case 'json': return readJsonImport(text.replace(/^\uFEFF/, ''))
    case undefined: return fileRejected([{ kind: 'unknown-format' }])
  }
}
