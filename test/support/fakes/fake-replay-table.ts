import type { ItemKey } from '../../../lib/aws/transactions-table'
import {
  itemName,
  type ReplayTable,
  type ScanFilter,
  type StoredItem,
  type StoredPayload,
} from '../../../scripts/replay/replay-table'

/**
 * A table whose scan returns `items` on one page, and whose payload items `payloadOf` answers
 * (none by default); remembers its scans, each batch of payload keys read, and what it resolved.
 */
export function fakeReplayTable(
  items: StoredItem[],
  payloadOf: (key: ItemKey) => StoredPayload | undefined = () => undefined,
) {
  const scans: ScanFilter[] = []
  const payloadReads: ItemKey[][] = []
  const resolved: ItemKey[] = []
  const table: ReplayTable = {
    tableName: 'fake',
    scan: async (filter) => {
      scans.push(filter)
      return {
        entries: items.map((item) => ({
          value: item,
          position: { transaction_id: item.transaction_id, event_type: item.event_type },
        })),
        next: undefined,
        evaluated: items.length,
      }
    },
    voucherItems: () => Promise.reject(new Error('not used')),
    payloads: async (keys) => {
      payloadReads.push([...keys])
      const found = new Map<string, StoredPayload>()
      for (const key of keys) {
        const payload = payloadOf(key)
        if (payload !== undefined) found.set(itemName(key), payload)
      }
      return found
    },
    markResolved: async (key) => {
      resolved.push(key)
      return true
    },
    approximateItemCount: async () => undefined,
  }
  return { table, scans, payloadReads, resolved }
}
