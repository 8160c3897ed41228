import { parseSourceIpAllowList } from '../../lib/source-ip-allow-list'

describe('parseSourceIpAllowList', () => {
  it('is off when nothing is configured', () => {
    expect(parseSourceIpAllowList('')).toBeUndefined()
    expect(parseSourceIpAllowList(undefined)).toBeUndefined()
  })

  it('allows a listed address and refuses others', () => {
    const list = parseSourceIpAllowList('203.0.113.7')

    expect(list?.allows('203.0.113.7')).toBe(true)
    expect(list?.allows('203.0.113.8')).toBe(false)
  })

  it('allows every address of a CIDR range, IPv4 and IPv6', () => {
    const list = parseSourceIpAllowList('198.51.100.0/24, 2001:db8::/32')

    expect(list?.allows('198.51.100.255')).toBe(true)
    expect(list?.allows('198.51.101.0')).toBe(false)
    expect(list?.allows('2001:db8:1::5')).toBe(true)
    expect(list?.allows('2001:db9::1')).toBe(false)
  })

  it('refuses a source that is not an address at all', () => {
    expect(parseSourceIpAllowList('203.0.113.7')?.allows('unknown')).toBe(false)
  })

  it.each(['203.0.113', '203.0.113.0/33', '203.0.113.0/x', 'example.com', '1.2.3.4/8/9'])(
    'throws on the malformed entry %p rather than ignoring it',
    (entry) => {
      expect(() => parseSourceIpAllowList(`198.51.100.1, ${entry}`)).toThrow(entry)
    },
  )
})
