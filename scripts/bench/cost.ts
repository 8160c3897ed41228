// ════════════════════════════════════════════════════════════════════════════════════════════
// AWS UNIT PRICES — the only place the bench keeps a price. Update them here.
//
// Region: eu-central-1 (Europe, Frankfurt), on-demand list prices in USD, no free tier, no
// savings plans. Taken from AWS's published pricing pages as the author knew them in 2025 (the
// DynamoDB figures include the on-demand price cut AWS made on 1 November 2024). The pages
// could not be opened from the machine this bench was written on: every price is marked
// verified only where a copy of AWS's own page confirmed it, and for which region. Check the
// unverified ones at the `source` before quoting a total.
// ════════════════════════════════════════════════════════════════════════════════════════════
export interface Price {
  name: string
  /** USD per one `unit`. */
  usd: number
  unit: string
  verified: string
  source: string
}

export const PRICES_REGION = 'eu-central-1 (Europe, Frankfurt)'
export const PRICES_AS_OF = 'AWS list prices as known in 2025, not re-checked on the day of the run'

export const PRICES = {
  lambdaArmGbSecond: {
    name: 'Lambda compute',
    usd: 0.000_013_333_4,
    unit: 'GB-second (arm64)',
    verified:
      'us-east-1 rate confirmed; eu-central-1 believed equal, not confirmed (one third-party ' +
      'table lists Frankfurt x86 at a ~5% premium)',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  lambdaRequest: {
    name: 'Lambda requests',
    usd: 0.2 / 1e6,
    unit: 'request',
    verified: 'confirmed ($0.20 per million, all commercial regions)',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  dynamodbWriteRequestUnit: {
    name: 'DynamoDB writes',
    usd: 0.7625 / 1e6,
    unit: 'on-demand write request unit',
    verified:
      'not confirmed for eu-central-1 ($0.7625 per million); us-east-1 is $0.625 per million ' +
      '(confirmed)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  dynamodbReadRequestUnit: {
    name: 'DynamoDB reads',
    usd: 0.1525 / 1e6,
    unit: 'on-demand read request unit',
    verified:
      'not confirmed for eu-central-1 ($0.1525 per million); us-east-1 is $0.125 per million ' +
      '(not confirmed)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  snsPublish: {
    name: 'SNS publishes',
    usd: 0.5 / 1e6,
    unit: 'publish request (each 64 KB chunk of a message counts as one)',
    verified: 'not confirmed for eu-central-1 ($0.50 per million, the us-east-1 list price)',
    source: 'https://aws.amazon.com/sns/pricing/',
  },
  httpApiRequest: {
    name: 'HTTP API requests',
    usd: 1.2 / 1e6,
    unit: 'HTTP API request (metered per 512 KB)',
    verified:
      'not confirmed for eu-central-1 ($1.20 per million); us-east-1 is $1.00 per million ' +
      '(confirmed)',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  cloudWatchLogsIngestion: {
    name: 'CloudWatch Logs ingestion',
    usd: 0.63,
    unit: 'GB ingested (Standard log class)',
    verified:
      'not confirmed for eu-central-1 ($0.63 per GB); us-east-1 is $0.50 per GB (not confirmed)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
} satisfies Record<string, Price>
// ════════════════════════════════════════════════════════════════════════════════════════════

/** Lambda gives a function one full vCPU at 1,769 MB and a proportional share below. */
export const FULL_VCPU_MB = 1_769
export const CANDIDATE_MEMORY_MB = [128, 256, 512, 1_024, 1_769] as const
/** A cold start should use at most this share of the function's timeout. */
export const COLD_START_SHARE_OF_TIMEOUT = 1 / 5
/** Heap growth, a 240 KiB body and its copies, GC slack: memory at least twice the peak RSS. */
export const RSS_HEADROOM = 2

export const SNS_CHUNK_BYTES = 64 * 1024
export const HTTP_API_METER_BYTES = 512 * 1024

/** What one invocation was measured to cost here, on one core of this machine. */
export interface MeasuredInvocation {
  /** Mean wall time of one invocation, sequential (one at a time, as a Lambda container). */
  meanMs: number
  /** Mean CPU time of the process per invocation. */
  cpuMs: number
}

/**
 * Duration at `memoryMb`: the CPU part stretches by the share of a vCPU Lambda gives (one core
 * here taken as one Lambda vCPU), the waiting for DynamoDB and SNS does not.
 */
export function durationAt(measured: MeasuredInvocation, memoryMb: number): number {
  const waitMs = Math.max(0, measured.meanMs - measured.cpuMs)
  return measured.cpuMs * Math.max(1, FULL_VCPU_MB / memoryMb) + waitMs
}

export interface EventCost {
  /** USD per million events, by component. */
  lambdaCompute: number
  lambdaRequests: number
  dynamodb: number
  sns: number
  httpApi: number
  total: number
  billedMs: number
  writeUnits: number
  readUnits: number
  publishes: number
}

export interface EventUsage {
  invocation: MeasuredInvocation
  /** Write units per event, base table plus every index write. */
  writeUnits: number
  /** Read units per event. */
  readUnits: number
  messageBytes: number
  bodyBytes: number
  published: boolean
}

export function costPerMillion(usage: EventUsage, memoryMb: number): EventCost {
  const billedMs = Math.ceil(durationAt(usage.invocation, memoryMb))
  const publishes = usage.published ? Math.ceil(usage.messageBytes / SNS_CHUNK_BYTES) : 0
  const perEvent = {
    lambdaCompute: (memoryMb / 1024) * (billedMs / 1000) * PRICES.lambdaArmGbSecond.usd,
    lambdaRequests: PRICES.lambdaRequest.usd,
    dynamodb:
      usage.writeUnits * PRICES.dynamodbWriteRequestUnit.usd +
      usage.readUnits * PRICES.dynamodbReadRequestUnit.usd,
    sns: publishes * PRICES.snsPublish.usd,
    httpApi: Math.ceil(usage.bodyBytes / HTTP_API_METER_BYTES) * PRICES.httpApiRequest.usd,
  }
  const million = (usd: number) => usd * 1e6
  const total = Object.values(perEvent).reduce((sum, usd) => sum + usd, 0)
  return {
    lambdaCompute: million(perEvent.lambdaCompute),
    lambdaRequests: million(perEvent.lambdaRequests),
    dynamodb: million(perEvent.dynamodb),
    sns: million(perEvent.sns),
    httpApi: million(perEvent.httpApi),
    total: million(total),
    billedMs,
    writeUnits: usage.writeUnits,
    readUnits: usage.readUnits,
    publishes,
  }
}

export interface MemoryOption {
  memoryMb: number
  newEventMs: number
  duplicateMs: number
  coldStartMs: number
  /** Lambda compute only, USD per million new events. */
  computePerMillion: number
  fitsMemory: boolean
  fitsColdStart: boolean
}

/**
 * Smaller memory is always cheaper here: the CPU part costs the same GB-seconds at any size and
 * the waiting costs more the bigger the function. So the recommendation is the smallest size
 * that keeps twice the measured peak RSS and a cold start within its share of the timeout.
 */
export function memoryOptions(options: {
  timeoutSeconds: number
  newEvent: MeasuredInvocation
  duplicate: MeasuredInvocation
  /** Cold start on one core here: module initialisation plus the first invocation's CPU. */
  coldStartCpuMs: number
  peakRssBytes: number
}): { rows: MemoryOption[]; recommendedMb: number } {
  const rows = CANDIDATE_MEMORY_MB.map((memoryMb) => {
    const newEventMs = durationAt(options.newEvent, memoryMb)
    const coldStartMs = options.coldStartCpuMs * Math.max(1, FULL_VCPU_MB / memoryMb)
    return {
      memoryMb,
      newEventMs,
      duplicateMs: durationAt(options.duplicate, memoryMb),
      coldStartMs,
      computePerMillion:
        (memoryMb / 1024) * (Math.ceil(newEventMs) / 1000) * PRICES.lambdaArmGbSecond.usd * 1e6,
      fitsMemory: memoryMb * 1024 * 1024 >= RSS_HEADROOM * options.peakRssBytes,
      fitsColdStart: coldStartMs <= options.timeoutSeconds * 1_000 * COLD_START_SHARE_OF_TIMEOUT,
    }
  })
  const recommended = rows.find((row) => row.fitsMemory && row.fitsColdStart)
  return { rows, recommendedMb: recommended?.memoryMb ?? FULL_VCPU_MB }
}

export interface SweepUsage {
  /** Billed duration of the one invocation. */
  seconds: number
  readUnits: number
  writeUnits: number
  publishes: number
}

/** USD of one sweep invocation, by component, at `memoryMb`. */
export function sweepCost(usage: SweepUsage, memoryMb: number) {
  const parts = {
    lambdaCompute: (memoryMb / 1024) * usage.seconds * PRICES.lambdaArmGbSecond.usd,
    lambdaRequests: PRICES.lambdaRequest.usd,
    dynamodbReads: usage.readUnits * PRICES.dynamodbReadRequestUnit.usd,
    dynamodbWrites: usage.writeUnits * PRICES.dynamodbWriteRequestUnit.usd,
    sns: usage.publishes * PRICES.snsPublish.usd,
  }
  return { ...parts, total: Object.values(parts).reduce((sum, usd) => sum + usd, 0) }
}

export interface ForgedCost {
  billedMs: number
  /** USD per million forged requests that reach the function, by component. */
  httpApi: number
  lambdaRequests: number
  lambdaCompute: number
  logs: number
  total: number
  /** USD per million forged requests API Gateway throttles, counted as billed: an upper bound. */
  throttled: number
}

/** What a million forged requests cost when they reach the function, and when they are throttled. */
export function forgedCostPerMillion(
  forged: { handlerUs: number; logBytes: number },
  memoryMb: number,
): ForgedCost {
  const cpuMs = (forged.handlerUs / 1_000) * Math.max(1, FULL_VCPU_MB / memoryMb)
  const billedMs = Math.max(1, Math.ceil(cpuMs))
  const million = (usd: number) => usd * 1e6
  const parts = {
    httpApi: million(PRICES.httpApiRequest.usd),
    lambdaRequests: million(PRICES.lambdaRequest.usd),
    lambdaCompute: million((memoryMb / 1024) * (billedMs / 1000) * PRICES.lambdaArmGbSecond.usd),
    logs: million((forged.logBytes / 1e9) * PRICES.cloudWatchLogsIngestion.usd),
  }
  const total = Object.values(parts).reduce((sum, usd) => sum + usd, 0)
  return { billedMs, ...parts, total, throttled: parts.httpApi }
}
