import { CUSTOMER_INDEX, LEDGER_INDEX } from '../../lib/aws/transactions-table'

/** The table's indexes as serverless.yml must declare them, from the table module. */
export const EXPECTED_TABLE_INDEXES = [
  {
    IndexName: LEDGER_INDEX.name,
    KeySchema: [
      { AttributeName: LEDGER_INDEX.partitionKey, KeyType: 'HASH' },
      { AttributeName: LEDGER_INDEX.sortKey, KeyType: 'RANGE' },
    ],
    // Exactly what `npm run ledger` and reconcile read, besides the keys every index projects.
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...LEDGER_INDEX.projected] },
  },
  {
    IndexName: CUSTOMER_INDEX.name,
    KeySchema: [{ AttributeName: CUSTOMER_INDEX.partitionKey, KeyType: 'HASH' }],
    // Erasure deletes by key: nothing else is read.
    Projection: { ProjectionType: 'KEYS_ONLY' },
  },
]
