import { LEDGER_INDEX } from '../../lib/aws/transactions-table'

/** The voucher-ledger index as serverless.yml must declare it, from the table module. */
export const EXPECTED_LEDGER_INDEX = {
  IndexName: LEDGER_INDEX.name,
  KeySchema: [
    { AttributeName: LEDGER_INDEX.partitionKey, KeyType: 'HASH' },
    { AttributeName: LEDGER_INDEX.sortKey, KeyType: 'RANGE' },
  ],
  // Exactly what `npm run ledger` and reconcile read, besides the keys every index projects.
  Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...LEDGER_INDEX.projected] },
}
