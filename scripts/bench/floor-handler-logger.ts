// The floor plus Powertools Logger, constructed and used as handlers/webhook.ts does: the
// difference from floor-handler.ts is what the Logger costs at cold start.
import { Logger } from '@aws-lambda-powertools/logger'
import { handler as floorHandler } from './floor-handler'

const logger = new Logger({ serviceName: 'voucherify-gift-webhooks' })

export async function handler(event: { body?: string }) {
  const result = await floorHandler(event)
  logger.info('webhook processed', { http_status: result.statusCode })
  return result
}
