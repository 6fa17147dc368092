// Where each record of a JSON import starts, so that a refusal can name its line as well as its path
// (JSON.parse keeps no positions). Runs only over text JSON.parse has accepted, so it can be a simple
// scanner: no validation, strings skipped whole, nesting counted without recursion. Pure.

/** For each key of the top-level object whose value is an array: the 1-based line each element starts on. */
export function elementLines (text: string): Map<string, number[]> {
  const starts = new Map<string, number[]>()
  let i = skipSpace(text, 0)
  if (text[i] !== '{') return starts
  i = skipSpace(text, i + 1)
  while (i < text.length && text[i] === '"') {
    const keyEnd = stringEnd(text, i)
    const key = JSON.parse(text.slice(i, keyEnd)) as string
    i = skipSpace(text, skipSpace(text, keyEnd) + 1) // past the colon
    if (text[i] === '[') {
      const offsets: number[] = []
      i = skipSpace(text, i + 1)
      while (i < text.length && text[i] !== ']') {
        offsets.push(i)
        i = skipSpace(text, valueEnd(text, i))
        if (text[i] === ',') i = skipSpace(text, i + 1)
      }
      starts.set(key, offsets) // a repeated key: the last one counts, as in JSON.parse
      i++
    } else {
      i = valueEnd(text, i)
    }
    i = skipSpace(text, i)
    if (text[i] === ',') i = skipSpace(text, i + 1)
  }
  return new Map([...starts].map(([key, offsets]) => [key, linesOf(text, offsets)]))
}

const SPACE = /[^ \t\r\n]/g
function skipSpace (text: string, from: number): number {
  SPACE.lastIndex = from
  return SPACE.exec(text)?.index ?? text.length
}

const QUOTE_OR_ESCAPE = /["\\]/g
/** Just past the string that opens at `from`. */
function stringEnd (text: string, from: number): number {
  QUOTE_OR_ESCAPE.lastIndex = from + 1
  for (;;) {
    const found = QUOTE_OR_ESCAPE.exec(text)
    if (!found) return text.length
    if (found[0] === '"') return found.index + 1
    QUOTE_OR_ESCAPE.lastIndex = found.index + 2 // an escape and the character it escapes
  }
}

const STRUCTURE = /["[\]{}]/g
const SCALAR_END = /[,\]} \t\r\n]/g
/** Just past the value (string, number, literal, object or array) that starts at `from`. */
function valueEnd (text: string, from: number): number {
  const first = text[from]
  if (first === '"') return stringEnd(text, from)
  if (first !== '{' && first !== '[') {
    SCALAR_END.lastIndex = from
    return SCALAR_END.exec(text)?.index ?? text.length
  }
  let depth = 0
  let i = from
  for (;;) {
    STRUCTURE.lastIndex = i
    const found = STRUCTURE.exec(text)
    if (!found) return text.length
    if (found[0] === '"') { i = stringEnd(text, found.index); continue }
    depth += found[0] === '{' || found[0] === '[' ? 1 : -1
    i = found.index + 1
    if (depth === 0) return i
  }
}

/** Offsets (ascending) as 1-based line numbers, in one pass. */
function linesOf (text: string, offsets: readonly number[]): number[] {
  const lines: number[] = []
  let line = 1
  let at = 0
  for (const offset of offsets) {
    for (; at < offset; at++) if (text.charCodeAt(at) === 10) line++
    lines.push(line)
  }
  return lines
}
