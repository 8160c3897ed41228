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

/** The value of a member whose `: value` begins at `from` and ends before `to`, spaces trimmed. */
function textOf(json: string, from: number, to: number): MemberText {
  let start = json.indexOf(':', from) + 1
  let end = to
  while (isSpace(json.charCodeAt(start))) start++
  while (isSpace(json.charCodeAt(end - 1))) end--
  return { text: json.slice(start, end), start, end }
}

/**
 * Which members `memberTexts` reads: top-level ones (`data`) and members of a top-level object
 * (`data.holder`). Made once per set of paths, not per call, since it is read on every key.
 */
export interface MemberPaths<Path extends string> {
  topLevel: ReadonlySet<string>
  /** By top-level member: the names of its own members that are wanted. */
  nested: ReadonlyMap<string, ReadonlySet<string>>
  /** Only to carry `Path` into the result's type. */
  paths: readonly Path[]
}

export function memberPaths<Path extends string>(paths: readonly Path[]): MemberPaths<Path> {
  const topLevel = new Set<string>()
  const nested = new Map<string, Set<string>>()
  for (const path of paths) {
    const [parent = '', child] = path.split('.')
    if (child === undefined) topLevel.add(parent)
    else nested.set(parent, (nested.get(parent) ?? new Set()).add(child))
  }
  return { topLevel, nested, paths }
}

/**
 * The values of the members `paths` names, exactly as written, so they can be forwarded or
 * replaced without serialising the rest again. One pass over the text, which must already have
 * passed `JSON.parse`. Like `JSON.parse`, the last of duplicate members wins. Undefined when a
 * key that could be on a path is written with escapes (it might spell a name; the caller then
 * works on the parsed value instead).
 */
export function memberTexts<Path extends string>(
  json: string,
  paths: MemberPaths<Path>,
): Partial<Record<Path, MemberText>> | undefined {
  const found: Partial<Record<string, MemberText>> = {}
  const { topLevel, nested } = paths
  let depth = 0
  let expectKey = false
  let topKey = ''
  /** Inside a top-level object some of whose members are wanted: those names. */
  let children: ReadonlySet<string> = NONE
  /** Where the wanted member being read at depth 1 (2) has its `: value`; -1 for none. */
  let topFrom = -1
  let childFrom = -1
  let childKey = ''
  const length = json.length
  for (let index = 0; index < length; index++) {
    const char = json.charCodeAt(index)
    if (char === QUOTE) {
      const end = endOfString(json, index)
      if (expectKey) {
        const key = json.slice(index + 1, end - 1)
        if (key.includes('\\')) return undefined
        if (depth === 1) {
          topKey = key
          if (topLevel.has(key)) topFrom = end
        } else if (children.has(key)) {
          childKey = key
          childFrom = end
        }
        expectKey = false
      }
      index = end - 1
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth++
      if (depth <= 2) {
        if (depth === 2) children = (char === OPEN_BRACE && nested.get(topKey)) || NONE
        expectKey = char === OPEN_BRACE && (depth === 1 || children !== NONE)
      }
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth--
      if (depth <= 1) {
        if (childFrom >= 0) found[`${topKey}.${childKey}`] = textOf(json, childFrom, index)
        if (depth === 0 && topFrom >= 0) found[topKey] = textOf(json, topFrom, index)
        childFrom = -1
        children = NONE
      }
    } else if (char === COMMA && depth <= 2) {
      if (depth === 1) {
        if (topFrom >= 0) found[topKey] = textOf(json, topFrom, index)
        topFrom = -1
        expectKey = true
      } else if (children !== NONE) {
        if (childFrom >= 0) found[`${topKey}.${childKey}`] = textOf(json, childFrom, index)
        childFrom = -1
        expectKey = true
      }
    }
  }
  return found as Partial<Record<Path, MemberText>>
}

const NONE: ReadonlySet<string> = new Set()
