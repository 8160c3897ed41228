import { readFile, rename, writeFile } from 'node:fs/promises'
import type { Position } from './replay-table'

export type Counts = Record<string, number>

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

function isCheckpointState(value: unknown): value is CheckpointState {
  if (typeof value !== 'object' || value === null) return false
  const state = value as Partial<CheckpointState>
  return (
    state.version === 1 &&
    typeof state.selection === 'object' &&
    state.selection !== null &&
    (state.next === null || typeof state.next === 'object') &&
    typeof state.done === 'boolean' &&
    typeof state.counts === 'object' &&
    state.counts !== null
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
        throw new Error(`Checkpoint ${path} is not a replay checkpoint`)
      return parsed
    },
    async save(state) {
      const temporary = `${path}.tmp`
      await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`)
      await rename(temporary, path)
    },
  }
}
