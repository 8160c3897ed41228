/** Percentile by linear interpolation between the two nearest ranks; `p` in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const lower = Math.floor(rank)
  const upper = Math.ceil(rank)
  const low = sorted[lower] as number
  const high = sorted[upper] as number
  return low + (high - low) * (rank - lower)
}

export const median = (values: readonly number[]) => percentile(values, 50)
export const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0)
/** The mean, 0 for no values (an empty sample adds nothing to a cost). */
export const mean = (values: readonly number[]) => sum(values) / Math.max(values.length, 1)

export interface Summary {
  n: number
  median: number
  p99: number
}

export function summarise(values: readonly number[]): Summary {
  return { n: values.length, median: median(values), p99: percentile(values, 99) }
}

/** Fixed decimals for display; ratios and µs read best with a consistent precision. */
export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a'
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
