import type { ParseArgsOptionsConfig } from 'node:util'
import { DEFAULT_REGION, LOCAL_STAGE, tableNameFor } from '../deployed-stage'

/** The options every operator command takes, read once, before the command's own. */
export const GLOBAL_OPTIONS = {
  stage: { type: 'string', default: LOCAL_STAGE },
  region: { type: 'string' },
  table: { type: 'string' },
  'topic-arn-prefix': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig

export const STAGE_USAGE = `Stage options (every command that reads or writes a stage):
  --stage STAGE         default ${LOCAL_STAGE}: the emulators of \`npm start\` (DYNAMODB_PORT, FAUXQS_PORT);
                        any other stage is the deployed stack, reached with the standard AWS
                        credential chain; its table, topics and FIFO come from the stack's outputs
  --region R            default: the SDK's chain (AWS_REGION, the profile's region), else ${DEFAULT_REGION}
  --table NAME          override the table (default the stack's, e.g. ${tableNameFor('<stage>')})
  --topic-arn-prefix P  override the topics (arn:aws:sns:<region>:<account>:<service>-<stage>-)
  --help, -h            this text`

export const EXIT_USAGE = 'Exit codes: 0 done, 1 failed, 2 wrong options, 130 interrupted.'
