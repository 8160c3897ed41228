// Checks a value against a schema of an OpenAPI 3.0 document, and generates values that fit one:
// the parts Voucherify's schemas use ($ref, allOf, oneOf, anyOf, nullable, type, enum, required,
// properties, items, minimum, maximum, format date-time). Extra properties are allowed, as
// OpenAPI allows them by default. Voucherify's documents say 3.1.0 but use 3.0's `nullable`,
// sometimes beside a `$ref`, so a `$ref`'s siblings apply too.

import fc from 'fast-check'

type Schema = Record<string, unknown>

export interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>
  webhooks?: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, Schema> }
}

function resolve(document: OpenApiDocument, schema: Schema): Schema {
  const { $ref: ref, ...siblings } = schema
  if (typeof ref !== 'string') return schema
  const name = ref.replace('#/components/schemas/', '')
  const target = document.components.schemas[name]
  if (!target) throw new Error(`The document has no schema ${ref}`)
  return { ...resolve(document, target), ...siblings }
}

/** The schema of `method path`'s answer with `status` as JSON. */
export function responseSchema(
  document: OpenApiDocument,
  path: string,
  method: string,
  status: number,
): Schema {
  const operation = document.paths?.[path]?.[method] as
    | { responses: Record<string, { content: Record<string, { schema: Schema }> }> }
    | undefined
  const schema = operation?.responses[String(status)]?.content['application/json']?.schema
  if (!schema) throw new Error(`No ${status} JSON answer documented for ${method} ${path}`)
  return schema
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** Where `value` breaks `schema`, as `path: what`; empty when it conforms. */
export function schemaErrors(
  document: OpenApiDocument,
  schemaOrRef: Schema,
  value: unknown,
  at = '(root)',
): string[] {
  const schema = resolve(document, schemaOrRef)
  if (value === null && schema.nullable === true) return []
  const errors: string[] = []
  for (const part of (schema.allOf as Schema[] | undefined) ?? []) {
    errors.push(...schemaErrors(document, part, value, at))
  }
  for (const [keyword, fits] of [
    ['oneOf', (n: number) => n === 1],
    ['anyOf', (n: number) => n >= 1],
  ] as const) {
    const options = schema[keyword] as Schema[] | undefined
    if (!options) continue
    const matching = options.filter(
      (option) => schemaErrors(document, option, value, at).length === 0,
    )
    if (!fits(matching.length)) {
      errors.push(`${at}: matches ${matching.length} of the ${keyword} schemas`)
    }
  }
  const actual = typeOf(value)
  const expected = schema.type as string | undefined
  if (expected !== undefined) {
    const fits = actual === expected || (expected === 'number' && actual === 'integer')
    if (!fits) return [...errors, `${at}: expected ${expected}, got ${actual}`]
  }
  const allowed = schema.enum as unknown[] | undefined
  if (allowed && !allowed.includes(value)) errors.push(`${at}: not one of ${allowed.join(', ')}`)
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      errors.push(`${at}: too small`)
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${at}: too big`)
  }
  if (schema.format === 'date-time' && typeof value === 'string' && Number.isNaN(Date.parse(value)))
    errors.push(`${at}: not a date-time`)
  if (actual === 'object') {
    const object = value as Record<string, unknown>
    for (const name of (schema.required as string[] | undefined) ?? []) {
      if (!(name in object)) errors.push(`${at}.${name}: is required`)
    }
    for (const [name, property] of Object.entries(
      (schema.properties ?? {}) as Record<string, Schema>,
    )) {
      if (name in object) {
        errors.push(...schemaErrors(document, property, object[name], `${at}.${name}`))
      }
    }
  }
  if (actual === 'array' && schema.items) {
    ;(value as unknown[]).forEach((item, index) => {
      errors.push(...schemaErrors(document, schema.items as Schema, item, `${at}[${index}]`))
    })
  }
  return errors
}

/** Below this depth an object gets its required properties only, so generation stays small. */
const MAX_OPTIONAL_DEPTH = 4

const dateTimeArb = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
  .map((date) => date.toISOString())

/** Values that fit `schemaOrRef`: every required property, some optional ones, null where allowed. */
export function schemaArbitrary(
  document: OpenApiDocument,
  schemaOrRef: Schema,
  depth = 0,
): fc.Arbitrary<unknown> {
  const { allOf, ...schema } = resolve(document, schemaOrRef)
  // allOf here only ever adds a description to one $ref: merged, it is one schema.
  const parts = ((allOf as Schema[] | undefined) ?? []).map((part) => resolve(document, part))
  const merged: Schema = Object.assign({}, ...parts, schema)
  const value = valueArbitrary(document, merged, depth)
  return merged.nullable === true ? fc.oneof(value, fc.constant(null)) : value
}

function valueArbitrary(document: OpenApiDocument, schema: Schema, depth: number) {
  const options = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined
  if (options) return fc.oneof(...options.map((option) => schemaArbitrary(document, option, depth)))
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]))
  switch (schema.type) {
    case 'string':
      return schema.format === 'date-time' ? dateTimeArb : fc.string({ maxLength: 12 })
    case 'integer':
      return fc.integer({
        min: typeof schema.minimum === 'number' ? schema.minimum : -1_000_000,
        max: typeof schema.maximum === 'number' ? schema.maximum : 1_000_000,
      })
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
    case 'boolean':
      return fc.boolean()
    case 'array':
      return fc.array(schemaArbitrary(document, (schema.items ?? {}) as Schema, depth + 1), {
        maxLength: 2,
      })
    case 'object':
      return objectArbitrary(document, schema, depth)
    default:
      return fc.jsonValue({ maxDepth: 1 })
  }
}

function objectArbitrary(document: OpenApiDocument, schema: Schema, depth: number) {
  const required = (schema.required as string[] | undefined) ?? []
  const properties = Object.entries((schema.properties ?? {}) as Record<string, Schema>).filter(
    ([name]) => depth < MAX_OPTIONAL_DEPTH || required.includes(name),
  )
  const arbitraries = Object.fromEntries(
    properties.map(([name, property]) => [name, schemaArbitrary(document, property, depth + 1)]),
  )
  return fc.record(arbitraries, { requiredKeys: required.filter((name) => name in arbitraries) })
}
