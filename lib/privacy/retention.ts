/** Retention settings of what holds personal data, in days; 0 keeps it forever. */
export interface Retention {
  payloadDays: number
  quarantineDays: number
}

export const DEFAULT_RETENTION: Retention = { payloadDays: 30, quarantineDays: 30 }
/** Below this, a payload could expire before Voucherify has stopped retrying it (about a day). */
export const MIN_RETENTION_DAYS = 3

/** The TTL (epoch seconds) of an item written at `at` and kept `days`; undefined for forever. */
export function expiresAt(at: string, days: number): number | undefined {
  if (days === 0) return undefined
  return Math.floor(Date.parse(at) / 1000) + days * 86_400
}
