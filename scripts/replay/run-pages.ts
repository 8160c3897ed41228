import type { Deps } from '../../lib/deps'
import type { RequestPacer } from '../../lib/voucherify/request-pacer'
import type { CheckpointState, CheckpointStore, Counts } from './checkpoint'
import type { Progress } from './progress'
import type { Page, Position, ReplayTable } from './replay-table'

/** Replay published events, reprocess quarantined payloads, or publish claimed events. */
export type ReplayMode = 'replay' | 'quarantined' | 'unpublished'

/** What every run works with. */
export interface RunDeps {
  table: ReplayTable
  /** The receiver's own dependencies: its publisher and clock, and `ingestPayload`'s pipeline. */
  receiver: Deps
  pacer: RequestPacer
  /** Written after every page and where the run stops; read when resuming. */
  checkpoint: CheckpointStore | undefined
  progress: Progress
  /** The dry run's list: ids and issue paths only. */
  list: (line: string) => void
  /** Aborting stops the run before its next item; the checkpoint then says where. */
  signal?: AbortSignal
}

/** What a run selects, and how it goes. */
export interface RunRequest {
  mode: ReplayMode
  voucherId?: string
  eventType?: string
  /** Inclusive, in `toISOString()` form: of `created_at` for a replay, else of `received_at`. */
  since?: string
  /** Exclusive, as `since`. */
  until?: string
  /** Reads and lists only: publishes and writes nothing, not even the checkpoint. */
  dryRun: boolean
  /** Carry on from the checkpoint (or start, when there is none yet). */
  resume: boolean
  /** Items read per page and per checkpoint. */
  pageSize: number
}

export type RunResult = {
  status: 'complete' | 'interrupted' | 'already_complete'
  counts: Counts
}

export const increment = (counts: Counts, name: string) => {
  counts[name] = (counts[name] ?? 0) + 1
}

/** As JSON keeps it: without undefined values, keys in order. */
const canonical = (selection: Record<string, unknown>) =>
  JSON.stringify(Object.entries(JSON.parse(JSON.stringify(selection)) as object).sort())

const sameSelection = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  canonical(a) === canonical(b)

async function startingPoint(
  checkpoint: CheckpointStore | undefined,
  selection: Record<string, unknown>,
  resume: boolean,
): Promise<CheckpointState | undefined> {
  const saved = await checkpoint?.load()
  if (saved === undefined) return undefined
  if (!resume) {
    throw new Error('The checkpoint file exists: pass --resume to carry on from it, or remove it')
  }
  if (!sameSelection(saved.selection, selection)) {
    throw new Error(
      `The checkpoint is of another selection (${JSON.stringify(saved.selection)}); ` +
        'resume with the same options, or use another checkpoint file',
    )
  }
  return saved
}

/**
 * Reads page after page and hands every value to `handle`, one at a time. After each page the
 * checkpoint records the next page's position and the counts; when the run is aborted or
 * `handle` throws, it records the position after the last value handled, so a resumed run
 * neither skips a value nor handles one again. (Only a run killed outright repeats the values
 * its page had handled.)
 */
export async function runPages<T>(
  deps: Pick<RunDeps, 'table' | 'checkpoint' | 'progress' | 'signal'>,
  request: RunRequest,
  initialCounts: Counts,
  fetch: (startKey: Position | undefined) => Promise<Page<T>>,
  handle: (value: T, counts: Counts) => Promise<void>,
): Promise<RunResult> {
  const { mode, voucherId, eventType, since, until } = request
  const selection = { mode, table: deps.table.tableName, voucherId, eventType, since, until }
  const saved = await startingPoint(deps.checkpoint, selection, request.resume)
  if (saved?.done) return { status: 'already_complete', counts: saved.counts }
  const counts: Counts = { ...initialCounts, ...saved?.counts }
  let next: Position | undefined = saved?.next ?? undefined

  const save = async (position: Position | undefined, done: boolean) => {
    if (request.dryRun || deps.checkpoint === undefined) return
    await deps.checkpoint.save({
      version: 1,
      selection,
      next: position ?? null,
      done,
      counts,
      updated_at: new Date().toISOString(),
    })
  }

  for (;;) {
    if (deps.signal?.aborted) {
      await save(next, false)
      return { status: 'interrupted', counts }
    }
    const page = await fetch(next)
    counts.pages = (counts.pages ?? 0) + 1
    counts.read = (counts.read ?? 0) + page.evaluated
    deps.progress.update(counts)
    let position = next
    try {
      for (const entry of page.entries) {
        if (deps.signal?.aborted) {
          await save(position, false)
          return { status: 'interrupted', counts }
        }
        await handle(entry.value, counts)
        position = entry.position
        deps.progress.update(counts)
      }
    } catch (error) {
      await save(position, false).catch(() => undefined)
      throw error
    }
    next = page.next
    await save(next, next === undefined)
    if (next === undefined) return { status: 'complete', counts }
  }
}
