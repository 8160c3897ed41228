import type { LedgerVerdict } from '../ledger/ledger-chain'
import type { LedgerEntry } from '../ledger/ledger-entry'
import { expiresAt } from '../privacy/retention'
import type { KeySource } from './idempotency-key'
import type { EventOrigin, ReceivedEvent } from './received-event'

export interface TransactionKey {
  /** The idempotency key: the gift transaction id when there is one. */
  transaction_id: string
  event_type: string
}

/**
 * What is written once per (transaction, event type), on its first delivery, and kept forever:
 * ids, amounts, balances, types and times, nothing personal (the payload is kept apart).
 */
export interface TransactionRecord extends TransactionKey, Omit<LedgerEntry, 'transaction_id'> {
  key_source: KeySource
  delivery: ReceivedEvent['delivery']
  webhook_id: string | null
  event_id: string | null
  project_id: string | null
  received_at: string
  /** Absent for webhook deliveries; `reconcile` for a transaction `npm run reconcile` took in. */
  origin?: EventOrigin
}

/** A delivery's right to publish, until `expiresAt` (epoch ms) when another may take it over. */
export interface Claim {
  token: string
  expiresAt: number
}

/** The stored item's state once a delivery has been recorded. */
export type DeliveryState =
  | { status: 'claimed'; claimToken: string; leaseExpiresAt: number; receivedCount: number }
  | { status: 'published'; messageId: string; receivedCount: number }

/** What the final write records: the message, and the transaction's chain verdict if it has one. */
export interface Publication {
  messageId: string
  publishedAt: string
  /** Stored as `ledger_status`, `expected_balance` and `previous_transaction_id` (when known). */
  ledger?: LedgerVerdict
}

/**
 * A delivery's body as received, written once beside its record and kept until `expires_at`
 * (epoch seconds; absent: forever): it holds the customer's personal data.
 */
export interface PayloadRecord extends TransactionKey {
  payload: string
  /** Whose personal data it holds, for erasure; absent when it names no customer. */
  customer_id?: string
  expires_at?: number
}

/**
 * A signed payload that failed its schema, kept until `expires_at` so that it can be replayed
 * after a fix. Without `payload` when its customer has been erased.
 */
export interface QuarantineRecord extends TransactionKey {
  /** `raw` when the payload came to the typed route: replaying it needs the event type. */
  delivery: ReceivedEvent['delivery']
  payload?: string
  issues: Array<{ path: string; message: string }>
  received_at: string
  customer_id?: string
  expires_at?: number
}

/**
 * Storage port of the idempotency state machine; see `claimTransaction` for the rules.
 * Every method takes the delivery's deadline: an aborted signal abandons the call.
 */
export interface TransactionStore {
  /** Stores the record on its first delivery (taking `claim`), counts every later one. */
  recordDelivery(
    record: TransactionRecord,
    claim: Claim,
    now: string,
    signal?: AbortSignal,
  ): Promise<DeliveryState>
  /** Replaces an expired claim; false when another delivery got there first. */
  takeOverClaim(
    key: TransactionKey,
    staleToken: string,
    claim: Claim,
    signal?: AbortSignal,
  ): Promise<boolean>
  /** Records the publication; false when the claim was lost to another delivery. */
  markPublished(
    key: TransactionKey,
    claimToken: string,
    publication: Publication,
    signal?: AbortSignal,
  ): Promise<boolean>
  /** Ends a claim early after a failed publish, so the next delivery need not wait out the lease. */
  releaseClaim(
    key: TransactionKey,
    claimToken: string,
    now: number,
    signal?: AbortSignal,
  ): Promise<void>
  quarantine(record: QuarantineRecord, signal?: AbortSignal): Promise<void>
  /** Writes the payload once; a payload already there is left as it is. */
  storePayload(record: PayloadRecord, signal?: AbortSignal): Promise<void>
}

export function toTransactionRecord(event: ReceivedEvent): TransactionRecord {
  const { transaction_id: _, ...entry } = event.entry
  return {
    transaction_id: event.idempotency.key,
    event_type: event.eventType,
    key_source: event.idempotency.source,
    ...entry,
    delivery: event.delivery,
    webhook_id: event.webhookId,
    event_id: event.eventId,
    project_id: event.projectId,
    received_at: event.receivedAt,
    ...(event.origin === undefined ? {} : { origin: event.origin }),
  }
}

/** The payload item of a delivery: kept `retentionDays` (0: forever). */
export function toPayloadRecord(event: ReceivedEvent, retentionDays: number): PayloadRecord {
  const expires = expiresAt(event.receivedAt, retentionDays)
  return {
    transaction_id: event.idempotency.key,
    event_type: event.eventType,
    payload: event.payload,
    ...(event.customerId === undefined ? {} : { customer_id: event.customerId }),
    ...(expires === undefined ? {} : { expires_at: expires }),
  }
}
