import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { projectRoot, serverlessCommand } from '../../scripts/local/serverless-resources'

export interface PackagedService {
  /** The `--package` output folder: CloudFormation templates and the zip. */
  directory: string
  template: CloudFormationTemplate
  remove(): void
}

export interface CloudFormationTemplate {
  Resources: Record<
    string,
    { Type: string; Condition?: string; Properties?: Record<string, unknown> }
  >
  Conditions?: Record<string, unknown>
  Outputs?: Record<string, { Value: unknown; Export?: unknown }>
}

export interface PackageOptions {
  /** Deploy parameters, passed as `--param name=value`. */
  params?: Record<string, string>
  /** The folder of the serverless.yml to package, relative to the project root. */
  servicePath?: string
}

// Build output of the working tree; serverless-esbuild deletes .esbuild after packaging, which
// would break a running `npm start`, hence the copy.
const NOT_COPIED = new Set(['node_modules', '.git', '.esbuild', '.serverless', 'coverage', 'tmp'])

/** Environment without any AWS configuration, so packaging provably needs no account. */
function environmentWithoutAws(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_')) env[name] = value
  }
  return { ...env, AWS_SDK_LOAD_CONFIG: '0', HOME: home }
}

/**
 * Runs `serverless package --stage <stage>` on a copy of the project, with no AWS credentials,
 * so that it neither needs an account nor touches the working tree's build folders.
 */
export async function packageService(
  stage: string,
  { params = {}, servicePath = '.' }: PackageOptions = {},
): Promise<PackagedService> {
  const root = mkdtempSync(join(tmpdir(), 'package-service-'))
  const remove = () => rmSync(root, { recursive: true, force: true })
  try {
    const service = join(root, 'service')
    const directory = join(root, 'package')
    const home = join(root, 'home')
    mkdirSync(home)
    cpSync(projectRoot, service, {
      recursive: true,
      filter: (source) => !NOT_COPIED.has(relative(projectRoot, source).split(sep)[0] ?? ''),
    })
    symlinkSync(join(projectRoot, 'node_modules'), join(service, 'node_modules'), 'dir')

    const { command, args } = serverlessCommand([
      'package',
      '--stage',
      stage,
      '--package',
      directory,
      ...Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`]),
    ])
    await new Promise<void>((resolve, reject) => {
      execFile(
        command,
        args,
        {
          cwd: join(service, servicePath),
          env: environmentWithoutAws(home),
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) =>
          error ? reject(new Error(`serverless package failed:\n${stdout}\n${stderr}`)) : resolve(),
      )
    })
    const template = JSON.parse(
      readFileSync(join(directory, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as CloudFormationTemplate
    return { directory, template, remove }
  } catch (error) {
    remove()
    throw error
  }
}
