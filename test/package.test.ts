// The package as a consumer gets it: `npm pack`, the tarball installed into a new project beside wechaty
// and the mock puppet, the README's plugin snippet type-checked with tsc and run on plain node, and the
// bin run as npx runs it.
import test from 'ava'
import { execFile } from 'node:child_process'
import type { ExecFileOptions } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Runs a program; rejects with its output when it fails. */
function run (file: string, args: string[], options: ExecFileOptions = {}): Promise<{ stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, ...options, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }))
      else resolve({ stdout, stderr })
    })
  })
}
const ROOT = new URL('..', import.meta.url).pathname
const CEILING = 600_000 // a build, a pack and an install from the registry (or npm's cache)

/** The first ```ts block under "## As a plugin in your own bot": the README's promise to a host bot. */
async function readmeSnippet (): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
  const section = readme.split('## As a plugin in your own bot')[1] ?? ''
  const snippet = /```ts\n([^]*?)```/.exec(section)?.[1]
  if (!snippet) throw new Error('README has no plugin snippet')
  return snippet
}

async function versionOf (name: string): Promise<string> {
  return (JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
}

test('the packed package installs beside wechaty, and the README snippet type-checks and runs on plain node', async (t) => {
  t.timeout(CEILING)
  const dir = await mkdtemp(join(tmpdir(), 'assistant-package-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))

  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT })
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string, files: Array<{ path: string }> }>
  const files = packed!.files.map((f) => f.path)
  for (const needed of ['dist/mod.js', 'dist/mod.d.ts', 'dist/cli.js', 'dist/store/postgres/migrations/001_initial.sql', 'data/seed.json', 'README.md', 'package.json']) {
    t.true(files.includes(needed), `${needed} is in the package`)
  }
  t.deepEqual(files.filter((f) => /^(test|bench|src|scripts)\//.test(f) || f.endsWith('.map')), [], 'no tests, benchmarks, sources or source maps')

  const project = join(dir, 'host-bot')
  await mkdir(project)
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'host-bot', private: true, type: 'module' }))
  const versions = await Promise.all(['wechaty', 'wechaty-puppet-mock', 'typescript', '@types/node'].map(async (name) => `${name}@${await versionOf(name)}`))
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, packed!.filename), ...versions], { cwd: project })

  const snippet = await readmeSnippet()
  t.true(snippet.includes("from 'wechat-security-assistant'"), 'the snippet imports the package by its name')
  await writeFile(join(project, 'bot.ts'), snippet)
  await writeFile(join(project, 'bot.mjs'), snippet)
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify({
    // skipLibCheck: wechaty's own declarations do not type-check (any host bot on wechaty needs it).
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
    files: ['bot.ts'],
  }))
  const typeErrors = await run(join(project, 'node_modules/.bin/tsc'), ['-p', project], { cwd: project }).then(() => '', (err: { stdout: string }) => err.stdout)
  t.is(typeErrors, '', 'tsc finds no error in the snippet against the published types')

  // The snippet's seed file: the demo world the package ships.
  await mkdir(join(project, 'data'))
  await writeFile(join(project, 'data/seed.json'), await readFile(join(project, 'node_modules/wechat-security-assistant/data/seed.json')))
  // No tsx: plain node on the compiled package, the mock puppet chosen the way a host chooses a puppet.
  const ran = await run(process.execPath, ['bot.mjs'], { cwd: project, env: { ...process.env, WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_LOG: 'silent', NODE_OPTIONS: '' }, timeout: 120_000 })
  t.false(/Error/.test(ran.stderr), ran.stderr)
  const stored = JSON.parse(await readFile(join(project, 'data/assistant.json'), 'utf8')) as { accounts: unknown[] }
  t.true(stored.accounts.length > 0, 'the plugin opened its data file from the seed and closed it')

  // The bin, as `npx security-assistant` runs it: plain node on dist/cli.js.
  const bin = join(project, 'node_modules/.bin/security-assistant')
  t.regex((await run(bin, ['--help'], { cwd: project })).stdout, / start +run the assistant/)
  const checked = await run(bin, ['check', 'data/assistant.json'], { cwd: project, env: { ...process.env, ASSISTANT_DATABASE_URL: '' } })
  t.regex(checked.stdout, /would load \(schema version \d+\)/)
})
