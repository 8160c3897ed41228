import { inRange, livePayload } from '../../../../scripts/replay/replay-table'

describe('inRange', () => {
  const range = { since: '2026-01-02T00:00:00.000Z', until: '2026-01-03T00:00:00.000Z' }

  it('includes the first instant of the range', () => {
    expect(inRange('2026-01-02T00:00:00.000Z', range)).toBe(true)
  })

  it('excludes the instant the range ends at', () => {
    expect(inRange('2026-01-03T00:00:00.000Z', range)).toBe(false)
  })

  it('compares a timestamp with an offset as an instant, not as text', () => {
    expect(inRange('2026-01-02T01:00:00+02:00', range)).toBe(false)
  })

  it('excludes what is not a timestamp', () => {
    expect(inRange(undefined, range)).toBe(false)
  })

  it('includes everything when no bound is given', () => {
    expect(inRange(undefined, {})).toBe(true)
  })
})

describe('livePayload', () => {
  const now = new Date('2026-01-01T00:00:00.000Z')
  const nowSeconds = now.getTime() / 1000

  it('gives the payload of an item not yet expired', () => {
    expect(livePayload({ payload: '{}', expires_at: nowSeconds + 1 }, now)).toBe('{}')
  })

  it('gives the payload of an item kept forever', () => {
    expect(livePayload({ payload: '{}' }, now)).toBe('{}')
  })

  it('gives nothing for an item past its expiry that DynamoDB has not deleted yet', () => {
    expect(livePayload({ payload: '{}', expires_at: nowSeconds }, now)).toBeUndefined()
  })

  it('gives nothing for a missing item', () => {
    expect(livePayload(undefined, now)).toBeUndefined()
  })
})
