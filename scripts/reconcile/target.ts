import { ListTopicsCommand, type SNSClient } from '@aws-sdk/client-sns'
import { topicNameFor } from '../../lib/event-publisher'
import { DEFAULT_REGION, LOCAL_STAGE, SERVICE, tableNameFor } from '../deployed-stage'
import { localEndpoints } from '../local/local-ports'
import { RECONCILE_EVENT_TYPE } from './transaction-payload'

export interface ReconcileTarget {
  stage: string
  region: string
  tableName: string
  /** '.fifo' for a stage deployed with `--param fifoTopics=true`. */
  topicNameSuffix: '' | '.fifo'
  /** The local stage's emulators; undefined for a deployed stage (AWS itself). */
  endpoints?: { dynamodb: string; sns: string }
}

export class TargetError extends Error {
  override name = 'TargetError'
}

/**
 * Where reconcile reads the ledger and publishes. The local stage: the emulators of `npm start`
 * (or the AWS_ENDPOINT_URL_* ones). A deployed stage: AWS, in `region` or AWS_REGION or
 * serverless.yml's default; the table is named as serverless.yml names it.
 */
export function reconcileTarget(
  options: { stage: string; region?: string; table?: string; fifoTopics: boolean },
  env: NodeJS.ProcessEnv,
): ReconcileTarget {
  const { stage } = options
  const region = options.region ?? env.AWS_REGION ?? DEFAULT_REGION
  const common = {
    stage,
    region,
    tableName: options.table ?? tableNameFor(stage),
    topicNameSuffix: options.fifoTopics ? '.fifo' : '',
  } as const
  if (stage !== LOCAL_STAGE) return common
  const { dynamodb, sns } = localEndpoints(env)
  return { ...common, endpoints: { dynamodb, sns } }
}

/**
 * The stage's TOPIC_ARN_PREFIX (`arn:<partition>:sns:<region>:<account>:<service>-<stage>-`),
 * from the ARN of its `voucher.gift.transaction.created` topic, found by name.
 */
export async function findTopicArnPrefix(sns: SNSClient, target: ReconcileTarget): Promise<string> {
  const ownPart = topicNameFor(RECONCILE_EVENT_TYPE) + target.topicNameSuffix
  const name = `${SERVICE}-${target.stage}-${ownPart}`
  let NextToken: string | undefined
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken }))
    const arn = page.Topics?.find(({ TopicArn }) => TopicArn?.split(':').at(-1) === name)?.TopicArn
    if (arn) return arn.slice(0, -ownPart.length)
    NextToken = page.NextToken
  } while (NextToken)
  const other =
    target.topicNameSuffix === '' ? 'with FIFO topics (--fifo)' : 'with standard topics (no --fifo)'
  throw new TargetError(
    `No SNS topic ${name} in ${target.region}: is stage ${target.stage} deployed there, or ${other}?`,
  )
}
