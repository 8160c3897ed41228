import { DEFAULT_RETENTION, MIN_RETENTION_DAYS } from '../../lib/privacy/retention'
import { type CommandLine, defineCommand, flag, text, UsageError } from '../cli/command'
import { createProgress } from '../cli/progress'
import { fileCheckpoint, finishRun } from '../replay/run-pages'
import { type MigrateRequest, migrateTable } from './migrate-table'

const DEFAULT_PAGE_SIZE = 100

const USAGE = `[--dry-run] [--payload-retention-days N] [--quarantine-retention-days N] [options]

Moves a table written before the personal-data layout into it, once, after the deploy: each
transaction item's payload goes to a payload item of its own (gzipped, expiring received_at +
the payload retention; one already past it is dropped), holder_id, voucher_code and reason leave
the transaction item, and each quarantine item gets customer_id and expires_at. A payload of an
erased customer is not kept. Safe to run again: what is moved is not moved twice.

  --dry-run                      count what it would do; write nothing
  --payload-retention-days N     as the stage is deployed with (default ${DEFAULT_RETENTION.payloadDays}; 0 keeps forever)
  --quarantine-retention-days N  as the stage is deployed with (default ${DEFAULT_RETENTION.quarantineDays}; 0 keeps forever)
  --checkpoint FILE              record progress in FILE after every page
  --resume                       carry on from --checkpoint FILE where the last run stopped
  --page-size N                  items read per page and per checkpoint (default ${DEFAULT_PAGE_SIZE})`

interface MigrateOptions extends MigrateRequest {
  checkpoint?: string
}

/** `--<name>` as a whole number, `fallback` when not given. */
function wholeNumber(values: CommandLine['values'], name: string, fallback: number): number {
  const given = text(values, name)
  if (given === undefined) return fallback
  if (!/^\d+$/.test(given)) throw new UsageError(`--${name} must be a whole number, got "${given}"`)
  return Number(given)
}

/** Days as the function's settings take them: 0 (forever) or at least MIN_RETENTION_DAYS. */
function retentionDays(values: CommandLine['values'], name: string, fallback: number): number {
  const days = wholeNumber(values, name, fallback)
  if (days !== 0 && days < MIN_RETENTION_DAYS) {
    throw new UsageError(`--${name} must be 0 (keep forever) or at least ${MIN_RETENTION_DAYS}`)
  }
  return days
}

function readMigrateOptions(values: CommandLine['values']): MigrateOptions {
  const checkpoint = text(values, 'checkpoint')
  const resume = flag(values, 'resume')
  if (resume && checkpoint === undefined) throw new UsageError('--resume needs --checkpoint FILE')
  const pageSize = wholeNumber(values, 'page-size', DEFAULT_PAGE_SIZE)
  if (pageSize === 0) throw new UsageError('--page-size must be above 0')
  return {
    retention: {
      payloadDays: retentionDays(values, 'payload-retention-days', DEFAULT_RETENTION.payloadDays),
      quarantineDays: retentionDays(
        values,
        'quarantine-retention-days',
        DEFAULT_RETENTION.quarantineDays,
      ),
    },
    dryRun: flag(values, 'dry-run'),
    resume,
    pageSize,
    checkpoint,
  }
}

/** `npm run migrate`: moves a stage's table into the personal-data layout. */
export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'move a table written before the personal-data layout into it',
  usage: USAGE,
  options: {
    'dry-run': { type: 'boolean', default: false },
    'payload-retention-days': { type: 'string' },
    'quarantine-retention-days': { type: 'string' },
    checkpoint: { type: 'string' },
    resume: { type: 'boolean', default: false },
    'page-size': { type: 'string' },
  },
  usesStage: true,
  read: ({ values }) => readMigrateOptions(values),
  async run(options: MigrateOptions, { target, clients, io, signal }) {
    if (!target || !clients) throw new Error('migrate needs a stage')
    const what = `migrate${options.dryRun ? ' (dry run)' : ''}`
    const where = `stage ${target.stage}, region ${target.region}, table ${target.tableName}`
    const resume = options.checkpoint && `carry on with --resume --checkpoint ${options.checkpoint}`
    const progress = createProgress({ stream: io.stderr })
    if (io.stderr.isTTY) progress.note(`${what}: ${where}`)
    return finishRun(progress, { what, where, resume }, () =>
      migrateTable(
        {
          client: clients.dynamodb,
          tableName: target.tableName,
          checkpoint:
            options.checkpoint === undefined ? undefined : fileCheckpoint(options.checkpoint),
          progress,
          signal,
          clock: () => new Date(),
        },
        options,
      ),
    )
  },
})
