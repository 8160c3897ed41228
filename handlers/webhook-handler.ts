import type { Logger } from '@aws-lambda-powertools/logger'
import type { Metrics } from '@aws-lambda-powertools/metrics'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'
import type { Deps } from '../lib/deps'
import { type EarlyRejection, recordOutcome } from '../lib/outcome-metrics'
import { receiveWebhook, type WebhookOutcome } from '../lib/receive/receive-webhook'
import { SIGNATURE_HEADER } from '../lib/receive/signature'
import type { SourceIpAllowList } from '../lib/receive/source-ip-allow-list'

const JSON_CONTENT_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i
/** How long Voucherify should wait before retrying an answer that asks for a retry. */
const RETRY_AFTER_SECONDS = '30'
/** Time kept back from the Lambda timeout to answer and log after the deadline aborts. */
const ANSWER_MARGIN_MS = 500
/** The budget without a Lambda context (tests, scripts): well inside the 9 s timeout. */
const DEFAULT_BUDGET_MS = 8_000

/** What the handler works with; the Lambda's come from its environment (handlers/webhook.ts). */
export interface WebhookHandlerDeps {
  deps: Deps
  allowedSourceIps: SourceIpAllowList | undefined
  logger: Logger
  metrics: Metrics
}

export type WebhookHandler = (
  event: APIGatewayProxyEventV2,
  context?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>

/**
 * The HTTP API's handler: refuses what HTTP alone tells apart, lifts the event into a delivery,
 * hands it to receiveWebhook, and maps the outcome to an answer, a metric and a log line.
 */
export function createWebhookHandler({
  deps,
  allowedSourceIps,
  logger,
  metrics,
}: WebhookHandlerDeps): WebhookHandler {
  const logOutcome = outcomeLogger(logger)
  return async (event, context) => {
    const started = performance.now()
    // Every line of this invocation carries the Lambda and API Gateway request ids.
    logger.resetKeys()
    if (context) logger.addContext(context)
    logger.setCorrelationId(event.requestContext.requestId)
    const refusal = refuseEarly(event, allowedSourceIps)
    if (refusal) {
      recordOutcome(metrics, refusal, performance.now() - started)
      const answered = EARLY_ANSWERS[refusal]
      logger.warn('webhook rejected', {
        outcome: 'rejected',
        http_status: answered.statusCode,
        reason: refusal,
      })
      return answered
    }

    const budgetMs = context
      ? context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS
      : DEFAULT_BUDGET_MS
    const outcome = await receiveWebhook(
      deps,
      {
        body: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8'),
        signature: event.headers[SIGNATURE_HEADER],
        pathEventType: event.pathParameters?.eventType,
      },
      AbortSignal.timeout(Math.max(budgetMs, 0)),
    )
    const result = toHttpAnswer(outcome)
    recordOutcome(metrics, outcome, performance.now() - started)
    logOutcome(outcome, result.statusCode)
    return result
  }
}

/** HTTP-level refusals, before anything in the body is looked at. */
function refuseEarly(
  event: APIGatewayProxyEventV2,
  allowedSourceIps: SourceIpAllowList | undefined,
): EarlyRejection | undefined {
  const { method, sourceIp } = event.requestContext.http
  if (allowedSourceIps && !allowedSourceIps.allows(sourceIp)) {
    return 'source_ip_not_allowed'
  }
  if (method !== 'POST') return 'method_not_allowed'
  const contentType = event.headers['content-type']
  if (contentType !== undefined && !JSON_CONTENT_TYPE.test(contentType)) {
    return 'unsupported_media_type'
  }
  return undefined
}

function answer(
  statusCode: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 & { statusCode: number } {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }
}

const EARLY_ANSWERS: Record<EarlyRejection, APIGatewayProxyStructuredResultV2> = {
  source_ip_not_allowed: answer(403, {
    status: 'rejected',
    code: 'source_ip_not_allowed',
    message: 'Webhooks are not accepted from this address',
  }),
  method_not_allowed: answer(
    405,
    { status: 'rejected', code: 'method_not_allowed', message: 'Use POST' },
    { allow: 'POST' },
  ),
  unsupported_media_type: answer(415, {
    status: 'rejected',
    code: 'unsupported_media_type',
    message: 'Send the webhook as application/json',
  }),
}

function toHttpAnswer(outcome: WebhookOutcome) {
  switch (outcome.status) {
    case 'accepted':
    case 'duplicate':
      return answer(200, {
        status: outcome.status,
        event_type: outcome.eventType,
        idempotency_key: outcome.idempotencyKey,
        transaction_id: outcome.transactionId,
        message_id: outcome.messageId,
      })
    case 'in_flight':
      return answer(
        409,
        {
          status: 'in_flight',
          code: 'delivery_in_flight',
          message: 'Another delivery of this event is being processed; retry later',
          event_type: outcome.eventType,
          idempotency_key: outcome.idempotencyKey,
        },
        { 'retry-after': RETRY_AFTER_SECONDS },
      )
    case 'ignored':
      return answer(202, { status: 'ignored', event_type: outcome.eventType })
    case 'erased':
      return answer(200, {
        status: 'erased',
        event_type: outcome.eventType,
        items_erased: outcome.itemsErased,
      })
    case 'unauthorized':
      return answer(401, {
        status: 'rejected',
        code: outcome.reason,
        message: `The ${SIGNATURE_HEADER} header is missing or does not match the body`,
      })
    case 'bad_request':
      return answer(400, {
        status: 'rejected',
        code: outcome.reason,
        message: outcome.message,
        ...(outcome.issues ? { issues: outcome.issues } : {}),
      })
    case 'too_large':
      return answer(413, {
        status: 'rejected',
        code: 'payload_too_large',
        message: `The body must not exceed ${outcome.limitBytes} bytes`,
      })
    case 'invalid':
      // 2xx: it is kept, and Voucherify disables a webhook after 12 refused retries.
      return answer(202, {
        status: 'quarantined',
        code: 'schema_validation_failed',
        message: 'The event failed validation; it is kept in quarantine for replay after a fix',
        event_type: outcome.eventType,
        issues: outcome.issues,
      })
    case 'unavailable':
      return answer(
        503,
        {
          status: 'error',
          code: 'dependency_unavailable',
          message: 'Storage or fan-out is unavailable; retry later',
        },
        { 'retry-after': RETRY_AFTER_SECONDS },
      )
    case 'not_configured':
      return answer(500, {
        status: 'error',
        code: 'secret_not_configured',
        message: 'The webhook secret is not configured; nothing is accepted until it is',
      })
  }
}

/** The ids that correlate an outcome with the ledger, the topic and Voucherify's dashboard. */
function correlationIds(outcome: WebhookOutcome): Record<string, unknown> {
  switch (outcome.status) {
    case 'accepted':
    case 'duplicate':
    case 'in_flight':
      return {
        event_type: outcome.eventType,
        webhook_id: outcome.webhookId,
        event_id: outcome.eventId,
        transaction_id: outcome.transactionId,
        idempotency_key: outcome.idempotencyKey,
        ...(outcome.status === 'in_flight' ? {} : { message_id: outcome.messageId }),
        ...(outcome.status === 'duplicate' ? { received_count: outcome.receivedCount } : {}),
        ...(outcome.status === 'accepted' && outcome.ledger
          ? { ledger_status: outcome.ledger.verdict.status }
          : {}),
      }
    case 'invalid':
      return {
        event_type: outcome.eventType,
        quarantine_key: outcome.quarantineKey,
        issue_paths: outcome.issues.map((issue) => issue.path),
      }
    case 'ignored':
      return { event_type: outcome.eventType }
    case 'erased':
      // Never the customer's id: the log would keep what was just erased.
      return { event_type: outcome.eventType, items_erased: outcome.itemsErased }
    case 'unauthorized':
      return { reason: outcome.reason }
    case 'bad_request':
      return { reason: outcome.reason, issue_paths: outcome.issues?.map((issue) => issue.path) }
    case 'too_large':
      return { limit_bytes: outcome.limitBytes }
    case 'unavailable':
      return { stage: outcome.stage }
    case 'not_configured':
      return {}
  }
}

/** Ids and outcome only: never the body, the signature, the secret or personal data. */
const outcomeLogger = (logger: Logger) => (outcome: WebhookOutcome, statusCode: number) => {
  const details = { outcome: outcome.status, http_status: statusCode, ...correlationIds(outcome) }
  if (outcome.status === 'unavailable') {
    const { cause } = outcome
    const error = cause instanceof Error ? { name: cause.name, message: cause.message } : {}
    logger.error('webhook not processed', { ...details, error })
  } else if (statusCode >= 400 || outcome.status === 'invalid') {
    logger.warn('webhook rejected', details)
  } else {
    logger.info('webhook processed', details)
  }
}
