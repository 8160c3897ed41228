import {
  parseSourceIpAllowList,
  VOUCHERIFY_SENDER_ADDRESSES,
} from '../../../../lib/receive/source-ip-allow-list'

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

  it.each(Object.entries(VOUCHERIFY_SENDER_ADDRESSES))(
    'allows every address Voucherify publishes for %s by the preset name',
    (preset, addresses) => {
      const list = parseSourceIpAllowList(preset)

      for (const address of addresses) expect(list?.allows(address)).toBe(true)
    },
  )

  it('refuses an address of another region than the preset names', () => {
    const list = parseSourceIpAllowList('voucherify-eu1')

    expect(list?.allows(VOUCHERIFY_SENDER_ADDRESSES['voucherify-us1'][0])).toBe(false)
  })

  it('combines a preset with addresses and ranges', () => {
    const list = parseSourceIpAllowList('voucherify-eu1,198.51.100.0/24')

    expect(list?.allows('34.247.197.22')).toBe(true)
    expect(list?.allows('198.51.100.9')).toBe(true)
    expect(list?.allows('203.0.113.7')).toBe(false)
  })

  it('throws on an unknown preset, naming the ones there are', () => {
    expect(() => parseSourceIpAllowList('voucherify-eu2')).toThrow(
      /voucherify-eu2.*voucherify-eu1, voucherify-us1, voucherify-as1/,
    )
  })
})
