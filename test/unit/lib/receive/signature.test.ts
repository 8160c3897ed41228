import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { compactJson, signPayload, verifySignature } from '../../../../lib/receive/signature'

const secret = 'whsec-test'
const bytes = (text: string) => Buffer.from(text, 'utf8')
const text = (data: Uint8Array) => Buffer.from(data).toString('utf8')
const compactBody = '{"id":"whs_1","data":{"note":"two  spaces, a\\"quote\\" and ünïcode"}}'

describe('signPayload', () => {
  it('is the lowercase hex HMAC-SHA256 of the compact body', () => {
    const expected = createHmac('sha256', secret).update(compactBody).digest('hex')

    expect(signPayload(secret, compactBody)).toBe(expected)
  })

  it('signs a pretty-printed body as its compact form', () => {
    const pretty = JSON.stringify(JSON.parse(compactBody), null, 2)

    expect(signPayload(secret, pretty)).toBe(signPayload(secret, compactBody))
  })
})

describe('verifySignature', () => {
  it('accepts the signature of the raw body', () => {
    expect(verifySignature(bytes(compactBody), signPayload(secret, compactBody), [secret])).toBe(
      true,
    )
  })

  it('accepts a pretty-printed body signed in its compact form', () => {
    const pretty = JSON.stringify(JSON.parse(compactBody), null, 4)

    expect(verifySignature(bytes(pretty), signPayload(secret, compactBody), [secret])).toBe(true)
  })

  it('accepts an upper-case hex signature', () => {
    const signature = signPayload(secret, compactBody).toUpperCase()

    expect(verifySignature(bytes(compactBody), signature, [secret])).toBe(true)
  })

  it('refuses a body changed inside a string', () => {
    const signature = signPayload(secret, compactBody)
    const tampered = compactBody.replace('two  spaces', 'two spaces')

    expect(verifySignature(bytes(tampered), signature, [secret])).toBe(false)
  })

  it('refuses a signature made with another secret', () => {
    expect(verifySignature(bytes(compactBody), signPayload('other', compactBody), [secret])).toBe(
      false,
    )
  })

  it.each([
    ['missing', undefined],
    ['blank', ''],
    ['too short', 'abcd'],
    ['too long', `${signPayload(secret, compactBody)}00`],
    ['not hex', 'z'.repeat(64)],
    [
      'two joined signatures',
      `${signPayload(secret, compactBody)},${signPayload(secret, compactBody)}`,
    ],
  ])('refuses a %s signature without throwing', (_case, signature) => {
    expect(verifySignature(bytes(compactBody), signature, [secret])).toBe(false)
  })

  it('accepts a signature made with either secret during a rotation', () => {
    const secrets = ['new-secret', 'old-secret']

    expect(
      verifySignature(bytes(compactBody), signPayload('old-secret', compactBody), secrets),
    ).toBe(true)
    expect(
      verifySignature(bytes(compactBody), signPayload('new-secret', compactBody), secrets),
    ).toBe(true)
  })

  it('refuses everything when no secret is configured', () => {
    expect(verifySignature(bytes(compactBody), signPayload(secret, compactBody), [])).toBe(false)
  })
})

describe('compactJson', () => {
  it('returns the same bytes when there is nothing to remove', () => {
    const body = bytes(compactBody)

    expect(compactJson(body)).toBe(body)
  })

  it('keeps whitespace and escaped quotes inside strings', () => {
    const pretty = '{\n  "a" : "x \\" y",\r\n\t"b": [ 1, 2 ]\n}'

    expect(text(compactJson(bytes(pretty)))).toBe('{"a":"x \\" y","b":[1,2]}')
  })

  it('keeps an escaped backslash before a closing quote', () => {
    expect(text(compactJson(bytes('{ "a": "dir\\\\" , "b": 1 }')))).toBe('{"a":"dir\\\\","b":1}')
  })

  it('turns any pretty-printed JSON into what JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 8 }), (value, indent) => {
        const pretty = JSON.stringify(value, null, indent)

        expect(text(compactJson(bytes(pretty)))).toBe(JSON.stringify(value))
      }),
    )
  })
})
