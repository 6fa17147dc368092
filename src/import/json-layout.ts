// What JSON.parse does not tell about a JSON import, found in one pass of jsonc-parser's visitor over
// text JSON.parse has accepted: the line each record starts on, so that a refusal can name it, and every
// key an object holds twice. JSON.parse silently keeps the last of two equal keys, while a person
// reviewing the file reads the first: `{"phone": "13800138000", "phone": "13900139000"}` would import a
// number nobody saw. Keys are compared as JSON.parse compares them, escapes decoded ("mo\u0062ile" is
// "mobile"), and kept in Maps, never as plain-object keys. Pure.
import { visit } from 'jsonc-parser'
import type { JSONPath } from 'jsonc-parser'

/** A 1-based line and column (in UTF-16 code units, as an editor counts them). */
export interface Place {
  line: number
  column: number
}

/** A key given a second time in one object: where, where it was first, and the record it is in (`people[2]`). */
export interface DuplicateKey {
  key: string
  at: Place
  first: Place
  record: string | undefined
}

export interface JsonLayout {
  /** For each key of the top-level object whose value is an array: the 1-based line each element starts on. */
  elementLines: Map<string, number[]>
  duplicates: DuplicateKey[]
}

type Container = { kind: 'object', keys: Map<string, Place> } | { kind: 'array' }

export function jsonLayout (text: string): JsonLayout {
  const elementLines = new Map<string, number[]>()
  const duplicates: DuplicateKey[] = []
  const open: Container[] = []
  let topKey: string | undefined // the top-level key whose value is being read
  let elements: number[] | undefined // that value's element lines, when it is an array

  /** A value starts: when it is an element of a top-level array, its line is a record's. */
  const valueStarts = (line: number): void => {
    if (open.length === 2 && elements !== undefined) elements.push(line + 1)
  }
  visit(text, {
    onObjectBegin: (_offset, _length, line) => {
      valueStarts(line)
      open.push({ kind: 'object', keys: new Map() })
    },
    onArrayBegin: (_offset, _length, line) => {
      valueStarts(line)
      if (open.length === 1 && topKey !== undefined) elementLines.set(topKey, elements = [])
      open.push({ kind: 'array' })
    },
    onObjectEnd: () => { open.pop() },
    onArrayEnd: () => { open.pop() },
    onLiteralValue: (_value, _offset, _length, line) => valueStarts(line),
    onObjectProperty: (key, _offset, _length, line, character, pathSupplier) => {
      const object = open.at(-1)
      if (object?.kind !== 'object') return
      const at = { line: line + 1, column: character + 1 }
      const first = object.keys.get(key)
      if (first === undefined) object.keys.set(key, at)
      else duplicates.push({ key, at, first, record: recordOf(pathSupplier()) })
      if (open.length === 1) {
        topKey = key
        elements = undefined
      }
    },
  })
  return { elementLines, duplicates }
}

/** `people[2]` for a path inside the third element of a top-level list. */
function recordOf (path: JSONPath): string | undefined {
  const [list, index] = path
  return typeof list === 'string' && typeof index === 'number' ? `${list.slice(0, 40)}[${index}]` : undefined
}
