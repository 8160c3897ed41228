import { realErasureStore } from '../../lib/aws/dynamodb-erasure-store'
import { eraseCustomer } from '../../lib/privacy/erase-customer'
import type { ErasureStore, PersonalDataItem } from '../../lib/privacy/erasure-store'
import {
  type CliIo,
  type Command,
  defineCommand,
  EXIT,
  flag,
  text,
  UsageError,
} from '../cli/command'

/**
 * How long a real erasure waits before it looks again: a delivery that checked for an erasure
 * just before it was recorded stores its payload within its own timeout (9 s).
 */
export const ERASE_SETTLE_MS = 10_000

export interface EraseOptions {
  customerId: string
  dryRun: boolean
}

/** The item as the table names it: its kind and key, nothing of what it holds. */
const itemLine = ({ kind, key }: PersonalDataItem) =>
  `  ${kind} ${key.transaction_id} ${key.event_type}`

/**
 * Erases one customer's personal data through `erasures` (or, on a dry run, lists what would
 * go) and says what it found and did. The customer's id is said once, in the opening line.
 */
export async function runErase(
  deps: { erasures: ErasureStore; clock: () => Date },
  { customerId, dryRun }: EraseOptions,
  io: CliIo,
  { settleMs, signal, where }: { settleMs: number; signal?: AbortSignal; where: string },
): Promise<number> {
  io.stderr.write(
    `erase: customer ${customerId}; ${where}${dryRun ? '; dry run' : ''}` +
      (dryRun || settleMs === 0 ? '\n' : `; looks again after ${settleMs / 1000} s\n`),
  )
  const { found, erased } = await eraseCustomer(deps, customerId, {
    requestedBy: 'operator',
    dryRun,
    settleMs: dryRun ? 0 : settleMs,
    signal,
  })
  io.stdout(found.length === 0 ? 'erase: no item holds personal data of this customer' : 'found:')
  for (const item of found) io.stdout(itemLine(item))
  if (dryRun) {
    io.stdout(
      `erase: would erase ${found.length} item(s); dry run: nothing erased, no erasure recorded`,
    )
  } else {
    io.stdout(
      `erase: erased ${erased} item(s); erasure recorded, so what arrives for this customer ` +
        'from now on is kept without personal data',
    )
  }
  return EXIT.done
}

/** `npm run erase`, waiting `settleMs` before a real erasure's second look. */
export function eraseCommandFor({ settleMs }: { settleMs: number }): Command {
  return defineCommand<EraseOptions>({
    name: 'erase',
    summary: "erase one customer's personal data (payloads, quarantined payloads); keep the ledger",
    usage: `--customer ID [--dry-run] [options]

Records that the customer is erased (a salted hash of the id, never the id), then deletes every
item holding their personal data: stored payloads and quarantined payloads. Looks again after
${settleMs / 1000} s for a delivery under way. Transactions and ledgers hold nothing personal
and stay. What arrives for the customer later is kept without personal data. Erasing again is
harmless. What a customer.deleted webhook does, from here.

  --customer ID   the Voucherify customer (cust_…)
  --dry-run       list the items that would go; erase nothing, record nothing
Prints each item's kind and key, never what it holds.`,
    options: {
      customer: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
    usesStage: true,
    read({ values }) {
      const customerId = text(values, 'customer')?.trim()
      if (!customerId) throw new UsageError('Name the customer: --customer ID')
      return { customerId, dryRun: flag(values, 'dry-run') }
    },
    async run(options, { target, clients, io, signal }) {
      if (!target || !clients) throw new Error('erase needs a stage')
      const erasures = realErasureStore(clients.dynamodb, { tableName: target.tableName })
      return runErase({ erasures, clock: () => new Date() }, options, io, {
        settleMs,
        signal,
        where: `stage ${target.stage} (${target.region}), table ${target.tableName}`,
      })
    },
  })
}

/** `npm run erase`: one customer's personal data erased, on a local or deployed stage. */
export const eraseCommand = eraseCommandFor({ settleMs: ERASE_SETTLE_MS })
