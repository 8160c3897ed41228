import * as v from 'valibot'

// Building blocks shared by the envelope and every event schema.

const isPlainObject = (input: unknown) =>
  typeof input === 'object' && input !== null && !Array.isArray(input)

/**
 * An object holding at least `entries`, never an array. Its output has only those entries:
 * what the service reads. Every other field still reaches the ledger and the topic, which
 * keep the payload as sent, and copying them here would only cost time.
 */
export function looseRecord<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.pipe(v.unknown(), v.check(isPlainObject, 'expected an object'), v.object(entries))
}

/**
 * An object the service reads only if it is one: absent, null or of another type, it stays in
 * the payload as sent and reads as undefined. Its entries decide what is strict inside it.
 */
export function optionalRecord<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.optional(
    v.pipe(
      v.unknown(),
      v.transform((input) => (isPlainObject(input) ? input : undefined)),
      v.optional(v.object(entries)),
    ),
  )
}

const wellFormed = v.check<string, string>(
  (text) => text.isWellFormed(),
  'must be well-formed Unicode',
)

const MAX_KEY_BYTES = 1024
/** A UTF-16 unit is at most 3 UTF-8 bytes, so short strings need no encoding to be measured. */
const fitsKey = v.check<string, string>(
  (text) => text.length <= MAX_KEY_BYTES / 3 || Buffer.byteLength(text) <= MAX_KEY_BYTES,
  `must be at most ${MAX_KEY_BYTES} bytes`,
)

/** An id that can be a DynamoDB key (at most 1,024 bytes here) and an SNS attribute value. */
export const IdSchema = v.pipe(
  v.string(),
  v.nonEmpty('must be a non-empty id'),
  fitsKey,
  wellFormed,
)

/**
 * The id of another object, read only when it can be a key and an SNS attribute; anything else
 * (absent, null, empty, another type) stays in the payload as sent and reads as undefined.
 */
export const ReferenceSchema = v.fallback(
  v.optional(v.pipe(v.string(), v.nonEmpty(), fitsKey, wellFormed)),
  undefined,
)

/** Display text, read only when it is a non-empty string; anything else reads as undefined. */
export const OptionalTextSchema = v.fallback(
  v.optional(v.pipe(v.string(), v.nonEmpty(), wellFormed)),
  undefined,
)

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const digitsAt = (text: string, start: number, end: number) => Number(text.slice(start, end))

/** `2026-02-31` has the ISO shape, but `Date` would quietly turn it into March the 3rd. */
function isCalendarDate(timestamp: string): boolean {
  const year = digitsAt(timestamp, 0, 4)
  const month = digitsAt(timestamp, 5, 7)
  const day = digitsAt(timestamp, 8, 10)
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0))
}

export const TimestampSchema = v.pipe(
  v.string(),
  v.isoTimestamp('must be an ISO 8601 timestamp'),
  v.check(isCalendarDate, 'must be a date that exists'),
)
