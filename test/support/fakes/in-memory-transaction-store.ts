import type {
  DeliveryState,
  PayloadRecord,
  Publication,
  QuarantineRecord,
  TransactionKey,
  TransactionStore,
} from '../../../lib/receive/transaction-store'

export type StoredItem = Record<string, unknown> & TransactionKey

/** Where the table keeps a transaction item's payload (lib/aws/transactions-table.ts). */
export const payloadKey = (key: TransactionKey): TransactionKey => ({
  transaction_id: key.transaction_id,
  event_type: `#payload:${key.event_type}`,
})

/** The DynamoDB adapter's conditional-write semantics, in memory, for tests without I/O. */
export class InMemoryTransactionStore implements TransactionStore {
  readonly items = new Map<string, StoredItem>()
  /** Set to make the next calls of a method fail, as an unreachable table would. */
  failing = new Set<keyof TransactionStore>()

  get(key: TransactionKey): StoredItem | undefined {
    return this.items.get(`${key.transaction_id}|${key.event_type}`)
  }

  private check(method: keyof TransactionStore) {
    if (this.failing.has(method)) throw new Error(`${method} failed (injected)`)
  }

  private upsert(key: TransactionKey, firstWrite: Record<string, unknown>, now: string) {
    this.check('recordDelivery')
    const existing = this.get(key)
    const item: StoredItem = existing ?? { ...firstWrite, ...key, received_count: 0 }
    item.received_count = Number(item.received_count) + 1
    item.last_received_at = now
    this.items.set(`${key.transaction_id}|${key.event_type}`, item)
    return item
  }

  async recordDelivery(
    record: Parameters<TransactionStore['recordDelivery']>[0],
    claim: Parameters<TransactionStore['recordDelivery']>[1],
    now: string,
  ): Promise<DeliveryState> {
    const item = this.upsert(
      record,
      { ...record, status: 'claimed', claim_token: claim.token, lease_expires_at: claim.expiresAt },
      now,
    )
    const receivedCount = Number(item.received_count)
    return item.status === 'published'
      ? { status: 'published', messageId: String(item.message_id), receivedCount }
      : {
          status: 'claimed',
          claimToken: String(item.claim_token),
          leaseExpiresAt: Number(item.lease_expires_at),
          receivedCount,
        }
  }

  async takeOverClaim(
    key: TransactionKey,
    staleToken: string,
    claim: { token: string; expiresAt: number },
  ) {
    this.check('takeOverClaim')
    const item = this.get(key)
    const holder = item?.claim_token
    if (item?.status !== 'claimed' || (holder !== staleToken && holder !== claim.token))
      return false
    Object.assign(item, { claim_token: claim.token, lease_expires_at: claim.expiresAt })
    return true
  }

  async markPublished(key: TransactionKey, claimToken: string, publication: Publication) {
    this.check('markPublished')
    const item = this.get(key)
    if (item?.claim_token !== claimToken) return false
    Object.assign(item, {
      status: 'published',
      message_id: publication.messageId,
      published_at: publication.publishedAt,
    })
    const { ledger } = publication
    if (ledger) {
      item.ledger_status = ledger.status
      if (ledger.expectedBalance !== null) item.expected_balance = ledger.expectedBalance
      if (ledger.previousTransactionId !== null)
        item.previous_transaction_id = ledger.previousTransactionId
    }
    delete item.lease_expires_at
    return true
  }

  async releaseClaim(key: TransactionKey, claimToken: string, now: number) {
    this.check('releaseClaim')
    const item = this.get(key)
    if (item?.status === 'claimed' && item.claim_token === claimToken) item.lease_expires_at = now
  }

  async quarantine(record: QuarantineRecord) {
    this.check('quarantine')
    this.upsert(record, { ...record, status: 'quarantined' }, record.received_at)
  }

  /** The payload item of a transaction item, under the table's key. */
  payloadOf(key: TransactionKey): StoredItem | undefined {
    return this.get(payloadKey(key))
  }

  async storePayload({ payload, ...rest }: PayloadRecord) {
    this.check('storePayload')
    const key = payloadKey(rest)
    if (this.get(key)) return
    this.items.set(`${key.transaction_id}|${key.event_type}`, { ...rest, ...key, payload })
  }
}
