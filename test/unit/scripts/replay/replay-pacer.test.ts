import { createPacer, type PacerClock } from '../../../../scripts/replay/pacer'

/** A clock that only moves when the pacer sleeps, or when the test says so. */
class FakeClock implements PacerClock {
  time = 0
  readonly sleeps: number[] = []
  now = () => this.time
  sleep = async (ms: number) => {
    this.sleeps.push(ms)
    this.time += ms
  }
}

async function waitTimes(pacer: ReturnType<typeof createPacer>, clock: FakeClock, calls: number) {
  const at: number[] = []
  for (let call = 0; call < calls; call++) {
    await pacer.wait()
    at.push(clock.time)
  }
  return at
}

describe('createPacer', () => {
  it('lets the first publish go at once', async () => {
    const clock = new FakeClock()
    const pacer = createPacer(10, clock)

    await pacer.wait()

    expect(clock.sleeps).toEqual([])
  })

  it('spaces publishes one interval apart at the given rate', async () => {
    const clock = new FakeClock()
    const pacer = createPacer(10, clock)

    const at = await waitTimes(pacer, clock, 4)

    expect(at).toEqual([0, 100, 200, 300])
  })

  it('waits only for what is left of the interval after a slow publish', async () => {
    const clock = new FakeClock()
    const pacer = createPacer(4, clock)
    await pacer.wait()
    clock.time += 100

    await pacer.wait()

    expect(clock.sleeps).toEqual([150])
  })

  it('does not save up idle time for a burst after a pause', async () => {
    const clock = new FakeClock()
    const pacer = createPacer(10, clock)
    await pacer.wait()
    clock.time += 5_000

    const at = await waitTimes(pacer, clock, 3)

    expect(at).toEqual([5_000, 5_100, 5_200])
  })

  it('accepts a rate below one per second', async () => {
    const clock = new FakeClock()
    const pacer = createPacer(0.5, clock)

    const at = await waitTimes(pacer, clock, 2)

    expect(at).toEqual([0, 2_000])
  })

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a rate of %p', (rate) => {
    expect(() => createPacer(rate, new FakeClock())).toThrow(RangeError)
  })
})
