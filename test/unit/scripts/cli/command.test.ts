import { parseInstant } from '../../../../scripts/cli/command'

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
