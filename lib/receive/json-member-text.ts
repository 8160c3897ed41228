const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

/** Index just past the JSON string whose opening quote is at `start`. */
function endOfString(json: string, start: number): number {
  let from = start + 1
  for (;;) {
    const quote = json.indexOf('"', from)
    if (quote < 0) return json.length
    let backslashes = 0
    while (json.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++
    // An even run of backslashes escapes itself, not the quote.
    if (backslashes % 2 === 0) return quote + 1
    from = quote + 1
  }
}

/** A member's value as written, and where it stands in the JSON text (`end` exclusive). */
export interface MemberText {
  text: string
  start: number
  end: number
}

const isSpace = (char: number) => char === 0x20 || char === 0x0a || char === 0x0d || char === 0x09

/**
 * The values of the top-level members `names` of a JSON object, exactly as written, so they can
 * be forwarded or replaced without serialising the rest again. `json` must already have passed
 * `JSON.parse`. Like `JSON.parse`, the last of duplicate members wins. Undefined when a
 * top-level key is written with escapes (it might spell a name; the caller then works on the
 * parsed value instead).
 */
export function topLevelMemberTexts<Name extends string>(
  json: string,
  names: readonly Name[],
): Partial<Record<Name, MemberText>> | undefined {
  const found: Partial<Record<Name, MemberText>> = {}
  let depth = 0
  let expectKey = false
  /** The member being read: its name, and where its `: value` begins. */
  let current: { name: Name; from: number } | undefined
  const close = (to: number) => {
    if (current === undefined) return
    let start = json.indexOf(':', current.from) + 1
    let end = to
    while (isSpace(json.charCodeAt(start))) start++
    while (isSpace(json.charCodeAt(end - 1))) end--
    found[current.name] = { text: json.slice(start, end), start, end }
    current = undefined
  }
  for (let index = 0; index < json.length; index++) {
    const char = json.charCodeAt(index)
    if (char === QUOTE) {
      const end = endOfString(json, index)
      if (depth === 1 && expectKey) {
        const key = json.slice(index + 1, end - 1)
        if (key.includes('\\')) return undefined
        if ((names as readonly string[]).includes(key)) current = { name: key as Name, from: end }
        expectKey = false
      }
      index = end - 1
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth++
      if (depth === 1) expectKey = char === OPEN_BRACE
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth--
      if (depth === 0) close(index)
    } else if (char === COMMA && depth === 1) {
      close(index)
      expectKey = true
    }
  }
  return found
}

/** The text of one top-level member; see `topLevelMemberTexts`. */
export function jsonMemberText(json: string, name: string): string | undefined {
  return topLevelMemberTexts(json, [name])?.[name]?.text
}
