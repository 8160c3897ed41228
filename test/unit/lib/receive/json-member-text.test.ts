import fc from 'fast-check'
import { memberPaths, memberTexts } from '../../../../lib/receive/json-member-text'

const DATA = memberPaths(['data'])
/** The text of the top-level member `data`, as read-payload reads an envelope's data. */
const dataText = (json: string) => memberTexts(json, DATA)?.data?.text

describe('memberTexts, for one top-level member', () => {
  it('returns the member exactly as written, whitespace inside it included', () => {
    const json = '{"id":"whs_1", "data" :  { "amount": 1e20,\n "note": "a, \\"b\\" }" } ,"x":1}'

    expect(dataText(json)).toBe('{ "amount": 1e20,\n "note": "a, \\"b\\" }" }')
  })

  it('reads the last member when the name repeats, as JSON.parse does', () => {
    expect(dataText('{"data":1,"data":[2]}')).toBe('[2]')
  })

  it('ignores members of the same name in nested objects and strings', () => {
    const json = '{"a":{"data":1},"b":["data",{"data":2}],"c":"\\"data\\":3","data":null}'

    expect(dataText(json)).toBe('null')
  })

  it('finds a member that ends the object', () => {
    expect(dataText('{"x":"\\\\","data":"\\\\"}')).toBe('"\\\\"')
  })

  it('is undefined when the member is absent', () => {
    expect(dataText('{"other":{"data":1}}')).toBeUndefined()
  })

  it('is undefined when a top-level key is written with escapes that might spell the name', () => {
    expect(dataText('{"d\\u0061ta":1}')).toBeUndefined()
  })

  it('reads the same value as JSON.parse for any object, however it is laid out', () => {
    const member = fc.record(
      { data: fc.jsonValue(), other: fc.jsonValue() },
      { requiredKeys: ['data'] },
    )
    fc.assert(
      fc.property(member, fc.constantFrom(0, 1, 2, '\t', ' \r\n '), (object, indent) => {
        const json = JSON.stringify(object, null, indent)

        const text = dataText(json)

        expect(JSON.parse(text ?? 'undefined')).toEqual(JSON.parse(json).data)
      }),
      { numRuns: 1_000 },
    )
  })
})

describe('memberTexts', () => {
  it('reads a member and the members of its object in one pass, with where they stand', () => {
    const json = '{"id":1, "data": {"holder": {"name":"N"}, "x": [{"holder":2}]}}'

    const found = memberTexts(json, memberPaths(['data', 'data.holder', 'data.customer']))

    expect(found?.['data.holder']).toEqual({
      text: '{"name":"N"}',
      start: json.indexOf('{"name"'),
      end: json.indexOf('{"name"') + '{"name":"N"}'.length,
    })
    expect(found?.['data.customer']).toBeUndefined()
    expect(JSON.parse(found?.data?.text ?? '')).toEqual(JSON.parse(json).data)
  })

  it('does not take a member of the same name deeper down for the one asked for', () => {
    expect(memberTexts('{"data":{"a":{"holder":1}}}', memberPaths(['data.holder']))).toEqual({})
  })

  it('is undefined when a key within the parent is written with escapes', () => {
    expect(memberTexts('{"data":{"h\\u006flder":1}}', memberPaths(['data.holder']))).toBeUndefined()
  })

  it('reads the same values as JSON.parse for any object, however it is laid out', () => {
    const inner = fc.record({ holder: fc.jsonValue(), other: fc.jsonValue() })
    const outer = fc.record({ data: inner, before: fc.jsonValue() }, { requiredKeys: ['data'] })
    fc.assert(
      fc.property(outer, fc.constantFrom(0, 2, '\t'), (object, indent) => {
        const json = JSON.stringify(object, null, indent)

        const found = memberTexts(json, memberPaths(['data', 'data.holder']))

        const holder = found?.['data.holder']
        expect(JSON.parse(holder?.text ?? 'undefined')).toEqual(JSON.parse(json).data.holder)
        expect(json.slice(holder?.start, holder?.end)).toBe(holder?.text)
      }),
      { numRuns: 1_000 },
    )
  })
})
