import { requestPacer } from '../../../../lib/voucherify/request-pacer'

/** A clock that moves only when the pacer sleeps, and what it slept. */
function pacedClock() {
  let now = 1_000_000
  const slept: number[] = []
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms)
      now += ms
    },
    slept,
  }
}

describe('requestPacer', () => {
  it('lets the first request go at once', async () => {
    const clock = pacedClock()
    const pacer = requestPacer(60, clock)

    await pacer.waitTurn()

    expect(clock.slept).toEqual([])
  })

  it('spaces requests evenly within the budget: 60 a minute is one a second', async () => {
    const clock = pacedClock()
    const pacer = requestPacer(60, clock)

    for (let request = 0; request < 4; request++) await pacer.waitTurn()

    expect(clock.slept).toEqual([1_000, 1_000, 1_000])
  })

  it('waits only for what is left of the spacing after a slow request', async () => {
    const clock = pacedClock()
    const pacer = requestPacer(240, clock)
    await pacer.waitTurn()
    await clock.sleep(100)

    await pacer.waitTurn()

    expect(clock.slept).toEqual([100, 150])
  })

  it('does not save up idle time for a burst after a pause', async () => {
    const clock = pacedClock()
    const pacer = requestPacer(600, clock)
    await pacer.waitTurn()
    await clock.sleep(5_000)

    for (let request = 0; request < 3; request++) await pacer.waitTurn()

    expect(clock.slept).toEqual([5_000, 100, 100])
  })

  it('spaces requests more than a second apart on a budget below one a second', async () => {
    const clock = pacedClock()
    const pacer = requestPacer(30, clock)

    for (let request = 0; request < 2; request++) await pacer.waitTurn()

    expect(clock.slept).toEqual([2_000])
  })

  it("holds every later request back for a 429's Retry-After", async () => {
    const clock = pacedClock()
    const pacer = requestPacer(6_000, clock)
    await pacer.waitTurn()

    pacer.holdFor(3_000)
    await pacer.waitTurn()

    expect(clock.slept).toEqual([3_000])
  })

  it('gives up its wait when the signal aborts', async () => {
    const pacer = requestPacer(1)
    await pacer.waitTurn()
    const abort = new AbortController()

    const waiting = pacer.waitTurn(abort.signal)
    abort.abort(new Error('deadline'))

    await expect(waiting).rejects.toThrow('deadline')
  })
})
