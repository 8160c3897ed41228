import type { Counts, Progress } from '../../../../scripts/cli/progress'
import type { Page, Position } from '../../../../scripts/replay/replay-table'
import {
  type CheckpointState,
  type RunDeps,
  type RunRequest,
  runPages,
} from '../../../../scripts/replay/run-pages'
import { fakeReplayTable } from '../../../support/fakes/fake-replay-table'
import { MemoryCheckpoint } from '../../../support/fakes/memory-checkpoint'

const silent: Progress = { update() {}, note() {}, finish() {} }

/** Pages of `size` over `values`; a position is the index of the value it comes after. */
function pagesOf(values: string[], size: number) {
  const fetched: Array<Position | undefined> = []
  const fetch = async (start: Position | undefined): Promise<Page<string>> => {
    fetched.push(start)
    const from = start === undefined ? 0 : Number(start.after) + 1
    const slice = values.slice(from, from + size)
    const end = from + slice.length
    return {
      entries: slice.map((value, offset) => ({ value, position: { after: from + offset } })),
      next: end < values.length ? { after: end - 1 } : undefined,
      evaluated: slice.length,
    }
  }
  return { fetch, fetched }
}

/** Records what it handled; throws on `failOn`. */
function recorder(failOn?: string) {
  const handled: string[] = []
  const handle = async (value: string, counts: Counts) => {
    if (value === failOn) throw new Error(`failed on ${value}`)
    handled.push(value)
    counts.handled = (counts.handled ?? 0) + 1
  }
  return { handle, handled }
}

const VALUES = ['a', 'b', 'c', 'd', 'e']
const selection = { mode: 'replay', table: 'fake' }
const outcomes = ['handled']

/** A checkpoint as an earlier run of `selection` left it, nowhere yet unless told. */
const savedRun = (state: Partial<CheckpointState> = {}): CheckpointState => ({
  version: 1,
  selection,
  next: null,
  done: false,
  counts: {},
  updated_at: '',
  ...state,
})

function setup(overrides: Partial<RunDeps> = {}) {
  const checkpoint = new MemoryCheckpoint()
  const { table } = fakeReplayTable([])
  const deps = { table, checkpoint, progress: silent, ...overrides }
  const request: RunRequest = { mode: 'replay', resume: false, dryRun: false, pageSize: 2 }
  return { checkpoint, deps, request }
}

describe('runPages', () => {
  it('hands every value over once, page after page', async () => {
    const { deps, request } = setup()
    const { fetch } = pagesOf(VALUES, 2)
    const { handle, handled } = recorder()

    const result = await runPages(deps, request, outcomes, fetch, handle)

    expect(handled).toEqual(VALUES)
    expect(result).toEqual({
      status: 'complete',
      counts: { pages: 3, read: 5, matched: 5, handled: 5 },
    })
  })

  it('records the next page’s position after every page, and done after the last', async () => {
    const { checkpoint, deps, request } = setup()
    const { fetch } = pagesOf(VALUES, 2)

    await runPages(deps, request, outcomes, fetch, recorder().handle)

    expect(checkpoint.saved.map(({ next, done }) => ({ next, done }))).toEqual([
      { next: { after: 1 }, done: false },
      { next: { after: 3 }, done: false },
      { next: null, done: true },
    ])
  })

  it('carries on from the checkpoint with its counts when resuming', async () => {
    const { checkpoint, deps, request } = setup()
    await checkpoint.save(
      savedRun({ next: { after: 1 }, counts: { handled: 2, pages: 1, read: 2 } }),
    )
    const { fetch } = pagesOf(VALUES, 2)
    const { handle, handled } = recorder()

    const result = await runPages(deps, { ...request, resume: true }, outcomes, fetch, handle)

    expect(handled).toEqual(['c', 'd', 'e'])
    expect(result.counts).toMatchObject({ handled: 5, pages: 3 })
  })

  it('starts from the beginning when resuming without a checkpoint yet', async () => {
    const { deps, request } = setup()
    const { fetch } = pagesOf(VALUES, 2)
    const { handle, handled } = recorder()

    await runPages(deps, { ...request, resume: true }, outcomes, fetch, handle)

    expect(handled).toEqual(VALUES)
  })

  it('stops when aborted and records the position after the last value handled', async () => {
    const abort = new AbortController()
    const { checkpoint, deps, request } = setup({ signal: abort.signal })
    const { fetch } = pagesOf(VALUES, 10)
    const handled: string[] = []
    const handle = async (value: string) => {
      handled.push(value)
      if (value === 'b') abort.abort()
    }

    const result = await runPages(deps, request, outcomes, fetch, handle)

    expect(result.status).toBe('interrupted')
    expect(handled).toEqual(['a', 'b'])
    expect(checkpoint.saved.at(-1)).toMatchObject({ next: { after: 1 }, done: false })
  })

  it('records the position after the last value handled when handling fails, and fails', async () => {
    const { checkpoint, deps, request } = setup()
    const { fetch } = pagesOf(VALUES, 10)

    const run = runPages(deps, request, outcomes, fetch, recorder('d').handle)

    await expect(run).rejects.toThrow('failed on d')
    expect(checkpoint.saved.at(-1)).toMatchObject({ next: { after: 2 }, done: false })
  })

  it('refuses to start over an existing checkpoint without --resume', async () => {
    const { checkpoint, deps, request } = setup()
    await checkpoint.save(savedRun())

    const run = runPages(deps, request, outcomes, pagesOf(VALUES, 2).fetch, recorder().handle)

    await expect(run).rejects.toThrow(/pass --resume/)
  })

  it('refuses to resume a checkpoint of another selection', async () => {
    const { checkpoint, deps, request } = setup()
    await checkpoint.save(
      savedRun({ selection: { ...selection, eventType: 'voucher.gift.balance_added' } }),
    )

    const run = runPages(
      deps,
      { ...request, resume: true },
      outcomes,
      pagesOf(VALUES, 2).fetch,
      recorder().handle,
    )

    await expect(run).rejects.toThrow(/another selection/)
  })

  it('treats a selection value left undefined as absent, as the checkpoint file does', async () => {
    const { checkpoint, deps, request } = setup()
    await checkpoint.save(savedRun({ done: true }))

    const result = await runPages(
      deps,
      { ...request, voucherId: undefined, resume: true },
      outcomes,
      pagesOf(VALUES, 2).fetch,
      recorder().handle,
    )

    expect(result.status).toBe('already_complete')
  })

  it('handles nothing when the checkpoint says the run completed', async () => {
    const { checkpoint, deps, request } = setup()
    await checkpoint.save(savedRun({ done: true, counts: { handled: 5 } }))
    const { fetch, fetched } = pagesOf(VALUES, 2)

    const result = await runPages(
      deps,
      { ...request, resume: true },
      outcomes,
      fetch,
      recorder().handle,
    )

    expect(result).toEqual({ status: 'already_complete', counts: { handled: 5 } })
    expect(fetched).toEqual([])
  })

  it('writes no checkpoint in a dry run', async () => {
    const { checkpoint, deps, request } = setup()

    await runPages(
      deps,
      { ...request, dryRun: true },
      outcomes,
      pagesOf(VALUES, 2).fetch,
      recorder().handle,
    )

    expect(checkpoint.saved).toEqual([])
  })
})
