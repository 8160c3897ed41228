import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runNode } from './bundles'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}

interface CpuProfile {
  startTime: number
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileRow {
  /** Function and the module it comes from, e.g. `compactJson (lib/signature.ts)`. */
  frame: string
  selfPercent: number
}

export interface ProfileSummary {
  caseName: string
  sampledMs: number
  /** Self time by function, largest first (the first 12). */
  functions: ProfileRow[]
  /** Self time by module: a lib/ file, a package, Node's internals, V8 itself. */
  places: ProfileRow[]
}

/**
 * esbuild's unminified output starts each module with a `// path/of/module.ts` line; the last
 * such line above a frame's line says which module the frame's code came from.
 */
function moduleIndex(lines: string[]): (line: number) => string {
  const starts: Array<[number, string]> = []
  lines.forEach((text, line) => {
    const match = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(text)
    if (match?.[1]) starts.push([line, match[1]])
  })
  return (line) => {
    let found = 'bundle'
    for (const [start, path] of starts) {
      if (start > line) break
      found = path
    }
    const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(found)
    return packageMatch ? `node_modules/${packageMatch[1]}` : found
  }
}

function topRows(selfUs: Map<string, number>, totalUs: number, count: number): ProfileRow[] {
  return [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, us]) => ({ frame, selfPercent: (100 * us) / totalUs }))
}

/**
 * Self time per node from `fromUs` on (V8's clock, the same as hrtime's): each sample's time
 * delta belongs to the node it hit.
 */
function summariseProfile(
  profile: CpuProfile,
  caseName: string,
  fromUs: number,
  bundlePath: string,
): ProfileSummary {
  const lines = readFileSync(bundlePath, 'utf8').split('\n')
  const moduleAt = moduleIndex(lines)
  /** Valibot runs every schema through a method named `~run`: the function around it names it. */
  const enclosingFunction = (line: number) => {
    for (let index = Math.min(line, lines.length - 1); index >= 0; index--) {
      const match = /^function (\w+)/.exec(lines[index] ?? '')
      if (match) return match[1]
    }
    return undefined
  }
  const nameOf = ({ functionName, url, lineNumber }: ProfileNode['callFrame']) => {
    const name = functionName || '(anonymous)'
    if (!url.endsWith(bundlePath) || !(name.startsWith('~') || name === '(anonymous)')) return name
    const outer = enclosingFunction(lineNumber)
    return outer ? `${outer} ${name}` : name
  }
  const placeOf = ({ url, functionName, lineNumber }: ProfileNode['callFrame']) => {
    if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName}`
    if (url.endsWith(bundlePath)) return moduleAt(lineNumber)
    return url.replace(/^file:\/\//, '')
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const byFrame = new Map<string, number>()
  const byPlace = new Map<string, number>()
  let totalUs = 0
  let at = profile.startTime
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0
    at += delta
    const node = byId.get(id)
    if (at < fromUs) return
    if (!node || node.callFrame.functionName === '(idle)') return
    totalUs += delta
    const place = placeOf(node.callFrame)
    const frame = node.callFrame.url === '' ? place : `${nameOf(node.callFrame)} (${place})`
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + delta)
    byPlace.set(place, (byPlace.get(place) ?? 0) + delta)
  })
  return {
    caseName,
    sampledMs: totalUs / 1_000,
    functions: topRows(byFrame, totalUs, 12),
    places: topRows(byPlace, totalUs, 8),
  }
}

/** Runs the pipeline child bundle under `node --cpu-prof` on one case and sums self time. */
export async function profilePipeline(
  childBundle: string,
  caseName: string,
  durationMs: number,
): Promise<ProfileSummary> {
  const directory = mkdtempSync(join(tmpdir(), 'bench-cpuprof-'))
  try {
    const profileFlags = ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', directory]
    const output = await runNode([
      ...profileFlags,
      childBundle,
      'profile',
      caseName,
      String(durationMs),
    ])
    const loopStart = /LOOP_START (\d+)/.exec(output)?.[1]
    if (!loopStart) throw new Error('the profile child did not say when its loop started')
    // Files are CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile; the main thread is thread 0.
    const mainFile = readdirSync(directory).find((name) => /\.0\.\d+\.cpuprofile$/.test(name))
    if (!mainFile) throw new Error('node --cpu-prof wrote no profile for the main thread')
    const profile = JSON.parse(readFileSync(join(directory, mainFile), 'utf8')) as CpuProfile
    return summariseProfile(profile, caseName, Number(loopStart), childBundle)
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}
