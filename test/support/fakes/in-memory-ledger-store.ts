import type {
  Attestation,
  AttestationStore,
  AttestedHead,
} from '../../../lib/ledger/attestation-store'
import { headMeets, type LedgerHead, type LedgerVerdict } from '../../../lib/ledger/ledger-chain'
import type { LedgerStore, StepResult } from '../../../lib/ledger/ledger-store'
import type { HeadRecord } from '../contracts/ledger-store-contract'

/** A head as stored: the shape the LedgerStore contract reads back. */
export type StoredHead = HeadRecord

export interface StoredStep extends LedgerVerdict {
  appliedEventType: string
  appliedAt: string
}

/** The DynamoDB adapter's all-or-nothing step, in memory, for tests without I/O. */
export class InMemoryLedgerStore implements LedgerStore, AttestationStore {
  readonly heads = new Map<string, StoredHead>()
  readonly steps = new Map<string, StoredStep>()
  /** Every call, in order: how many attempts a delivery took. */
  calls = 0
  /** Set to make every call fail, as an unreachable table would. */
  failing = false
  /** Answer `conflict` to this many calls, as DynamoDB does when transactions collide. */
  conflicts = 0

  async readHead(voucherId: string): Promise<AttestedHead | undefined> {
    const head = this.heads.get(voucherId)
    return head && { ...withoutCounts(head), updatedAt: head.updatedAt }
  }

  async recordAttestation(
    voucherId: string,
    attestation: Attestation,
  ): Promise<'recorded' | 'stale'> {
    const head = this.heads.get(voucherId)
    const later = [head?.attestedAt, head?.unattestedAt].some((at) => at && at > attestation.at)
    if (!head || head.transactionId !== attestation.head.transactionId || later) return 'stale'
    const difference = attestation.voucherifyBalance - attestation.head.balance
    if (difference === 0) {
      const { unattestedDifference: _d, unattestedAt: _a, ...rest } = head
      this.heads.set(voucherId, {
        ...rest,
        attestedAt: attestation.at,
        attestedBalance: attestation.voucherifyBalance,
      })
    } else {
      this.heads.set(voucherId, {
        ...head,
        unattestedDifference: difference,
        unattestedAt: attestation.at,
      })
    }
    return 'recorded'
  }

  async applyStep(
    step: Parameters<LedgerStore['applyStep']>[0],
    applied: Parameters<LedgerStore['applyStep']>[1],
  ): Promise<StepResult> {
    this.calls++
    if (this.failing) throw new Error('applyStep failed (injected)')
    if (this.conflicts > 0) {
      this.conflicts--
      return { status: 'conflict' }
    }
    const { entry, verdict, next } = step
    const done = this.steps.get(entry.transactionId)
    if (done) {
      const { status, expectedBalance, previousTransactionId } = done
      return {
        status: 'already_applied',
        verdict: { status, expectedBalance, previousTransactionId },
      }
    }
    const head = this.heads.get(entry.voucherId)
    if (!headMeets(head, step.expects)) {
      return { status: 'head_changed', head: head && withoutCounts(head) }
    }
    this.steps.set(entry.transactionId, {
      ...verdict,
      appliedEventType: applied.eventType,
      appliedAt: applied.at,
    })
    // An out-of-order step keeps the head it was checked against.
    const position = next ?? (head && withoutCounts(head))
    if (!position) throw new Error('A step that keeps the head needs a head')
    this.heads.set(entry.voucherId, {
      ...head,
      ...position,
      updatedAt: applied.at,
      appliedCount: (head?.appliedCount ?? 0) + 1,
      gapCount: (head?.gapCount ?? 0) + (verdict.status === 'gap' ? 1 : 0),
      outOfOrderCount: (head?.outOfOrderCount ?? 0) + (verdict.status === 'out_of_order' ? 1 : 0),
    })
    return { status: 'applied' }
  }
}

function withoutCounts({ transactionId, createdAt, createdMs, balance }: LedgerHead): LedgerHead {
  return { transactionId, createdAt, createdMs, balance }
}
