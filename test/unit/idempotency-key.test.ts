import { idempotencyKeyFor, sha256Hex } from '../../lib/idempotency-key'

const body = Buffer.from('{"a":1}')

describe('idempotencyKeyFor', () => {
  it('uses the gift transaction id when there is one', () => {
    expect(idempotencyKeyFor('vtx_1', 'evgt_1', body)).toEqual({
      key: 'vtx_1',
      source: 'transaction',
    })
  })

  it('falls back to the Voucherify event id', () => {
    expect(idempotencyKeyFor(null, 'evgt_1', body)).toEqual({
      key: 'event:evgt_1',
      source: 'event',
    })
  })

  it('falls back to a SHA-256 of the compact body when there is neither', () => {
    expect(idempotencyKeyFor(null, null, body)).toEqual({
      key: 'sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862',
      source: 'body_sha256',
    })
  })

  it('gives equal bodies equal keys and different bodies different keys', () => {
    expect(sha256Hex(Buffer.from('{"a":1}'))).toBe(sha256Hex(Buffer.from('{"a":1}')))
    expect(sha256Hex(Buffer.from('{"a":1}'))).not.toBe(sha256Hex(Buffer.from('{"a":2}')))
  })
})
