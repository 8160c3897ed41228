// `npm run migrate` against DynamoDB Local with the real SDK clients. Each test fills a table of
// its own with the code as it was before the personal-data layout (commit cc94a64, taken out of
// git and bundled with esbuild), then moves it into the new layout.

import { execSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { buildSync } from 'esbuild'
import { realErasureStore } from '../../../lib/aws/dynamodb-erasure-store'
import { decodePayload } from '../../../lib/aws/payload-encoding'
import { itemKeys } from '../../../lib/aws/transactions-table'
import { runOperatorCli } from '../../../scripts/cli/main'
import type { Progress } from '../../../scripts/cli/progress'
import {
  type MigrateDeps,
  type MigrateRequest,
  migrateTable,
} from '../../../scripts/migrate/migrate-table'
import { fileCheckpoint } from '../../../scripts/replay/run-pages'
import {
  type IsolatedStage,
  isolatedStage,
  scanTable,
} from '../../support/emulators/isolated-stage'
import { localClients } from '../../support/emulators/local-aws'

/** The last commit whose transaction items kept the payload and the holder. */
const OLD_LAYOUT_COMMIT = 'cc94a64'
const DAY_SECONDS = 86_400
const EVENT_TYPES = [
  'voucher.gift.transaction.created',
  'customer.voucher.gift.balance_added',
  'voucher.gift.balance_added',
] as const
const PERSONAL_ATTRIBUTES = ['payload', 'holder_id', 'voucher_code', 'reason']

/** What the old code's bundle offers: a store on a table, and sample bodies. */
interface OldLayout {
  /** Takes a body in as the old receiver did: stored and marked published, or quarantined. */
  deliver(
    tableName: string,
    body: string,
    receivedAt: string,
  ): Promise<{ transaction_id: string; event_type: string }>
  giftEventBody(eventType: string, change?: (data: Record<string, unknown>) => void): string
}

/** The receiver of cc94a64 in its own words, with its own copy of the SDK. */
const OLD_ENTRY = `
import { randomUUID } from 'node:crypto'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { realTransactionStore } from './lib/aws/dynamodb-transaction-store'
import { readPayload } from './lib/receive/read-payload'
import { quarantineKeyFor } from './lib/receive/receive-webhook'
import { toTransactionRecord } from './lib/receive/transaction-store'
import { envelopeFor, giftEventData } from './scripts/sample-events'

const client = new DynamoDBClient({
  region: process.env.AWS_REGION,
  endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
})

export function giftEventBody(eventType, change = () => {}) {
  const data = giftEventData(eventType)
  change(data)
  return JSON.stringify(envelopeFor(eventType, data))
}

export async function deliver(tableName, body, receivedAt) {
  const store = realTransactionStore(client, { tableName })
  const bytes = Buffer.from(body)
  const read = readPayload({ body: bytes, pathEventType: undefined }, receivedAt)
  if (read.ok) {
    const record = toTransactionRecord(read.event)
    const claim = { token: randomUUID(), expiresAt: Date.parse(receivedAt) + 30_000 }
    await store.recordDelivery(record, claim, receivedAt)
    await store.markPublished(record, claim.token, { messageId: randomUUID(), publishedAt: receivedAt })
    return { transaction_id: record.transaction_id, event_type: record.event_type }
  }
  if (read.outcome.status !== 'invalid') throw new Error('Not stored: ' + read.outcome.status)
  const key = { transaction_id: quarantineKeyFor(bytes), event_type: read.outcome.eventType }
  await store.quarantine({
    ...key,
    delivery: 'envelope',
    payload: body,
    issues: read.outcome.issues,
    received_at: receivedAt,
  })
  return key
}
`

const repoRoot = resolve(__dirname, '../../..')
let oldCodeDir: string
let oldLayout: OldLayout
let workDir: string

beforeAll(() => {
  oldCodeDir = mkdtempSync(join(tmpdir(), 'old-layout-'))
  execSync(
    `git archive ${OLD_LAYOUT_COMMIT} lib scripts/sample-events.ts scripts/samples | tar -x -C ${oldCodeDir}`,
    { cwd: repoRoot },
  )
  writeFileSync(join(oldCodeDir, 'old-layout.ts'), OLD_ENTRY)
  buildSync({
    entryPoints: [join(oldCodeDir, 'old-layout.ts')],
    outfile: join(oldCodeDir, 'old-layout.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    nodePaths: [join(repoRoot, 'node_modules')],
    logLevel: 'error',
  })
  oldLayout = require(join(oldCodeDir, 'old-layout.js')) as OldLayout
})

beforeEach(() => {
  workDir = mkdtempSync(join(tmpdir(), 'migrate-'))
})

afterEach(() => rmSync(workDir, { recursive: true, force: true }))
afterAll(() => rmSync(oldCodeDir, { recursive: true, force: true }))

const clients = localClients()
const _documents = DynamoDBDocumentClient.from(clients.dynamodb)
const silentProgress: Progress = { update() {}, note() {}, finish() {} }

const isoDaysAgo = (days: number) => new Date(Date.now() - days * DAY_SECONDS * 1000).toISOString()
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000)

interface Stored {
  key: { transaction_id: string; event_type: string }
  body: string
  receivedAt: string
}

/** A table as the old code left it: transactions of every type, an old one, quarantined ones. */
async function oldTable(stage: IsolatedStage) {
  const deliver = async (body: string, receivedAt: string): Promise<Stored> => ({
    key: await oldLayout.deliver(stage.tableName, body, receivedAt),
    body,
    receivedAt,
  })
  const recent: Stored[] = []
  for (const [index, eventType] of [...EVENT_TYPES, ...EVENT_TYPES].entries()) {
    recent.push(await deliver(oldLayout.giftEventBody(eventType), isoDaysAgo(index + 1)))
  }
  const expired = await deliver(oldLayout.giftEventBody(EVENT_TYPES[0]), isoDaysAgo(40))
  const withoutBalance = (data: Record<string, unknown>) => {
    delete data.balance
  }
  const quarantined = [
    await deliver(oldLayout.giftEventBody(EVENT_TYPES[0], withoutBalance), isoDaysAgo(2)),
    await deliver(oldLayout.giftEventBody(EVENT_TYPES[1], withoutBalance), isoDaysAgo(3)),
  ]
  return { recent, expired, quarantined }
}

async function allItems(stage: IsolatedStage): Promise<Array<Record<string, unknown>>> {
  const name = (item: Record<string, unknown>) => `${item.transaction_id} ${item.event_type}`
  return (await scanTable(stage.tableName)).sort((a, b) => name(a).localeCompare(name(b)))
}

const item = (stage: IsolatedStage, key: Stored['key']) =>
  stage.item(key.transaction_id, key.event_type)

function migrate(
  stage: IsolatedStage,
  request: Partial<MigrateRequest> = {},
  deps: Partial<MigrateDeps> = {},
) {
  return migrateTable(
    {
      client: clients.dynamodb,
      tableName: stage.tableName,
      checkpoint: undefined,
      progress: silentProgress,
      clock: () => new Date(),
      ...deps,
    },
    {
      retention: { payloadDays: 30, quarantineDays: 30 },
      dryRun: false,
      resume: false,
      pageSize: 100,
      ...request,
    },
  )
}

describe('migrateTable', () => {
  it('leaves no payload, holder, voucher code or reason on any transaction item', async () => {
    const stage = await isolatedStage()
    const { recent, expired } = await oldTable(stage)

    await migrate(stage)

    for (const { key } of [...recent, expired]) {
      const migrated = await item(stage, key)
      expect(migrated).toBeDefined()
      for (const attribute of PERSONAL_ATTRIBUTES) expect(migrated).not.toHaveProperty(attribute)
    }
  })

  it('moves each payload into a payload item that gunzips to the body as received and expires 30 days after it', async () => {
    const stage = await isolatedStage()
    const { recent } = await oldTable(stage)

    await migrate(stage)

    for (const { key, body, receivedAt } of recent) {
      const payload = await item(stage, itemKeys.payload(key))
      expect(decodePayload(payload?.payload_gzip as Uint8Array)).toBe(body)
      expect(payload?.expires_at).toBe(epochSeconds(receivedAt) + 30 * DAY_SECONDS)
      expect(payload?.customer_id).toMatch(/^cust_/)
    }
  })

  it('drops a payload already past its retention and counts it as expired', async () => {
    const stage = await isolatedStage()
    const { expired } = await oldTable(stage)

    const result = await migrate(stage)

    expect(await item(stage, itemKeys.payload(expired.key))).toBeUndefined()
    expect(result.counts).toMatchObject({ migrated: 6, expired: 1 })
  })

  it('gives each quarantine item its customer and an expiry, and keeps its payload', async () => {
    const stage = await isolatedStage()
    const { quarantined } = await oldTable(stage)

    const result = await migrate(stage)

    for (const { key, body, receivedAt } of quarantined) {
      const migrated = await item(stage, key)
      expect(migrated).toMatchObject({
        payload: body,
        customer_id: expect.stringMatching(/^cust_/),
        expires_at: epochSeconds(receivedAt) + 30 * DAY_SECONDS,
        status: 'quarantined',
      })
    }
    expect(result.counts.quarantine_updated).toBe(2)
  })

  it('leaves every other attribute of the transaction items as it was', async () => {
    const stage = await isolatedStage()
    const { recent } = await oldTable(stage)
    const before = await Promise.all(recent.map(({ key }) => item(stage, key)))

    await migrate(stage)

    const after = await Promise.all(recent.map(({ key }) => item(stage, key)))
    const withoutPersonal = (stored: Record<string, unknown> | undefined) =>
      Object.fromEntries(
        Object.entries(stored ?? {}).filter(([name]) => !PERSONAL_ATTRIBUTES.includes(name)),
      )
    expect(after).toEqual(before.map(withoutPersonal))
    expect(after[0]).toMatchObject({
      status: 'published',
      voucher_id: expect.any(String),
      balance_after: expect.any(Number),
    })
  })

  it('changes nothing and counts nothing when run again after a finished run', async () => {
    const stage = await isolatedStage()
    await oldTable(stage)
    await migrate(stage)
    const migrated = await allItems(stage)

    const again = await migrate(stage)

    expect(await allItems(stage)).toEqual(migrated)
    expect(again.counts).toMatchObject({
      matched: 0,
      migrated: 0,
      expired: 0,
      erased: 0,
      quarantine_updated: 0,
      unchanged: 0,
    })
  })

  it('resumes an interrupted run from its checkpoint and ends as a run without a stop does', async () => {
    const interruptedStage = await isolatedStage()
    const wholeStage = await isolatedStage()
    await oldTable(interruptedStage)
    await oldTable(wholeStage)
    const checkpoint = fileCheckpoint(join(workDir, 'migrate.json'))
    const stop = new AbortController()
    const stopAfterTwo: Progress = {
      ...silentProgress,
      update: (counts) => (counts.migrated ?? 0) >= 2 && stop.abort(),
    }

    const first = await migrate(
      interruptedStage,
      { pageSize: 3 },
      { checkpoint, progress: stopAfterTwo, signal: stop.signal },
    )
    const resumed = await migrate(interruptedStage, { pageSize: 3, resume: true }, { checkpoint })
    await migrate(wholeStage)

    expect(first.status).toBe('interrupted')
    expect(resumed.status).toBe('complete')
    expect(first.counts.migrated).toBe(2)
    expect(resumed.counts).toMatchObject({ migrated: 6, expired: 1, quarantine_updated: 2 })
    const shape = (items: Array<Record<string, unknown>>) =>
      items.map((stored) => Object.keys(stored).sort()).sort()
    expect(shape(await allItems(interruptedStage))).toEqual(shape(await allItems(wholeStage)))
    expect(await allItems(interruptedStage)).not.toContainEqual(
      expect.objectContaining({ payload: expect.anything(), key_source: expect.anything() }),
    )
  })

  it('writes nothing on a dry run and counts what it would do', async () => {
    const stage = await isolatedStage()
    await oldTable(stage)
    const before = await allItems(stage)

    const result = await migrate(stage, { dryRun: true })

    expect(await allItems(stage)).toEqual(before)
    expect(result.counts).toMatchObject({ migrated: 6, expired: 1, quarantine_updated: 2 })
  })

  it('keeps no payload of a customer erased before the migration', async () => {
    const stage = await isolatedStage()
    const erasedCustomer = 'cust_erased_before_migration'
    const body = oldLayout.giftEventBody('customer.voucher.gift.balance_added', (data) => {
      ;(data.customer as { id: string }).id = erasedCustomer
    })
    const key = await oldLayout.deliver(stage.tableName, body, isoDaysAgo(1))
    await realErasureStore(clients.dynamodb, { tableName: stage.tableName }).recordErasure(
      erasedCustomer,
      { at: new Date().toISOString(), requestedBy: 'operator' },
    )

    const result = await migrate(stage)

    expect(await item(stage, itemKeys.payload(key))).toBeUndefined()
    expect(await item(stage, key)).not.toHaveProperty('payload')
    expect(result.counts).toMatchObject({ erased: 1, migrated: 0 })
  })
})

describe('npm run migrate', () => {
  const emulatorPorts = () => ({
    ...process.env,
    DYNAMODB_PORT: new URL(process.env.AWS_ENDPOINT_URL_DYNAMODB as string).port,
    FAUXQS_PORT: new URL(process.env.AWS_ENDPOINT_URL_SNS as string).port,
  })

  async function runCli(args: string[]) {
    const stderr: string[] = []
    const code = await runOperatorCli(['migrate', ...args], {
      env: emulatorPorts(),
      stdout: () => {},
      stderr: { write: (text: string) => stderr.push(text), isTTY: false },
    })
    return { code, stderr: stderr.join('').split('\n').filter(Boolean) }
  }

  it('migrates the local stage with a checkpoint and ends with one summary line', async () => {
    const stage = await isolatedStage()
    await oldTable(stage)
    const checkpointFile = join(workDir, 'migrate.json')

    const run = await runCli(['--table', stage.tableName, '--checkpoint', checkpointFile])

    expect(run.code).toBe(0)
    expect(run.stderr).toHaveLength(1)
    expect(run.stderr[0]).toMatch(
      /^migrate complete \(stage local, .*\): .*migrated=6 expired=1 erased=0 quarantine_updated=2 unchanged=0$/,
    )
    expect(existsSync(checkpointFile)).toBe(true)
  })

  it('refuses a retention below the least the function accepts, with the usage', async () => {
    const run = await runCli(['--payload-retention-days', '1'])

    expect(run.code).toBe(2)
    expect(run.stderr[0]).toMatch(/--payload-retention-days must be 0 \(keep forever\) or at least/)
  })
})
