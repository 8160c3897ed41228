import os from 'node:os'

export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  platform: string
  loadAverage: number[]
}

/** What the figures were measured on; timings mean little without it. */
export function describeMachine(): Machine {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    // Another busy process on 2 cores moves every timing; the load average shows whether one was.
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  }
}

export function machineLine(machine: Machine): string {
  return (
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB, ` +
    `Node ${machine.node}, ${machine.platform}, load average ${machine.loadAverage.join(' / ')}`
  )
}
