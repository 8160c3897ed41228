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

/**
 * The text of the top-level member `name` of a JSON object, exactly as written, so it can be
 * forwarded without serialising it again. `json` must already have passed `JSON.parse`.
 * Like `JSON.parse`, the last of duplicate members wins. Undefined when the member is absent,
 * or when a top-level key is written with escapes (it might spell `name`; the caller then
 * serialises the parsed value instead).
 */
export function jsonMemberText(json: string, name: string): string | undefined {
  let depth = 0
  let expectKey = false
  /** Where the wanted member's `: value` begins while it is being read. */
  let memberStart = -1
  let memberEnd = -1
  for (let index = 0; index < json.length; index++) {
    const char = json.charCodeAt(index)
    if (char === QUOTE) {
      const end = endOfString(json, index)
      if (depth === 1 && expectKey) {
        const key = json.slice(index + 1, end - 1)
        if (key.includes('\\')) return undefined
        if (key === name) memberStart = end
        expectKey = false
      }
      index = end - 1
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth++
      if (depth === 1) expectKey = char === OPEN_BRACE
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth--
      if (depth === 0 && memberStart >= 0 && memberEnd < memberStart) memberEnd = index
    } else if (char === COMMA && depth === 1) {
      if (memberStart >= 0 && memberEnd < memberStart) memberEnd = index
      expectKey = true
    }
  }
  return memberStart < 0 ? undefined : json.slice(memberStart, memberEnd).trim().slice(1).trim()
}
