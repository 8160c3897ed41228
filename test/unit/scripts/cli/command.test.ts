import { instantOption, parseInstant, UsageError } from '../../../../scripts/cli/command'

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

describe('instantOption', () => {
  it('reads the option as the instant it names', () => {
    expect(instantOption({ since: '2026-01-01' }, 'since')).toBe('2026-01-01T00:00:00.000Z')
  })

  it('is undefined when the option is not given', () => {
    expect(instantOption({}, 'until')).toBeUndefined()
  })

  it('refuses a time without a zone as a usage error naming the option', () => {
    expect(() => instantOption({ until: '2026-01-01T10:00:00' }, 'until')).toThrow(
      new UsageError(
        '--until must be an ISO 8601 date or a date and time with Z or an offset, got "2026-01-01T10:00:00"',
      ),
    )
  })
})
