import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { defineCommand, EXIT, flag, UsageError } from '../cli/command'
import { formatTable, readCardLedger } from './card-ledger'

/** `npm run ledger`: one card's transactions in time order, with its balance chain's verdicts. */
export const ledgerCommand = defineCommand({
  name: 'ledger',
  summary: "one gift card's transactions, running balance and chain verdicts",
  usage: `<voucher id> [--json]

  <voucher id>  the card (its v_… id)
  --json        print JSON (for machines) instead of a table
Exit code 1 when the ledger holds no transaction of the card.`,
  options: { json: { type: 'boolean', default: false } },
  positionals: true,
  usesStage: true,
  read({ values, positionals }) {
    const [voucherId, ...others] = positionals
    if (voucherId === undefined || others.length > 0) throw new UsageError('Name one voucher id')
    return { voucherId, json: flag(values, 'json') }
  },
  async run({ voucherId, json }, { target, clients, io, signal }) {
    if (!target || !clients) throw new Error('ledger needs a stage')
    const documents = DynamoDBDocumentClient.from(clients.dynamodb)
    const ledger = await readCardLedger(documents, target.tableName, voucherId, signal)
    io.stdout(json ? JSON.stringify(ledger, null, 2) : formatTable(ledger))
    return ledger.transactions > 0 ? EXIT.done : EXIT.failed
  },
})
