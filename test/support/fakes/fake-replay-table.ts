import type { ItemKey } from '../../../lib/aws/transactions-table'
import type { ReplayTable, ScanFilter, StoredItem } from '../../../scripts/replay/replay-table'

/** A table whose scan returns `items` on one page; remembers its scans and what it resolved. */
export function fakeReplayTable(items: StoredItem[]) {
  const scans: ScanFilter[] = []
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
    markResolved: async (key) => {
      resolved.push(key)
      return true
    },
    approximateItemCount: async () => undefined,
  }
  return { table, scans, resolved }
}
