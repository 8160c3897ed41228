import { BlockList, isIP } from 'node:net'

/** Which addresses may deliver webhooks; absent means every address may. */
export interface SourceIpAllowList {
  allows(ip: string): boolean
}

/**
 * The addresses Voucherify sends webhooks from, per shared region, as published in its
 * "Introduction to webhooks", section "IP whitelisting" (voucherify-openapi 65c33a7a, 2026-08).
 * Dedicated regions have addresses of their own: ask Voucherify's support.
 */
export const VOUCHERIFY_SENDER_ADDRESSES = {
  'voucherify-eu1': ['34.247.197.22', '63.32.191.141', '52.215.148.84'],
  'voucherify-us1': ['100.25.106.67', '18.209.236.215', '34.192.255.99'],
  'voucherify-as1': ['52.76.98.82', '54.169.8.101', '13.214.87.160'],
} as const satisfies Record<string, readonly string[]>

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4')

/** A preset's addresses; a name that looks like a preset but is none is an error, not an address. */
function expandPreset(entry: string): readonly string[] {
  if (Object.hasOwn(VOUCHERIFY_SENDER_ADDRESSES, entry)) {
    return VOUCHERIFY_SENDER_ADDRESSES[entry as keyof typeof VOUCHERIFY_SENDER_ADDRESSES]
  }
  if (entry.startsWith('voucherify-')) {
    const known = Object.keys(VOUCHERIFY_SENDER_ADDRESSES).join(', ')
    throw new Error(`Unknown Voucherify region preset: ${entry} (known: ${known})`)
  }
  return [entry]
}

/**
 * Reads `voucherify-eu1, 203.0.113.7, 198.51.100.0/24, 2001:db8::/32`; empty means no allow-list.
 * Throws on an entry that is not a preset, an address or a CIDR range, so a typo cannot open the door.
 */
export function parseSourceIpAllowList(value: string | undefined): SourceIpAllowList | undefined {
  const entries = (value ?? '')
    .split(/[\s,]+/)
    .filter((entry) => entry.length > 0)
    .flatMap(expandPreset)
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
