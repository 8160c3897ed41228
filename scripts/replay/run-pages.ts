import { readFile, rename, writeFile } from 'node:fs/promises'
import type { Deps } from '../../lib/deps'
import type { RequestPacer } from '../../lib/voucherify/request-pacer'
import { EXIT } from '../cli/command'
import { type Counts, formatCounts, type Progress } from '../cli/progress'
import type { Page, Position, ReplayTable, Selection } from './replay-table'

/** Where a run stands: written after every page, and where it stopped when it stops. */
export interface CheckpointState {
  version: 1
  /** What the run selects; a checkpoint is only resumed by a run that selects the same. */
  selection: Record<string, unknown>
  /** Where to carry on; null once `done`, or before the first page. */
  next: Position | null
  done: boolean
  counts: Counts
  updated_at: string
}

export interface CheckpointStore {
  load(): Promise<CheckpointState | undefined>
  save(state: CheckpointState): Promise<void>
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

function isCheckpointState(value: unknown): value is CheckpointState {
  const state = (isObject(value) ? value : {}) as Partial<CheckpointState>
  return (
    state.version === 1 &&
    isObject(state.selection) &&
    (state.next === null || typeof state.next === 'object') &&
    typeof state.done === 'boolean' &&
    isObject(state.counts)
  )
}

/** A JSON file, replaced whole on every save (written beside it, then renamed over it). */
export function fileCheckpoint(path: string): CheckpointStore {
  return {
    async load() {
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        throw new Error(`Checkpoint ${path} is not JSON`)
      }
      if (!isCheckpointState(parsed))
        throw new Error(`Checkpoint ${path} is not a checkpoint of replay or migrate`)
      return parsed
    },
    async save(state) {
      const temporary = `${path}.tmp`
      await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`)
      await rename(temporary, path)
    },
  }
}

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
export interface RunRequest extends Selection {
  mode: ReplayMode
  voucherId?: string
  /** Reads and lists only: publishes and writes nothing, not even the checkpoint. */
  dryRun: boolean
  /** Carry on from the checkpoint (or start, when there is none yet). */
  resume: boolean
  /** Items read per page and per checkpoint. */
  pageSize: number
  /** Replay only: publishes a transaction whose payload is gone from its ledger fields. */
  fromLedger?: boolean
}

/**
 * What `runPages` needs of a run: what names its selection in the checkpoint (`settings`: the
 * options a resumed run must share besides the selection), and how it goes.
 */
export type PagedRun = Pick<
  RunRequest,
  'voucherId' | 'eventType' | 'since' | 'until' | 'dryRun' | 'resume'
> & { mode: string; settings?: Record<string, unknown> }

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

/**
 * Reads page after page and hands every value to `handle`, one at a time; counts the pages, the
 * items read and those selected (`matched`), and `handle` its `outcomes`. After each page the
 * checkpoint records the next page's position and the counts; when the run is aborted or
 * `handle` throws, it records the position after the last value handled, so a resumed run
 * neither skips a value nor handles one again. (Only a run killed outright repeats the values
 * its page had handled.)
 */
export async function runPages<T>(
  deps: { table: Pick<ReplayTable, 'tableName'> } & Pick<
    RunDeps,
    'checkpoint' | 'progress' | 'signal'
  >,
  request: PagedRun,
  outcomes: readonly string[],
  fetch: (startKey: Position | undefined) => Promise<Page<T>>,
  handle: (value: T, counts: Counts) => Promise<void>,
): Promise<RunResult> {
  const { mode, voucherId, eventType, since, until, settings } = request
  const selection = {
    mode,
    table: deps.table.tableName,
    voucherId,
    eventType,
    since,
    until,
    ...settings,
  }
  const saved = await deps.checkpoint?.load()
  if (saved !== undefined && !request.resume) {
    throw new Error('The checkpoint file exists: pass --resume to carry on from it, or remove it')
  }
  if (saved !== undefined && canonical(saved.selection) !== canonical(selection)) {
    throw new Error(
      `The checkpoint is of another selection (${JSON.stringify(saved.selection)}); ` +
        'resume with the same options, or use another checkpoint file',
    )
  }
  if (saved?.done) return { status: 'already_complete', counts: saved.counts }
  // Every count from zero, in the summary's order.
  const counted = ['pages', 'read', 'matched', ...outcomes]
  const counts: Counts = {
    ...Object.fromEntries(counted.map((name) => [name, 0])),
    ...saved?.counts,
  }
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

  const interrupted = async (position: Position | undefined): Promise<RunResult> => {
    await save(position, false)
    return { status: 'interrupted', counts }
  }

  for (;;) {
    if (deps.signal?.aborted) return interrupted(next)
    const page = await fetch(next)
    increment(counts, 'pages')
    counts.read = (counts.read ?? 0) + page.evaluated
    deps.progress.update(counts)
    let position = next
    try {
      for (const entry of page.entries) {
        if (deps.signal?.aborted) return interrupted(position)
        increment(counts, 'matched')
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

/** How a paged command names its run on the progress line, where it runs, and how to resume. */
export interface RunLabel {
  what: string
  where: string
  /** What to type to carry on; undefined without a checkpoint. */
  resume: string | undefined
}

/**
 * Runs `run`, then says on the progress line how it ended (with `summary` of its counts) and
 * gives the exit code: the same lines and codes for every paged command.
 */
export async function finishRun(
  progress: Progress,
  { what, where, resume }: RunLabel,
  run: () => Promise<RunResult>,
  summary: (result: RunResult) => string = (result) => formatCounts(result.counts),
): Promise<number> {
  let result: RunResult
  try {
    result = await run()
  } catch (error) {
    progress.finish(`${what} failed (${where}): ${errorText(error)}${resume ? `; ${resume}` : ''}`)
    return EXIT.failed
  }
  const counts = summary(result)
  switch (result.status) {
    case 'complete':
      progress.finish(`${what} complete (${where}): ${counts}`)
      return EXIT.done
    case 'already_complete':
      progress.finish(`${what}: the checkpoint says this run completed (${where}): ${counts}`)
      return EXIT.done
    case 'interrupted': {
      const next = resume || 'without --checkpoint, a new run starts from the beginning'
      progress.finish(`${what} interrupted (${where}): ${counts}; ${next}`)
      return EXIT.interrupted
    }
  }
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  const { cause } = error as { cause?: unknown }
  return cause instanceof Error ? `${message} (${cause.name}: ${cause.message})` : message
}
