import type { Deps } from '../deps'
import type { ErasureRequester, PersonalDataItem } from './erasure-store'

export interface ErasureResult {
  /** What held the customer's personal data (on a dry run: what would go). */
  found: PersonalDataItem[]
  /** Items removed. */
  erased: number
}

export interface EraseOptions {
  requestedBy: ErasureRequester
  dryRun?: boolean
  /**
   * Look again after this long, for a delivery that checked for an erasure just before it was
   * recorded and stores its payload after the first look (no longer than a delivery's timeout).
   */
  settleMs?: number
  signal?: AbortSignal
}

/**
 * Erases one customer's personal data: records the erasure first (so nothing arriving from now
 * on keeps it), then removes every item that holds it. The ledger holds none and stays whole.
 * Erasing again finds nothing more and keeps the first erasure's time.
 */
export async function eraseCustomer(
  deps: Pick<Deps, 'erasures' | 'clock'>,
  customerId: string,
  { requestedBy, dryRun = false, settleMs = 0, signal }: EraseOptions,
): Promise<ErasureResult> {
  const { erasures } = deps
  if (dryRun) return { found: await erasures.findPersonalData(customerId, signal), erased: 0 }
  await erasures.recordErasure(customerId, { at: deps.clock().toISOString(), requestedBy }, signal)
  const found: PersonalDataItem[] = []
  const erasePass = async () => {
    const items = await erasures.findPersonalData(customerId, signal)
    await erasures.deleteItems(items, signal)
    found.push(...items)
  }
  await erasePass()
  if (settleMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    await erasePass()
  }
  return { found, erased: found.length }
}
