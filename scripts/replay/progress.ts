/** What a run has counted so far, by name, in the order the summary shows them. */
export type Counts = Record<string, number>

/** Where progress goes: stderr in the CLI. */
export interface ProgressStream {
  write(text: string): unknown
  isTTY?: boolean
}

export interface Progress {
  /** The counts so far; redrawn on a terminal (at most every `redrawMs`), ignored elsewhere. */
  update(counts: Counts): void
  /** A line about one item (ids only), above the bar on a terminal. */
  note(line: string): void
  /** Replaces the bar with the final summary line; the only progress output off a terminal. */
  finish(summary: string): void
}

export interface ProgressOptions {
  stream: ProgressStream
  /** Items the run will read at most (the table's estimate); the bar needs it. */
  total?: number
  now?: () => number
  redrawMs?: number
  width?: number
}

const CLEAR_LINE = '\r\x1b[2K'

/** `name=value` pairs in insertion order, zeros included: the summary is read by people and grep. */
export function formatCounts(counts: Counts): string {
  return Object.entries(counts)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')
}

/** `[#####-----]  50% ` for `read` of `total`; capped below 100% until the run finishes. */
export function progressBar(read: number, total: number, width: number): string {
  const fraction = total > 0 ? Math.min(read / total, 0.99) : 0
  const filled = Math.round(fraction * width)
  const percent = String(Math.floor(fraction * 100)).padStart(3)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}% `
}

export function createProgress(options: ProgressOptions): Progress {
  const { stream, total } = options
  const now = options.now ?? Date.now
  const redrawMs = options.redrawMs ?? 100
  const width = options.width ?? 24
  const terminal = stream.isTTY === true
  let lastDrawn = Number.NEGATIVE_INFINITY
  let current = ''

  const render = (counts: Counts) =>
    (total === undefined ? '' : progressBar(counts.read ?? 0, total, width)) + formatCounts(counts)

  return {
    update(counts) {
      if (!terminal) return
      current = render(counts)
      if (now() - lastDrawn < redrawMs) return
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
