import type { CheckpointState, CheckpointStore, Counts } from './checkpoint'
import type { Progress } from './progress'
import type { Page, Position } from './replay-table'

/** What every run needs besides its table and publisher. */
export interface RunDeps {
  /** Written after every page and where the run stops; read when resuming. */
  checkpoint: CheckpointStore | undefined
  progress: Progress
  clock: () => Date
  /** Aborting stops the run before its next item; the checkpoint then says where. */
  signal?: AbortSignal
}

export interface RunOptions {
  selection: Record<string, unknown>
  /** Carry on from the checkpoint (or start, when there is none yet). */
  resume: boolean
  /** Reads and lists only: never writes the checkpoint. */
  dryRun: boolean
  counts: Counts
}

export type RunResult = {
  status: 'complete' | 'interrupted' | 'already_complete'
  counts: Counts
}

/** As JSON keeps it: without undefined values, keys in order. */
const canonical = (selection: Record<string, unknown>) =>
  JSON.stringify(Object.entries(JSON.parse(JSON.stringify(selection)) as object).sort())

const sameSelection = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  canonical(a) === canonical(b)

async function startingPoint(
  checkpoint: CheckpointStore | undefined,
  options: RunOptions,
): Promise<CheckpointState | undefined> {
  const saved = await checkpoint?.load()
  if (saved === undefined) return undefined
  if (!options.resume) {
    throw new Error('The checkpoint file exists: pass --resume to carry on from it, or remove it')
  }
  if (!sameSelection(saved.selection, options.selection)) {
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
  deps: RunDeps,
  options: RunOptions,
  fetch: (startKey: Position | undefined) => Promise<Page<T>>,
  handle: (value: T, counts: Counts) => Promise<void>,
): Promise<RunResult> {
  const saved = await startingPoint(deps.checkpoint, options)
  if (saved?.done) return { status: 'already_complete', counts: saved.counts }
  const counts: Counts = { ...options.counts, ...saved?.counts }
  let next: Position | undefined = saved?.next ?? undefined

  const save = async (position: Position | undefined, done: boolean) => {
    if (options.dryRun || deps.checkpoint === undefined) return
    await deps.checkpoint.save({
      version: 1,
      selection: options.selection,
      next: position ?? null,
      done,
      counts,
      updated_at: deps.clock().toISOString(),
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
