// The soak (see test/support/soak.ts): SOAK_EVENTS unique events (2000 by default) with about
// 30% duplicates and 5% of DynamoDB and SNS requests failing, then a reconciliation.
import { defaultSoakOptions, formatSoakReport, runSoak, type SoakReport } from '../support/soak'

describe('a soak with duplicates and injected faults', () => {
  let report: SoakReport

  beforeAll(async () => {
    report = await runSoak(defaultSoakOptions())
    console.log(formatSoakReport(report))
  }, 180_000)

  it('answers every delivery with a 2xx within its retries', () => {
    expect(report.gaveUp).toBe(0)
  })

  it('stores every unique event exactly once, published', () => {
    expect(report.items).toBe(report.options.events)
    expect(report.itemsPublished).toBe(report.options.events)
  })

  it('publishes every unique event at least once', () => {
    expect(report.lost).toEqual([])
    expect(report.keysPublished).toBe(report.options.events)
  })

  it('publishes an extra copy only where a fault forced it', () => {
    expect(report.unexplainedExtras).toEqual([])
    expect(report.strays).toBe(0)
  })

  it('records in each item the id of a message that was delivered', () => {
    expect(report.danglingMessageIds).toEqual([])
  })

  it('injected faults on both services', () => {
    expect(Object.keys(report.faults).some((name) => name.startsWith('dynamodb'))).toBe(true)
    expect(Object.keys(report.faults).some((name) => name.startsWith('sns'))).toBe(true)
  })
})
