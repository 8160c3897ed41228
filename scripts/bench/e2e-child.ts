// The "Lambda container" of the end-to-end run: a fresh `node` (this file, bundled) that loads
// the deployed handler bundle with the environment pointing at the emulators and invokes it
// directly. Talks to the parent over IPC at every phase boundary so the parent can read its
// request counters between phases.
import { createRequire } from 'node:module'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { uniqueLargeEvent, uniqueSeedEvent } from './payloads'

export interface PhasePlan {
  name: string
  payload: 'seed' | 'large'
  /** Replays the events of that earlier phase (duplicates) instead of making new ones. */
  replayOf?: string
  count: number
  concurrency: number
}

export interface PhaseReport {
  name: string
  count: number
  concurrency: number
  wallMs: number
  latenciesMs: number[]
  /** User and system CPU of the process during the phase. */
  cpuMs: number
  statuses: Record<string, number>
  /** The process's peak RSS so far, read when the phase ended. */
  maxRssBytes: number
}

export type ChildMessage =
  | { type: 'phase-start'; name: string }
  | { type: 'phase-end'; report: PhaseReport }
  | { type: 'done'; maxRssBytes: number; rssAfterLoadBytes: number }

type Handler = (event: APIGatewayProxyEventV2) => Promise<{ statusCode?: number; body?: string }>

/** Sends and waits for the parent's acknowledgement (it has read its counters by then). */
function tell(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    process.once('message', () => resolve())
    process.send?.(message)
  })
}

async function runPhase(handler: Handler, plan: PhasePlan, events: APIGatewayProxyEventV2[]) {
  const latenciesMs: number[] = new Array(events.length)
  const statuses: Record<string, number> = {}
  let next = 0
  const worker = async () => {
    while (next < events.length) {
      const index = next++
      const event = events[index] as APIGatewayProxyEventV2
      const start = process.hrtime.bigint()
      const result = await handler(event)
      latenciesMs[index] = Number(process.hrtime.bigint() - start) / 1e6
      const answer = JSON.parse(result.body ?? '{}') as Record<string, string>
      const status = `${result.statusCode} ${answer.status ?? answer.code}`
      statuses[status] = (statuses[status] ?? 0) + 1
    }
  }
  await tell({ type: 'phase-start', name: plan.name })
  const cpuBefore = process.cpuUsage()
  const start = process.hrtime.bigint()
  await Promise.all(Array.from({ length: plan.concurrency }, worker))
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6
  const cpu = process.cpuUsage(cpuBefore)
  const report: PhaseReport = {
    name: plan.name,
    count: events.length,
    concurrency: plan.concurrency,
    wallMs,
    latenciesMs,
    cpuMs: (cpu.user + cpu.system) / 1_000,
    statuses,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }
  await tell({ type: 'phase-end', report })
}

async function main() {
  // Without its parent nobody would acknowledge a phase: never linger as an orphan.
  process.once('disconnect', () => process.exit(1))
  const [bundlePath = '', planJson = '[]'] = process.argv.slice(2)
  const plans = JSON.parse(planJson) as PhasePlan[]
  const { handler } = createRequire(__filename)(bundlePath) as { handler: Handler }
  const rssAfterLoadBytes = process.memoryUsage().rss
  const eventsByPhase = new Map<string, APIGatewayProxyEventV2[]>()
  for (const plan of plans) {
    const events = plan.replayOf
      ? (eventsByPhase.get(plan.replayOf) ?? [])
      : Array.from({ length: plan.count }, (_, index) =>
          plan.payload === 'seed' ? uniqueSeedEvent(index) : uniqueLargeEvent(),
        )
    // A replayed phase is the last use of its events: let them go so they do not pile up.
    if (plan.replayOf) eventsByPhase.delete(plan.replayOf)
    else eventsByPhase.set(plan.name, events)
    await runPhase(handler, plan, events)
  }
  await tell({
    type: 'done',
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    rssAfterLoadBytes,
  })
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
