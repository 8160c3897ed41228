/** `since` inclusive, `until` exclusive; both normalised to `toISOString()` form, either optional. */
export interface TimeRange {
  since?: string
  until?: string
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/

/**
 * An ISO 8601 date (`2026-01-01`, midnight UTC) or date and time with `Z` or an offset, in
 * `toISOString()` form; undefined for anything else (a time without a zone is ambiguous).
 */
export function parseInstant(text: string): string | undefined {
  if (!ISO_INSTANT.test(text)) return undefined
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined
}

/** Voucherify's timestamps may carry an offset of up to ±14 h: a day covers any of them. */
const MARGIN_MS = 24 * 60 * 60 * 1000

/**
 * Bounds for the comparison DynamoDB makes, which is on the text: widened by a day so that a
 * timestamp written with an offset is never left out. `inRange` then decides exactly.
 */
export function textBounds(range: TimeRange): { from?: string; to?: string } {
  const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString()
  return {
    ...(range.since === undefined ? {} : { from: shift(range.since, -MARGIN_MS) }),
    ...(range.until === undefined ? {} : { to: shift(range.until, MARGIN_MS) }),
  }
}

export function isRangeSet(range: TimeRange): boolean {
  return range.since !== undefined || range.until !== undefined
}

/** Whether a stored timestamp lies in `since <= t < until`; false when it is not a timestamp. */
export function inRange(timestamp: unknown, range: TimeRange): boolean {
  if (!isRangeSet(range)) return true
  if (typeof timestamp !== 'string') return false
  const ms = Date.parse(timestamp)
  if (!Number.isFinite(ms)) return false
  if (range.since !== undefined && ms < Date.parse(range.since)) return false
  if (range.until !== undefined && ms >= Date.parse(range.until)) return false
  return true
}
