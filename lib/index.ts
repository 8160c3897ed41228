// lib/'s public surface: what the operator tools and the benchmark use of the domain. The
// Lambda's handler imports its modules directly, so that its bundle holds only what it runs.

export { realAttestationStore } from './aws/dynamodb-attestation-store'
export { realSweepStore } from './aws/dynamodb-sweep-store'
export {
  ITEM_STATUS,
  type ItemKey,
  itemKeys,
  LEDGER_ATTRIBUTES,
  LEDGER_INDEX,
} from './aws/transactions-table'
export { buildDeps, type Deps } from './deps'
export { toLedgerEntry } from './ledger/ledger-entry'
export type { LedgerStore } from './ledger/ledger-store'
export {
  buildMessage,
  messageFits,
  messageSize,
  type OutgoingMessage,
} from './receive/build-message'
export { claimTransaction } from './receive/claim-transaction'
export { idempotencyKeyFor } from './receive/idempotency-key'
export { jsonMemberText } from './receive/json-member-text'
export { MAX_BODY_BYTES, SNS_MAX_MESSAGE_BYTES } from './receive/limits'
export { readPayload } from './receive/read-payload'
export { receiveWebhook, type WebhookDelivery } from './receive/receive-webhook'
export { SIGNATURE_HEADER, verifySignature } from './receive/signature'
export { type TransactionStore, toTransactionRecord } from './receive/transaction-store'
export { staticWebhookSecrets } from './receive/webhook-secrets'
export { GiftTransactionTypeSchema } from './schemas/gift-event-parts'
export { eventSchemas, type SupportedEventType, supportedEventTypes } from './schemas/registry'
export { eventTypeOf, WebhookEnvelopeSchema } from './schemas/webhook-envelope'
export { voucherifySweepApi } from './sweep/sweep-api'
export {
  type CampaignSweep,
  type SweepApi,
  type SweepSettings,
  sweepCampaigns,
} from './sweep/sweep-campaigns'
export { readSweepConfig } from './sweep/sweep-config'
export { API_TRANSACTION_EVENT_TYPE } from './voucherify/transaction-payload'
