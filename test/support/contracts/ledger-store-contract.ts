import type { AttestationStore } from '../../../lib/ledger/attestation-store'
import {
  assumeChainHolds,
  type ChainEntry,
  decideStep,
  type LedgerHead,
  type LedgerStep,
} from '../../../lib/ledger/ledger-chain'
import type { LedgerStore } from '../../../lib/ledger/ledger-store'
import { randomId } from '../../../scripts/sample-events'

/** A card's head as stored, with its counts. */
export interface HeadRecord extends LedgerHead {
  appliedCount: number
  gapCount: number
  outOfOrderCount: number
  /** When a step last wrote the head (its delivery's `at`), in or out of order. */
  updatedAt?: string
  attestedAt?: string
  attestedBalance?: number
  unattestedDifference?: number
  unattestedAt?: string
}

/** A transaction's step as stored: its verdict, and which delivery applied it. */
export interface StepRecord {
  status: string
  expectedBalance: number | null
  previousTransactionId: string | null
  appliedEventType: string
  appliedAt: string
}

export interface LedgerContractSubject {
  store: LedgerStore
  /** The sweep's port on the same heads. */
  attestations: AttestationStore
  /** Read back as the adapter wrote them. */
  readHead(voucherId: string): Promise<HeadRecord | undefined>
  readStep(transactionId: string): Promise<StepRecord | undefined>
}

const T0 = Date.parse('2026-03-01T09:00:00.000Z')
const BY_TRANSACTION_CREATED = { eventType: 'voucher.gift.transaction.created', at: 'now' }
const BY_BALANCE_ADDED = { eventType: 'voucher.gift.balance_added', at: 'later' }
/** Attestations in time order: a sweep at 10:00, another at 11:00. */
const TEN = '2026-03-01T10:00:00.000Z'
const ELEVEN = '2026-03-01T11:00:00.000Z'

/**
 * A card of its own for each test, and transactions on it a minute apart; `id` names a
 * transaction's id after the card's own prefix, for tests where the id order matters.
 */
function newCard() {
  const voucherId = randomId('v')
  const prefix = randomId('vtx')
  const entry = (
    amount: number,
    balanceAfter: number,
    minute: number,
    id?: string,
  ): ChainEntry => ({
    transactionId: id === undefined ? randomId('vtx') : `${prefix}_${id}`,
    voucherId,
    amount,
    balanceAfter,
    createdAt: new Date(T0 + minute * 60_000).toISOString(),
    createdMs: T0 + minute * 60_000,
  })
  return { voucherId, entry }
}

const headOf = (step: LedgerStep): LedgerHead => step.next as LedgerHead

