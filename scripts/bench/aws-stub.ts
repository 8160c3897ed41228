import { randomUUID } from 'node:crypto'
import http from 'node:http'
import { listenOnLoopback, readBody } from '../local/listen-on-loopback'
import { operationOf } from './counting-proxy'

/**
 * Answers the function's AWS calls at once, on 127.0.0.1, so a cold start can run its first
 * invocation end to end without any network: DynamoDB UpdateItem (echoing the written
 * attributes back, as ALL_NEW would), TransactWriteItems (the ledger step, applied), PutItem
 * (the payload), GetItem (the erasure salt, and no erasure), SNS Publish, SSM GetParameter.
 */
export interface AwsStub {
  url: string
  /** Requests answered so far, by operation. */
  counts: Map<string, number>
  close(): Promise<void>
}

type AttributeValue = Record<string, unknown>

interface UpdateItemInput {
  Key?: Record<string, AttributeValue>
  ExpressionAttributeNames?: Record<string, string>
  ExpressionAttributeValues?: Record<string, AttributeValue>
  ReturnValues?: string
}

/**
 * The item as a first write leaves it: every `#name` set to the `:value` of the same suffix,
 * which is how lib/aws/dynamodb-transaction-store.ts names them, plus `received_count = 1`.
 */
function itemAfterFirstWrite(input: UpdateItemInput): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = { ...input.Key }
  const values = input.ExpressionAttributeValues ?? {}
  for (const [reference, name] of Object.entries(input.ExpressionAttributeNames ?? {})) {
    const value = values[`:${reference.slice(1)}`]
    if (value) item[name] = value
  }
  item.received_count = { N: '1' }
  return item
}

function answer(operation: string, body: string, secret: string) {
  switch (operation) {
    case 'UpdateItem': {
      const input = JSON.parse(body) as UpdateItemInput
      const output =
        input.ReturnValues === 'ALL_NEW' ? { Attributes: itemAfterFirstWrite(input) } : {}
      return { type: 'application/x-amz-json-1.0', body: JSON.stringify(output) }
    }
    case 'TransactWriteItems':
    case 'PutItem':
      return { type: 'application/x-amz-json-1.0', body: '{}' }
    // The erasure salt exists; no customer is erased.
    case 'GetItem': {
      const { Key } = JSON.parse(body) as UpdateItemInput
      const isSalt = String(Key?.transaction_id?.S).startsWith('config:')
      const output = isSalt ? { Item: { ...Key, salt: { S: 'stub-salt' } } } : {}
      return { type: 'application/x-amz-json-1.0', body: JSON.stringify(output) }
    }
    case 'GetParameter':
      return {
        type: 'application/x-amz-json-1.1',
        body: JSON.stringify({
          Parameter: { Name: 'stub', Type: 'SecureString', Value: secret, Version: 1 },
        }),
      }
    case 'Publish':
      return {
        type: 'text/xml',
        body:
          '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
          `<MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata>` +
          `<RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      }
    default:
      return undefined
  }
}

export async function startAwsStub(secret: string): Promise<AwsStub> {
  const counts = new Map<string, number>()
  const server = http.createServer(async (request, response) => {
    const body = await readBody(request)
    const operation = operationOf(request.headers, body)
    counts.set(operation, (counts.get(operation) ?? 0) + 1)
    const reply = answer(operation, body.toString('utf8'), secret)
    if (!reply) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end(`stub: ${operation}`)
      return
    }
    response.writeHead(200, {
      'content-type': reply.type,
      'content-length': Buffer.byteLength(reply.body),
      'x-amzn-requestid': randomUUID(),
    })
    response.end(reply.body)
  })
  const { url, close } = await listenOnLoopback(server)
  return { url, counts, close }
}
