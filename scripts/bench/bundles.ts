import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

export const projectRoot = join(__dirname, '..', '..')

/** serverless.yml's custom.esbuild, as serverless-esbuild hands it to esbuild (exclude: []). */
export const SERVERLESS_ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  sourcemap: true,
  target: 'node24',
  platform: 'node',
  format: 'cjs',
  external: [] as string[],
} as const

export interface BundleSize {
  path: string
  jsBytes: number
  gzipBytes: number
  mapBytes: number
}

/** Bundles `entry` exactly as the deployment does and measures what came out. */
export async function buildLikeServerless(entry: string, outfile: string): Promise<BundleSize> {
  await build({
    ...SERVERLESS_ESBUILD_OPTIONS,
    entryPoints: [join(projectRoot, entry)],
    outfile,
    absWorkingDir: projectRoot,
    logLevel: 'error',
  })
  const js = readFileSync(outfile)
  return {
    path: outfile,
    jsBytes: js.length,
    gzipBytes: gzipSync(js, { level: 9 }).length,
    mapBytes: readFileSync(`${outfile}.map`).length,
  }
}

/** Bundles one of the bench's own child scripts to plain JavaScript, so it starts without tsx. */
export async function buildScript(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [join(projectRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    absWorkingDir: projectRoot,
    logLevel: 'error',
  })
  return outfile
}

/**
 * Runs `node <args>` from the project root and collects its stdout; rejects unless it exits 0.
 * Its stderr goes to ours (the children's progress lines) unless `env` is given: then it is kept.
 */
export function runNode(args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const stderrTo = env ? 'pipe' : 'inherit'
    const child = spawn(process.execPath, args, {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', stderrTo],
    })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    child.once('error', reject)
    child.once('close', (code) => {
      if (code === 0) resolve(stdout)
      else reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr || stdout}`))
    })
  })
}
