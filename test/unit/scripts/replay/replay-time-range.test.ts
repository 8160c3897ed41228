import { inRange, parseInstant, textBounds } from '../../../../scripts/replay/time-range'

describe('parseInstant', () => {
  it('reads a date as midnight UTC', () => {
    expect(parseInstant('2026-01-01')).toBe('2026-01-01T00:00:00.000Z')
  })

  it('reads a date and time with an offset as the instant it names', () => {
    expect(parseInstant('2026-01-01T01:30:00+02:00')).toBe('2025-12-31T23:30:00.000Z')
  })

  it.each(['2026-01-01T10:00:00', '01/02/2026', 'yesterday', '2026-13-01', ''])(
    'refuses %p',
    (text) => {
      expect(parseInstant(text)).toBeUndefined()
    },
  )
})

describe('textBounds', () => {
  it('widens both bounds by a day, for timestamps written with an offset', () => {
    const bounds = textBounds({
      since: '2026-01-02T00:00:00.000Z',
      until: '2026-01-03T00:00:00.000Z',
    })

    expect(bounds).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-01-04T00:00:00.000Z' })
  })

  it('leaves out a bound that is not given', () => {
    expect(textBounds({ since: '2026-01-02T00:00:00.000Z' })).toEqual({
      from: '2026-01-01T00:00:00.000Z',
    })
  })
})

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
