import * as v from 'valibot'

// Building blocks shared by the envelope and every event schema.

const isPlainObject = (input: unknown) =>
  typeof input === 'object' && input !== null && !Array.isArray(input)

/** `v.looseObject` without the arrays it would otherwise take for objects. */
export function looseRecord<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.pipe(v.unknown(), v.check(isPlainObject, 'expected an object'), v.looseObject(entries))
}

const wellFormed = v.check<string, string>(
  (text) => text.isWellFormed(),
  'must be well-formed Unicode',
)

/** An id that can be a DynamoDB key (at most 1,024 bytes here) and an SNS attribute value. */
export const IdSchema = v.pipe(
  v.string(),
  v.nonEmpty('must be a non-empty id'),
  v.maxBytes(1024, 'must be at most 1024 bytes'),
  wellFormed,
)

/** A reference to another object that may be absent, and becomes an SNS attribute when set. */
export const ReferenceSchema = v.nullish(
  v.pipe(v.string(), v.maxBytes(1024, 'must be at most 1024 bytes'), wellFormed),
)

/** `2026-02-31` has the ISO shape, but `Date` would quietly turn it into March the 3rd. */
function isCalendarDate(timestamp: string): boolean {
  const [year = 0, month = 0, day = 0] = timestamp.slice(0, 10).split('-').map(Number)
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

export const TimestampSchema = v.pipe(
  v.string(),
  v.isoTimestamp('must be an ISO 8601 timestamp'),
  v.check(isCalendarDate, 'must be a date that exists'),
)
