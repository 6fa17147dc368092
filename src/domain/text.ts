// What text can be kept: every engine must be able to store it (PostgreSQL refuses NUL and lone
// surrogates), and no reader should meet control characters. Pure.

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const CONTROLS = new RegExp(CONTROL.source, 'g')
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g')

export function isStorableText (text: string): boolean {
  return !CONTROL.test(text) && !LONE_SURROGATE.test(text)
}

/** The same text with what cannot be stored replaced (for error messages that come from elsewhere). */
export function storable (text: string): string {
  return text.replace(CONTROLS, ' ').replace(LONE_SURROGATES, '\uFFFD')
}
