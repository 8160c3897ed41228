import {
  type AttributeValue,
  type DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import type { HeadExpectation, LedgerHead, LedgerStatus, LedgerStep } from '../ledger/ledger-chain'
import type { LedgerStore, StepResult } from '../ledger/ledger-store'
import { itemKeys } from './transactions-table'

export interface DynamoDbLedgerConfig {
  tableName: string
}

/** The head's condition for each expectation, and the values it names. */
function headCondition(expects: HeadExpectation): {
  condition: string
  values: Record<string, unknown>
} {
  switch (expects.kind) {
    case 'absent':
      return { condition: 'attribute_not_exists(head_transaction_id)', values: {} }
    case 'is':
      return {
        condition: 'head_transaction_id = :expectedHead',
        values: { ':expectedHead': expects.transactionId },
      }
    case 'continues':
      return {
        // The head before the entry in chain order (ledger-chain.ts `isBefore`).
        condition:
          'attribute_not_exists(head_transaction_id) OR (head_balance = :before AND ' +
          '(head_created_ms < :createdMs OR ' +
          '(head_created_ms = :createdMs AND head_transaction_id < :transactionId)))',
        values: {
          ':before': expects.balance,
          ':createdMs': expects.createdMs,
          ':transactionId': expects.transactionId,
        },
      }
  }
}

/** The head's update: move it to `next`, or (out of order) leave it and count. */
function headUpdate(step: LedgerStep, at: string) {
  const counter = { ok: undefined, gap: 'gap_count', out_of_order: 'out_of_order_count' }[
    step.verdict.status
  ]
  const adds = ['applied_count :one', ...(counter ? [`${counter} :one`] : [])]
  const { next } = step
  const sets = next
    ? 'head_transaction_id = :headId, head_created_at = :headCreatedAt, ' +
      'head_created_ms = :headCreatedMs, head_balance = :headBalance, updated_at = :at'
    : 'updated_at = :at'
  const values: Record<string, unknown> = { ':one': 1, ':at': at }
  if (next) {
    Object.assign(values, {
      ':headId': next.transactionId,
      ':headCreatedAt': next.createdAt,
      ':headCreatedMs': next.createdMs,
      ':headBalance': next.balance,
    })
  }
  return { update: `SET ${sets} ADD ${adds.join(', ')}`, values }
}

// The SDK does not convert the items of a cancelled transaction; these are all the types read.
const text = (value: AttributeValue | undefined) => (value?.S === undefined ? null : value.S)
const number = (value: AttributeValue | undefined) =>
  value?.N === undefined ? null : Number(value.N)

function headOf(item: Record<string, AttributeValue> | undefined): LedgerHead | undefined {
  const transactionId = text(item?.head_transaction_id)
  if (item === undefined || transactionId === null) return undefined
  return {
    transactionId,
    createdAt: text(item.head_created_at) ?? '',
    createdMs: number(item.head_created_ms) ?? 0,
    balance: number(item.head_balance) ?? 0,
  }
}

export function realLedgerStore(client: DynamoDBClient, config: DynamoDbLedgerConfig): LedgerStore {
  const documents = DynamoDBDocumentClient.from(client)
  const { tableName } = config

  return {
    async applyStep(step, applied, signal): Promise<StepResult> {
      const { entry, verdict } = step
      const head = headCondition(step.expects)
      const headWrite = headUpdate(step, applied.at)
      const stepValues: Record<string, unknown> = {
        ':status': verdict.status,
        ':at': applied.at,
        ':eventType': applied.eventType,
      }
      const stepSets = [
        'ledger_status = :status',
        'applied_at = :at',
        'applied_event_type = :eventType',
      ]
      // Left out rather than stored as NULL when not known.
      if (verdict.expectedBalance !== null) {
        stepSets.push('expected_balance = :expected')
        stepValues[':expected'] = verdict.expectedBalance
      }
      if (verdict.previousTransactionId !== null) {
        stepSets.push('previous_transaction_id = :previous')
        stepValues[':previous'] = verdict.previousTransactionId
      }
      try {
        await documents.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  // Written with the head in one transaction: what makes a step once only.
                  Key: itemKeys.ledgerStep(entry.transactionId),
                  UpdateExpression: `SET ${stepSets.join(', ')}`,
                  ConditionExpression: 'attribute_not_exists(transaction_id)',
                  ExpressionAttributeValues: stepValues,
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: itemKeys.ledgerHead(entry.voucherId),
                  UpdateExpression: headWrite.update,
                  ConditionExpression: head.condition,
                  ExpressionAttributeValues: { ...headWrite.values, ...head.values },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
            ],
          }),
          { abortSignal: signal },
        )
        return { status: 'applied' }
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error
        const [stepReason, headReason] = error.CancellationReasons ?? []
        // The step item first: once it exists, the head no longer matters to this transaction.
        if (stepReason?.Code === 'ConditionalCheckFailed') {
          const item = stepReason.Item ?? {}
          return {
            status: 'already_applied',
            verdict: {
              status: (text(item.ledger_status) ?? 'ok') as LedgerStatus,
              expectedBalance: number(item.expected_balance),
              previousTransactionId: text(item.previous_transaction_id),
            },
          }
        }
        if (headReason?.Code === 'ConditionalCheckFailed') {
          return { status: 'head_changed', head: headOf(headReason.Item) }
        }
        const codes = [stepReason?.Code, headReason?.Code]
        if (codes.includes('TransactionConflict')) return { status: 'conflict' }
        throw error
      }
    },
  }
}
