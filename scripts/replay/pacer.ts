/** Spaces calls out to at most `ratePerSecond`: `await pacer.wait()` before each publish. */
export interface Pacer {
  wait(): Promise<void>
}

export interface PacerClock {
  /** Milliseconds on a monotonic clock. */
  now(): number
  sleep(ms: number): Promise<void>
}

export const realPacerClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/**
 * One slot every `1000 / ratePerSecond` ms. Time spent idle (a slow page read, a slow publish)
 * is not saved up: the calls after a pause are spaced like any others, never a burst.
 */
export function createPacer(ratePerSecond: number, clock: PacerClock = realPacerClock): Pacer {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(`The rate must be a positive number, got ${ratePerSecond}`)
  }
  const intervalMs = 1000 / ratePerSecond
  let nextSlot = Number.NEGATIVE_INFINITY
  return {
    async wait() {
      const now = clock.now()
      const slot = Math.max(now, nextSlot)
      nextSlot = slot + intervalMs
      if (slot > now) await clock.sleep(slot - now)
    },
  }
}
