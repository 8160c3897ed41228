import { BlockList, isIP } from 'node:net'

/** Which addresses may deliver webhooks; absent means every address may. */
export interface SourceIpAllowList {
  allows(ip: string): boolean
}

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4')

/**
 * Reads `203.0.113.7, 198.51.100.0/24, 2001:db8::/32`; empty means no allow-list.
 * Throws on an entry that is not an address or CIDR range, so a typo cannot open the door.
 */
export function parseSourceIpAllowList(value: string | undefined): SourceIpAllowList | undefined {
  const entries = (value ?? '').split(/[\s,]+/).filter((entry) => entry.length > 0)
  if (entries.length === 0) return undefined
  const list = new BlockList()
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.split('/')
    const maxPrefix = isIP(address) === 6 ? 128 : 32
    const bits = Number(prefix)
    if (isIP(address) === 0 || rest.length > 0)
      throw new Error(`Not an IP address or range: ${entry}`)
    if (prefix === undefined) {
      list.addAddress(address, familyOf(address))
    } else if (/^\d+$/.test(prefix) && bits <= maxPrefix) {
      list.addSubnet(address, bits, familyOf(address))
    } else {
      throw new Error(`Not an IP address or range: ${entry}`)
    }
  }
  return { allows: (ip) => isIP(ip) !== 0 && list.check(ip, familyOf(ip)) }
}
