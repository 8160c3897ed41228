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
 * The values of members of a JSON object, exactly as written, so they can be forwarded or
 * replaced without serialising the rest again: `paths` name top-level members (`data`) or
 * members of a top-level object (`data.holder`). One pass over the text, which must already have
 * passed `JSON.parse`. Like `JSON.parse`, the last of duplicate members wins. Undefined when a
 * key that could be on a path is written with escapes (it might spell a name; the caller then
 * works on the parsed value instead).
 */
export function memberTexts<Path extends string>(
  json: string,
  paths: readonly Path[],
): Partial<Record<Path, MemberText>> | undefined {
  const found: Partial<Record<Path, MemberText>> = {}
  const wanted = new Set<string>(paths)
  const parents = new Set(paths.filter((path) => path.includes('.')).map((p) => p.split('.')[0]))
  let depth = 0
  let expectKey = false
  /** The top-level member being read, and whether its value is an object whose keys matter. */
  let topKey = ''
  let insideParent = false
  /** The member being read at depth 1 and at depth 2: its path, and where `: value` begins. */
  const open: Array<{ path: Path; from: number } | undefined> = [undefined, undefined, undefined]
  const close = (at: 1 | 2, to: number) => {
    const member = open[at]
    if (member === undefined) return
    let start = json.indexOf(':', member.from) + 1
    let end = to
    while (isSpace(json.charCodeAt(start))) start++
    while (isSpace(json.charCodeAt(end - 1))) end--
    found[member.path] = { text: json.slice(start, end), start, end }
    open[at] = undefined
  }
  for (let index = 0; index < json.length; index++) {
    const char = json.charCodeAt(index)
    if (char === QUOTE) {
      const end = endOfString(json, index)
      if (expectKey && (depth === 1 || (depth === 2 && insideParent))) {
        const key = json.slice(index + 1, end - 1)
        if (key.includes('\\')) return undefined
        const path = depth === 1 ? key : `${topKey}.${key}`
        if (depth === 1) topKey = key
        if (wanted.has(path)) open[depth] = { path: path as Path, from: end }
        expectKey = false
      }
      index = end - 1
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth++
      if (depth === 1) expectKey = char === OPEN_BRACE
      if (depth === 2) {
        insideParent = char === OPEN_BRACE && parents.has(topKey)
        expectKey = insideParent
      }
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth--
      if (depth === 0) close(1, index)
      if (depth === 1) {
        close(2, index)
        insideParent = false
      }
    } else if (char === COMMA) {
      if (depth === 1) {
        close(1, index)
        expectKey = true
      } else if (depth === 2 && insideParent) {
        close(2, index)
        expectKey = true
      }
    }
  }
  return found
}

/** The text of one top-level member; see `memberTexts`. */
export function jsonMemberText(json: string, name: string): string | undefined {
  return memberTexts(json, [name])?.[name]?.text
}
