// `npm run ledger -- <voucher id> [--json] [--stage STAGE] [--table NAME]`: one gift card's
// transactions in time order, with a running balance and the chain's gap and out-of-order flags.
import { parseArgs } from 'node:util'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { DEFAULT_REGION, tableNameFor } from './deployed-stage'
import { buildLedger, formatTable, readCardItems } from './ledger/card-ledger'
import { localEndpoints } from './local/local-ports'

const USAGE = `Usage: npm run ledger -- <voucher id> [options]

  --json          print JSON (for machines) instead of a table
  --stage STAGE   default local (DynamoDB Local of \`npm start\`, port $DYNAMODB_PORT or 8000);
                  any other stage reads AWS with the default credential and region chain
  --table NAME    default ${tableNameFor('<stage>')}`

interface LedgerOptions {
  voucherId: string
  json: boolean
  stage: string
  table: string
}

function readOptions(argv: string[]): LedgerOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      stage: { type: 'string', default: 'local' },
      table: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  const [voucherId] = positionals
  if (values.help || voucherId === undefined || positionals.length > 1) throw new Error(USAGE)
  return {
    voucherId,
    json: values.json,
    stage: values.stage,
    table: values.table ?? tableNameFor(values.stage),
  }
}

/** The local stage's emulator with fixed credentials (as scripts/local do), else AWS as configured. */
function clientFor(stage: string): DynamoDBClient {
  if (stage !== 'local') return new DynamoDBClient({})
  return new DynamoDBClient({
    region: process.env.AWS_REGION ?? DEFAULT_REGION,
    endpoint: localEndpoints(process.env).dynamodb,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
}

async function printLedger(options: LedgerOptions): Promise<boolean> {
  const client = clientFor(options.stage)
  try {
    const documents = DynamoDBDocumentClient.from(client)
    const items = await readCardItems(documents, options.table, options.voucherId)
    const ledger = buildLedger(options.voucherId, items)
    console.log(options.json ? JSON.stringify(ledger, null, 2) : formatTable(ledger))
    return ledger.transactions > 0
  } finally {
    client.destroy()
  }
}

Promise.resolve()
  .then(() => printLedger(readOptions(process.argv.slice(2))))
  .then(
    (found) => process.exit(found ? 0 : 1),
    (error: Error) => {
      console.error(error.message)
      process.exit(2)
    },
  )
