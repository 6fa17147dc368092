// What JSON.parse does not tell about a JSON import, found in one pass over text JSON.parse has accepted:
// the line each record starts on, so that a refusal can name it, and every key an object holds twice.
// JSON.parse silently keeps the last of two equal keys, while a person reviewing the file reads the first:
// `{"phone": "13800138000", "phone": "13900139000"}` would import a number nobody saw. Keys are compared
// as JSON.parse compares them, escapes decoded ("p\u0068one" is "phone"), and kept in Maps, never as
// plain-object keys. The tokens (strings decoded, lines and columns counted) come from jsonc-parser's
// scanner; the nesting is followed here on a stack, not by recursion, so that no depth JSON.parse takes
// can overflow the call stack (its own parser and visitor recurse). Pure.
import { createScanner } from 'jsonc-parser'

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

// jsonc-parser's SyntaxKind values: its const enum cannot be read under isolatedModules.
const OpenBraceToken = 1
const CloseBraceToken = 2
const OpenBracketToken = 3
const CloseBracketToken = 4
const CommaToken = 5
const ColonToken = 6
const StringLiteral = 10
const EOF = 17

export function jsonLayout (text: string): JsonLayout {
  const elementLines = new Map<string, number[]>()
  const duplicates: DuplicateKey[] = []
  const scanner = createScanner(text, true) // whitespace skipped
  const open: Container[] = []
  let expectingKey = false
  let topKey = '' // the top-level key whose value is being read
  let elements: number[] | undefined // that value's element lines, when it is an array

  /** A value starts: when it is an element of a top-level array, its line is a record's. */
  const valueStarts = (): void => {
    if (open.length === 2 && elements !== undefined) elements.push(scanner.getTokenStartLine() + 1)
  }
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (token === StringLiteral && expectingKey) {
      expectingKey = false
      const object = open.at(-1) as Container & { kind: 'object' }
      const key = scanner.getTokenValue()
      const at = { line: scanner.getTokenStartLine() + 1, column: scanner.getTokenStartCharacter() + 1 }
      const first = object.keys.get(key)
      if (first === undefined) object.keys.set(key, at)
      // Inside a record: the list's element being read is the last one counted.
      else duplicates.push({ key, at, first, record: open.length > 2 && elements ? `${topKey.slice(0, 40)}[${elements.length - 1}]` : undefined })
      if (open.length === 1) {
        topKey = key
        elements = undefined
      }
      continue
    }
    switch (token) {
      case OpenBraceToken:
        valueStarts()
        open.push({ kind: 'object', keys: new Map() })
        expectingKey = true
        break
      case OpenBracketToken:
        valueStarts()
        if (open.length === 1 && open[0]!.kind === 'object') elementLines.set(topKey, elements = [])
        open.push({ kind: 'array' })
        break
      case CloseBraceToken:
      case CloseBracketToken:
        open.pop()
        expectingKey = false
        break
      case CommaToken:
        expectingKey = open.at(-1)?.kind === 'object'
        break
      case ColonToken:
        break
      default: // a string value, a number, true, false or null
        valueStarts()
    }
  }
  return { elementLines, duplicates }
}
