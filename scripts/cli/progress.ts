import type { CliIo } from './command'

/** What a run has counted so far, by name, in the order the summary shows them. */
export type Counts = Record<string, number>

export interface Progress {
  /** The counts so far; redrawn on a terminal (at most every `REDRAW_MS`), ignored elsewhere. */
  update(counts: Counts): void
  /** A line about one item (ids only), above the bar on a terminal. */
  note(line: string): void
  /** Replaces the bar with the final summary line; the only progress output off a terminal. */
  finish(summary: string): void
}

const CLEAR_LINE = '\r\x1b[2K'
const REDRAW_MS = 100
const BAR_WIDTH = 24

/** `name=value` pairs in insertion order, zeros included: the summary is read by people and grep. */
export function formatCounts(counts: Counts): string {
  return Object.entries(counts)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')
}

/** `[#####-----]  50% ` for `read` of `total`; capped below 100% until the run finishes. */
function progressBar(read: number, total: number): string {
  const fraction = total > 0 ? Math.min(read / total, 0.99) : 0
  const filled = Math.round(fraction * BAR_WIDTH)
  const percent = String(Math.floor(fraction * 100)).padStart(3)
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent}% `
}

/** `total`: items the run will read at most (the table's estimate); the bar needs it. */
export function createProgress({
  stream,
  total,
  now = Date.now,
}: {
  stream: CliIo['stderr']
  total?: number
  now?: () => number
}): Progress {
  const terminal = stream.isTTY === true
  let lastDrawn = Number.NEGATIVE_INFINITY
  let current = ''

  const render = (counts: Counts) =>
    (total === undefined ? '' : progressBar(counts.read ?? 0, total)) + formatCounts(counts)

  return {
    update(counts) {
      if (!terminal) return
      current = render(counts)
      if (now() - lastDrawn < REDRAW_MS) return
      lastDrawn = now()
      stream.write(`${CLEAR_LINE}${current}`)
    },
    note(line) {
      stream.write(terminal ? `${CLEAR_LINE}${line}\n${current}` : `${line}\n`)
    },
    finish(summary) {
      stream.write(terminal ? `${CLEAR_LINE}${summary}\n` : `${summary}\n`)
    },
  }
}