/** The rules every LedgerStore must follow; run against the fake and the real adapter. */
export function describeLedgerStoreContract(name: string, subject: () => LedgerContractSubject) {
  describe(`${name} (LedgerStore contract)`, () => {
    it('applies a card’s first transaction, recording its verdict and starting the head', async () => {
      const { store, readHead, readStep } = subject()
      const { voucherId, entry } = newCard()
      const first = assumeChainHolds(entry(2_000, 7_000, 0))

      const result = await store.applyStep(first, BY_TRANSACTION_CREATED)

      expect(result).toEqual({ status: 'applied' })
      expect(await readHead(voucherId)).toEqual({
        ...headOf(first),
        updatedAt: 'now',
        appliedCount: 1,
        gapCount: 0,
        outOfOrderCount: 0,
      })
      expect(await readStep(first.entry.transactionId)).toEqual({
        status: 'ok',
        expectedBalance: 5_000,
        previousTransactionId: null,
        appliedEventType: 'voucher.gift.transaction.created',
        appliedAt: 'now',
      })
    })

    it('applies the one-call step on a head that the transaction continues', async () => {
      const { store, readHead } = subject()
      const { voucherId, entry } = newCard()
      await store.applyStep(assumeChainHolds(entry(2_000, 7_000, 0)), BY_TRANSACTION_CREATED)
      const redemption = assumeChainHolds(entry(-1_500, 5_500, 1))

      const result = await store.applyStep(redemption, BY_TRANSACTION_CREATED)

      expect(result).toEqual({ status: 'applied' })
      expect(await readHead(voucherId)).toMatchObject({ ...headOf(redemption), appliedCount: 2 })
    })

    it('refuses the one-call step on a head at another balance, answering with that head', async () => {
      const { store, readStep } = subject()
      const { entry } = newCard()
      const first = assumeChainHolds(entry(2_000, 7_000, 0))
      await store.applyStep(first, BY_TRANSACTION_CREATED)
      const afterAGap = assumeChainHolds(entry(1_000, 4_500, 5))

      const result = await store.applyStep(afterAGap, BY_TRANSACTION_CREATED)

      expect(result).toEqual({ status: 'head_changed', head: headOf(first) })
      expect(await readStep(afterAGap.entry.transactionId)).toBeUndefined()
    })

    it('refuses the one-call step on a head newer than the transaction', async () => {
      const { store } = subject()
      const { entry } = newCard()
      const newer = assumeChainHolds(entry(-500, 1_500, 9))
      await store.applyStep(newer, BY_TRANSACTION_CREATED)

      // Its balance before is the head's: only the time refuses it.
      const result = await store.applyStep(
        assumeChainHolds(entry(500, 2_000, 3)),
        BY_TRANSACTION_CREATED,
      )

      expect(result).toEqual({ status: 'head_changed', head: headOf(newer) })
    })

    it('applies the one-call step on a head created at the same instant with a smaller id', async () => {
      const { store } = subject()
      const { entry } = newCard()
      await store.applyStep(assumeChainHolds(entry(2_000, 7_000, 4, 'a')), BY_TRANSACTION_CREATED)

      const result = await store.applyStep(
        assumeChainHolds(entry(-1_500, 5_500, 4, 'b')),
        BY_TRANSACTION_CREATED,
      )

      expect(result).toEqual({ status: 'applied' })
    })

    it('refuses the one-call step on a head created at the same instant with a greater id', async () => {
      const { store, readStep } = subject()
      const { entry } = newCard()
      const later = assumeChainHolds(entry(2_000, 7_000, 4, 'b'))
      await store.applyStep(later, BY_TRANSACTION_CREATED)
      // Its balance before is the head's: only the id order refuses it.
      const earlier = assumeChainHolds(entry(500, 5_000, 4, 'a'))

      const result = await store.applyStep(earlier, BY_TRANSACTION_CREATED)

      expect(result).toEqual({ status: 'head_changed', head: headOf(later) })
      expect(await readStep(earlier.entry.transactionId)).toBeUndefined()
    })

    it('answers a step that expected a head with no head when the card has none', async () => {
      const { store } = subject()
      const { entry } = newCard()
      const expectingOne: LedgerStep = {
        ...assumeChainHolds(entry(100, 200, 0)),
        expects: { kind: 'is', transactionId: 'vtx_elsewhere' },
      }

      const result = await store.applyStep(expectingOne, BY_TRANSACTION_CREATED)

      expect(result).toEqual({ status: 'head_changed', head: undefined })
    })

    it('records a gap with the head it was checked against, and counts it', async () => {
      const { store, readHead, readStep } = subject()
      const { voucherId, entry } = newCard()
      const first = assumeChainHolds(entry(2_000, 7_000, 0))
      await store.applyStep(first, BY_TRANSACTION_CREATED)
      const gap = decideStep(headOf(first), entry(1_000, 4_500, 5))

      await store.applyStep(gap, BY_TRANSACTION_CREATED)

      expect(await readStep(gap.entry.transactionId)).toMatchObject({
        status: 'gap',
        expectedBalance: 7_000,
        previousTransactionId: first.entry.transactionId,
      })
      expect(await readHead(voucherId)).toMatchObject({ ...headOf(gap), gapCount: 1 })
    })

    it('leaves the head where it is for an out-of-order step, counting it', async () => {
      const { store, readHead, readStep } = subject()
      const { voucherId, entry } = newCard()
      const newer = assumeChainHolds(entry(-800, 1_200, 7))
      await store.applyStep(newer, BY_TRANSACTION_CREATED)
      const older = decideStep(headOf(newer), entry(-2_500, 2_000, 6))

      await store.applyStep(older, BY_TRANSACTION_CREATED)

      expect(await readHead(voucherId)).toEqual({
        ...headOf(newer),
        updatedAt: 'now',
        appliedCount: 2,
        gapCount: 0,
        outOfOrderCount: 1,
      })
      expect(await readStep(older.entry.transactionId)).toMatchObject({
        status: 'out_of_order',
        expectedBalance: null,
        previousTransactionId: newer.entry.transactionId,
      })
    })

    it('answers a transaction applied before with its first verdict, changing nothing', async () => {
      const { store, readHead, readStep } = subject()
      const { voucherId, entry } = newCard()
      const first = assumeChainHolds(entry(2_000, 7_000, 0))
      await store.applyStep(first, BY_TRANSACTION_CREATED)

      // The same transaction, from another event type, decided against another head.
      const again = await store.applyStep(decideStep(undefined, first.entry), BY_BALANCE_ADDED)

      expect(again).toEqual({ status: 'already_applied', verdict: first.verdict })
      expect(await readHead(voucherId)).toMatchObject({ appliedCount: 1 })
      expect(await readStep(first.entry.transactionId)).toMatchObject({
        appliedEventType: 'voucher.gift.transaction.created',
      })
    })

    it('applies one of two simultaneous steps of the same transaction', async () => {
      const { store, readHead } = subject()
      const { voucherId, entry } = newCard()
      const step = assumeChainHolds(entry(2_000, 7_000, 0))

      const results = await Promise.all([
        store.applyStep(step, BY_TRANSACTION_CREATED),
        store.applyStep(step, BY_BALANCE_ADDED),
      ])

      expect(results.map((result) => result.status).sort()).toEqual(['already_applied', 'applied'])
      expect(await readHead(voucherId)).toMatchObject({ appliedCount: 1 })
    })

    it('applies one of two simultaneous transactions expecting the same head', async () => {
      const { store } = subject()
      const { entry } = newCard()
      const first = assumeChainHolds(entry(2_000, 7_000, 0))
      await store.applyStep(first, BY_TRANSACTION_CREATED)
      const a = decideStep(headOf(first), entry(-1_000, 6_000, 1))
      const b = decideStep(headOf(first), entry(-2_000, 5_000, 2))

      const results = await Promise.all([
        store.applyStep(a, BY_TRANSACTION_CREATED),
        store.applyStep(b, BY_TRANSACTION_CREATED),
      ])

      const winner = results[0]?.status === 'applied' ? a : b
      expect(results).toEqual(
        expect.arrayContaining([
          { status: 'applied' },
          { status: 'head_changed', head: headOf(winner) },
        ]),
      )
    })

    it('reads back the head a step moved, without its counts, with when the step wrote it', async () => {
      const { store, attestations } = subject()
      const { voucherId, entry } = newCard()
      const first = assumeChainHolds(entry(2_000, 7_000, 0))
      await store.applyStep(first, BY_TRANSACTION_CREATED)

      const head = await attestations.readHead(voucherId)

      expect(head).toEqual({ ...headOf(first), updatedAt: 'now' })
    })

    it('reads the head an out-of-order step left where it was, with when that step wrote it', async () => {
      const { store, attestations } = subject()
      const { voucherId, entry } = newCard()
      const newer = assumeChainHolds(entry(-800, 1_200, 7))
      await store.applyStep(newer, BY_TRANSACTION_CREATED)
      const older = decideStep(headOf(newer), entry(-2_500, 2_000, 6))

      await store.applyStep(older, BY_BALANCE_ADDED)

      expect(await attestations.readHead(voucherId)).toEqual({
        ...headOf(newer),
        updatedAt: 'later',
      })
    })

    it('reads no head for a card the ledger has no transaction of', async () => {
      const { attestations } = subject()

      expect(await attestations.readHead(newCard().voucherId)).toBeUndefined()
    })

    /** A card of one transaction, its head at 7,000, and a way to attest that head. */
    async function cardWithHead() {
      const ports = subject()
      const { voucherId, entry } = newCard()
      const first = assumeChainHolds(entry(2_000, 7_000, 0))
      await ports.store.applyStep(first, BY_TRANSACTION_CREATED)
      const attest = (at: string, voucherifyBalance: number) =>
        ports.attestations.recordAttestation(voucherId, {
          at,
          voucherifyBalance,
          head: headOf(first),
        })
      return { ...ports, voucherId, first, attest }
    }

    it('records an attestation on a head that agrees with Voucherify', async () => {
      const { voucherId, attest, readHead } = await cardWithHead()

      const recorded = await attest(TEN, 7_000)

      expect(recorded).toBe('recorded')
      expect(await readHead(voucherId)).toMatchObject({ attestedAt: TEN, attestedBalance: 7_000 })
    })

    it('leaves when a step last wrote the head as it was when it records an attestation', async () => {
      const { voucherId, first, attest, attestations } = await cardWithHead()

      await attest(TEN, 6_000)

      expect(await attestations.readHead(voucherId)).toEqual({ ...headOf(first), updatedAt: 'now' })
    })

    it('records the difference on a head that disagrees, and clears it once they agree again', async () => {
      const { voucherId, attest, readHead } = await cardWithHead()

      await attest(TEN, 6_500)
      const disagreeing = await readHead(voucherId)
      await attest(ELEVEN, 7_000)

      expect(disagreeing).toMatchObject({ unattestedDifference: -500, unattestedAt: TEN })
      expect(await readHead(voucherId)).toMatchObject({ attestedAt: ELEVEN })
      expect((await readHead(voucherId))?.unattestedDifference).toBeUndefined()
    })

    it('answers stale and keeps a later attestation that is there already', async () => {
      const { voucherId, attest, readHead } = await cardWithHead()
      await attest(ELEVEN, 7_000)

      // A sweep that compared earlier, writing late: its word is older than what is there.
      const recorded = await attest(TEN, 6_500)

      expect(recorded).toBe('stale')
      const head = await readHead(voucherId)
      expect(head).toMatchObject({ attestedAt: ELEVEN, attestedBalance: 7_000 })
      expect(head?.unattestedDifference).toBeUndefined()
    })

    it('answers stale and keeps a later difference that is there already', async () => {
      const { voucherId, attest, readHead } = await cardWithHead()
      await attest(ELEVEN, 6_500)

      const recorded = await attest(TEN, 7_000)

      expect(recorded).toBe('stale')
      const head = await readHead(voucherId)
      expect(head).toMatchObject({ unattestedDifference: -500, unattestedAt: ELEVEN })
      expect(head?.attestedAt).toBeUndefined()
    })

    it('records an attestation made at the same instant as the one there', async () => {
      const { voucherId, attest, readHead } = await cardWithHead()
      await attest(TEN, 6_500)

      const recorded = await attest(TEN, 7_000)

      expect(recorded).toBe('recorded')
      expect(await readHead(voucherId)).toMatchObject({ attestedAt: TEN })
    })

    it('answers stale and records nothing when the head moved on from the one compared', async () => {
      const { store, attestations, readHead } = subject()
      const { voucherId, entry } = newCard()
      const compared = assumeChainHolds(entry(2_000, 7_000, 0))
      await store.applyStep(compared, BY_TRANSACTION_CREATED)
      await store.applyStep(assumeChainHolds(entry(-1_000, 6_000, 1)), BY_TRANSACTION_CREATED)

      const recorded = await attestations.recordAttestation(voucherId, {
        at: TEN,
        voucherifyBalance: 7_000,
        head: headOf(compared),
      })

      expect(recorded).toBe('stale')
      const head = await readHead(voucherId)
      expect(head?.attestedAt).toBeUndefined()
      expect(head?.unattestedAt).toBeUndefined()
    })

    it('answers stale for a card that has no head rather than create one', async () => {
      const { attestations, readHead } = subject()
      const { voucherId, entry } = newCard()

      const recorded = await attestations.recordAttestation(voucherId, {
        at: TEN,
        voucherifyBalance: 1,
        head: headOf(assumeChainHolds(entry(1, 1, 0))),
      })

      expect(recorded).toBe('stale')
      expect(await readHead(voucherId)).toBeUndefined()
    })
  })
}
