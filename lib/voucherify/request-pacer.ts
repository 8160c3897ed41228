/**
 * Keeps a run of API requests inside a requests-per-minute budget, evenly spaced, and holds
 * every request back while Voucherify says to wait (429 with Retry-After).
 */
export interface RequestPacer {
  /** Resolves when the next request may go; rejects when `signal` aborts first. */
  waitTurn(signal?: AbortSignal): Promise<void>
  /** No request before `ms` from now. */
  holdFor(ms: number): void
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

/** setTimeout that an abort cuts short, with the signal's reason. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

export function requestPacer(
  requestsPerMinute: number,
  { now = Date.now, sleep = abortableSleep }: { now?: () => number; sleep?: Sleep } = {},
): RequestPacer {
  const spacingMs = 60_000 / requestsPerMinute
  let nextAt = 0
  return {
    async waitTurn(signal) {
      const at = Math.max(now(), nextAt)
      nextAt = at + spacingMs
      const wait = at - now()
      if (wait > 0) await sleep(wait, signal)
      signal?.throwIfAborted()
    },
    holdFor(ms) {
      nextAt = Math.max(nextAt, now() + ms)
    },
  }
}
