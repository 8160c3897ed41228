import { bodyDigest, idempotencyKeyFor } from '../../../../lib/receive/idempotency-key'

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

  it('gives a pretty-printed copy of a body the same digest', () => {
    expect(bodyDigest(Buffer.from('{ "a": 1 }\n'))).toBe(bodyDigest(Buffer.from('{"a":1}')))
  })

  it('gives different bodies different digests', () => {
    expect(bodyDigest(Buffer.from('{"a":1}'))).not.toBe(bodyDigest(Buffer.from('{"a":2}')))
  })
})
