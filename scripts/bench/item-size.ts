import type { AttributeValue } from '@aws-sdk/client-dynamodb'

/**
 * An item's size as DynamoDB bills it ("Item sizes and formats" in the DynamoDB Developer
 * Guide): each attribute's name in UTF-8 bytes plus its value. Strings: UTF-8 bytes. Numbers:
 * about one byte per two significant digits plus one. Null and booleans: one byte. Maps and
 * lists: three bytes plus one per element plus the elements. The item here is flat (strings,
 * numbers, nulls), where these rules are exact enough to round to the right kilobyte; the bench
 * checks them against DynamoDB Local's own count.
 */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S)
  if (value.N !== undefined) {
    const digits = value.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '')
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1 + (value.N.startsWith('-') ? 1 : 0)
  }
  if (value.NULL !== undefined || value.BOOL !== undefined) return 1
  if (value.B !== undefined) return value.B.length
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (sum, [name, inner]) => sum + 1 + Buffer.byteLength(name) + attributeValueSize(inner),
      3,
    )
  }
  if (value.L !== undefined) {
    return value.L.reduce((sum, inner) => sum + 1 + attributeValueSize(inner), 3)
  }
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0)
  if (value.NS !== undefined) {
    return value.NS.reduce((sum, n) => sum + attributeValueSize({ N: n }), 0)
  }
  return 0
}

export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + attributeValueSize(value),
    0,
  )
}

/** One write capacity unit per started kilobyte. */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024))

export interface WriteUnits {
  itemBytes: { claimed: number; published: number; duplicate: number }
  /** The `payload` attribute (the body as received), name included. */
  payloadBytes: number
  /** Per write, table only; a GSI that projects the item writes as much again. */
  claim: number
  markPublished: number
  duplicate: number
}

/**
 * The three writes of one event, from the item as it stands after its duplicate: the claim
 * creates the item (no message id yet, a lease instead); marking it published adds the message
 * id and drops the lease; the duplicate bumps the count and last_received_at. An update bills
 * the larger of the item before and after.
 */
export function writeUnitsOf(finalItem: Record<string, AttributeValue>): WriteUnits {
  const { message_id: _, published_at: __, ...claimedBase } = finalItem
  const claimed = {
    ...claimedBase,
    status: { S: 'claimed' },
    lease_expires_at: { N: String(Date.now() + 15_000) },
    received_count: { N: '1' },
  }
  const published = { ...finalItem, received_count: { N: '1' } }
  const sizes = {
    claimed: itemSize(claimed),
    published: itemSize(published),
    duplicate: itemSize(finalItem),
  }
  const payload = finalItem.payload
  return {
    itemBytes: sizes,
    payloadBytes: payload ? itemSize({ payload }) : 0,
    claim: writeUnits(sizes.claimed),
    markPublished: writeUnits(Math.max(sizes.claimed, sizes.published)),
    duplicate: writeUnits(Math.max(sizes.published, sizes.duplicate)),
  }
}
