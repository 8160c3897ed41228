import type { CheckpointState, CheckpointStore } from '../../../scripts/replay/run-pages'

/** A checkpoint file in memory that keeps every state saved. */
export class MemoryCheckpoint implements CheckpointStore {
  readonly saved: CheckpointState[] = []
  async load() {
    return structuredClone(this.saved.at(-1))
  }
  async save(state: CheckpointState) {
    this.saved.push(structuredClone(state))
  }
}
