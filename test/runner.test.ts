// `npm start` as a person runs it: the demo console on the mock puppet, piped lines, clean shutdown at any
// moment, one clear message for a refused start. The machine may be loaded: every wait is on an event,
// with a generous ceiling, and nothing asserts on timing.
import test from 'ava'
import type { ExecutionContext } from 'ava'
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import { freePort } from './helpers/ports.js'
import { CEILING, ROOT, stackLines, startRunner as startChild } from './helpers/runner.js'

const TEST_TIMEOUT = 2 * CEILING + 60_000
const STOP_LINES = ['Stopped during start-up; the data file is not left locked.', 'Stopped; every change is saved.']

// Each test starts its own runner processes: one at a time keeps a small machine from drowning.
const serial = test.serial

/** `npm start` (the demo) on `dataFile` by default; `args` replace `--demo` (production is started without it). */
function startRunner (dataFile: string, extraEnv: Record<string, string | undefined> = {}, args = ['--demo'], cwd = ROOT) {
  return startChild({ ASSISTANT_DATA_FILE: dataFile, WECHATY_LOG: 'silent', ...extraEnv }, args, cwd)
}

async function tempDataFile (): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'assistant-runner-')), 'assistant.json')
}

/** Resolves once `condition` holds; polls, since a file appearing (or a runner logging in) has no event to wait on. */
async function waitUntil (condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + CEILING
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

async function readJson (file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'))
}

function count (text: string, part: string): number {
  return text.split(part).length - 1
}

serial('the demo console chats as a demo user, shows pushes to others, and stops cleanly on SIGTERM', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  const runner = startRunner(dataFile)
  t.teardown(() => { runner.child.kill('SIGKILL') })
  runner.child.stdin.write('/as 张伟\n绑定查询 13800138000\n解绑 1\n确认\n/op 赵敏 晨光茶馆 login\n')
  await runner.waitFor('[推送 → 王芳]')
  await runner.waitFor('在「晨光茶馆」的长期运营者身份已于')
  const output = await runner.waitFor('已解除你在「晨光茶馆」的长期运营者身份')
  t.true(output.includes('助手 → 张伟:\n  手机号 138****8000 绑定的公众号(共 2 个)'), output)
  t.true(output.includes('助手 → 张伟:\n  已解除你在「晨光茶馆」的长期运营者身份'), output)
  t.false(output.includes('13800138000'), 'the phone number is never printed whole')
  t.true(output.includes('Platform API not started: set ASSISTANT_API_TOKEN'), 'no token, no API, and it says so')
  // the console plays the platform: 晨光茶馆 has 风险操作保护 on in the demo, so the admin is asked
  await runner.waitFor('[平台] 赵敏 在「晨光茶馆」login → pending')
  await runner.waitFor('风险操作确认\n  长期运营者 赵敏(微信号 zhaomin_work)')
  runner.child.stdin.end() // no terminal and no more input: it keeps running until a signal
  runner.child.kill('SIGTERM')
  t.is(await runner.exited, 0)
  t.true(runner.output().includes('Stopped; every change is saved.'))
  t.false(existsSync(`${dataFile}.lock`), 'the lock is released')
  const onDisk = JSON.parse(await readFile(dataFile, 'utf8'))
  t.is(onDisk.bindings.find((b: { id: string }) => b.id === 'b_zw_tea').endReason, 'unbound')
})

serial('SIGTERM as soon as the runner prints anything stops it cleanly, once, even when sent twice', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  const runner = startRunner(dataFile)
  t.teardown(() => { runner.child.kill('SIGKILL') })
  // Its first line is a log line on stderr; the console's lines come later on stdout.
  await new Promise((resolve) => { runner.child.stdout.once('data', resolve); runner.child.stderr.once('data', resolve) })
  runner.child.kill('SIGTERM')
  runner.child.kill('SIGTERM') // a second signal while stopping starts no second shutdown
  t.is(await runner.exited, 0, runner.output())
  const output = runner.output()
  t.is(STOP_LINES.map((line) => count(output, line)).reduce((a, b) => a + b), 1, output)
  t.false(existsSync(`${dataFile}.lock`), 'the lock is released')
  if (existsSync(dataFile)) await t.notThrowsAsync(readJson(dataFile), 'whatever was written is whole')
})

serial('SIGTERM while the data file is being opened releases its lock and exits 0', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  const lock = `${dataFile}.lock`
  const runner = startRunner(dataFile)
  t.teardown(() => { runner.child.kill('SIGKILL') })
  await waitUntil(() => existsSync(lock), 'the runner locked its data file')
  runner.child.kill('SIGTERM')
  t.is(await runner.exited, 0, runner.output())
  t.true(STOP_LINES.some((line) => runner.output().includes(line)), runner.output())
  t.false(existsSync(lock), 'the lock is released')
  await t.notThrowsAsync(readJson(dataFile), 'the opening finished before the stop: the data file is whole')
})

serial('the runner refuses a corrupt data file with one clear message, no stack trace, and exit code 1', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  await writeFile(dataFile, '{"version":1,')
  // wechaty's logging as a person running `npm start` has it, so a logged start-up failure would show
  const runner = startRunner(dataFile, { WECHATY_LOG: undefined })
  t.teardown(() => { runner.child.kill('SIGKILL') })
  t.is(await runner.exited, 1)
  const output = runner.output()
  t.true(output.includes(`Cannot start: The data file ${dataFile} is not valid JSON`), output)
  t.is(count(output, 'Cannot start:'), 1, output)
  t.deepEqual(stackLines(output), [], output)
  t.is(await readFile(dataFile, 'utf8'), '{"version":1,')
  t.false(existsSync(`${dataFile}.lock`), 'the lock is released')
})

serial('a second runner on a data file in use is refused with one message and leaves the first one\'s lock alone', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  const first = startRunner(dataFile)
  t.teardown(() => { first.child.kill('SIGKILL') })
  await first.waitFor('Platform API not started')
  const second = startRunner(dataFile, { WECHATY_LOG: undefined })
  t.teardown(() => { second.child.kill('SIGKILL') })
  t.is(await second.exited, 1)
  const output = second.output()
  t.true(output.includes(`Cannot start: The data file ${dataFile} is in use by another running assistant`), output)
  t.is(count(output, 'Cannot start:'), 1, output)
  t.deepEqual(stackLines(output), [], output)
  t.true(existsSync(`${dataFile}.lock`), 'the first runner still holds its lock')
  first.child.kill('SIGTERM')
  t.is(await first.exited, 0)
  t.false(existsSync(`${dataFile}.lock`), 'the first runner released its lock')
})

serial('a start-up refused after the lock was taken (a missing seed file) releases the lock', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  const runner = startRunner(dataFile, { ASSISTANT_SEED_FILE: join(dataFile, '..', 'no-such-seed.json'), WECHATY_LOG: undefined })
  t.teardown(() => { runner.child.kill('SIGKILL') })
  t.is(await runner.exited, 1)
  const output = runner.output()
  t.is(count(output, 'Cannot start:'), 1, output)
  t.true(output.includes('no-such-seed.json'), 'the message names the file')
  t.deepEqual(stackLines(output), [], output)
  t.false(existsSync(`${dataFile}.lock`), 'the lock is released')
})

serial('production without a puppet named is refused with what to set, before any data file is made', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  const runner = startRunner(dataFile, { WECHATY_PUPPET: undefined, WECHATY_LOG: undefined }, [])
  t.teardown(() => { runner.child.kill('SIGKILL') })
  t.is(await runner.exited, 1)
  t.true(runner.output().includes('Cannot start: Name the puppet: set WECHATY_PUPPET (e.g. wechaty-puppet-service with WECHATY_PUPPET_SERVICE_TOKEN), or run the demo world with --demo (npm start).'), runner.output())
  t.deepEqual(stackLines(runner.output()), [])
  t.false(existsSync(dataFile))
})

serial('production on a puppet never loads the demo world: an empty data file, a word on how to import, nothing pushed', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  // The mock puppet as a named puppet: it never logs in here, which production must survive.
  const runner = startRunner(dataFile, { WECHATY_PUPPET: 'wechaty-puppet-mock', ASSISTANT_SEED_FILE: undefined }, [])
  t.teardown(() => { runner.child.kill('SIGKILL') })
  await runner.waitFor('No accounts yet: import your accounts, admins, operators and people with `security-assistant import <file>`')
  runner.child.kill('SIGTERM')
  t.is(await runner.exited, 0, runner.output())
  const onDisk = await readJson(dataFile) as { accounts: unknown[], users: unknown[], outbox: unknown[] }
  t.deepEqual([onDisk.accounts.length, onDisk.users.length, onDisk.outbox.length], [0, 0, 0], 'no demo accounts, people or pushes')
})

/** A port held by this test process, as another program would hold it. */
async function holdPort (t: { teardown: (fn: () => void) => void }): Promise<number> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  return (server.address() as { port: number }).port
}

const apiRefusals: Array<[string, (t: { teardown: (fn: () => void) => void }) => Promise<string>, (port: string) => string]> = [
  ['a port another program holds', async (t) => String(await holdPort(t)), (port) => `Cannot start: The platform API cannot listen: port ${port} on 127.0.0.1 is already in use`],
  ['a port that is no port', async () => '80a', () => 'Cannot start: ASSISTANT_API_PORT must be a port number from 1 to 65535, not "80a".'],
]
for (const [what, portFor, message] of apiRefusals) {
  serial(`the runner refuses to start the platform API on ${what}: one message, exit code 1, the data file released`, async (t) => {
    t.timeout(TEST_TIMEOUT)
    const dataFile = await tempDataFile()
    const port = await portFor(t)
    const runner = startRunner(dataFile, { ASSISTANT_API_TOKEN: 'runner-token', ASSISTANT_API_PORT: port, WECHATY_LOG: undefined })
    t.teardown(() => { runner.child.kill('SIGKILL') })
    t.is(await runner.exited, 1, runner.output())
    const output = runner.output()
    t.true(output.includes(message(port)), output)
    t.is(count(output, 'Cannot start:'), 1, output)
    t.deepEqual(stackLines(output), [], output)
    t.false(existsSync(`${dataFile}.lock`), 'the lock is released')
  })
}

serial('with a token the runner serves the platform API on ASSISTANT_API_HOST and ASSISTANT_API_PORT: healthy once logged in', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  const port = await freePort() // the runner takes it
  const runner = startRunner(dataFile, { ASSISTANT_API_TOKEN: 'runner-token', ASSISTANT_API_HOST: '127.0.0.1', ASSISTANT_API_PORT: String(port) })
  t.teardown(() => { runner.child.kill('SIGKILL') })
  await runner.waitFor(`Platform API on http://127.0.0.1:${port}`)
  // The demo logs its bot in just after the API starts: healthy from then on.
  let health: { status: string } = { status: 'unasked' }
  await waitUntil(async () => {
    health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as { status: string }
    return health.status === 'ok'
  }, 'the runner reported itself healthy')
  t.like(health, { status: 'ok', store: 'ok', bot: 'logged-in' })
  const accounts = await fetch(`http://127.0.0.1:${port}/v1/accounts`, { headers: { authorization: 'Bearer runner-token' } })
  t.is((await accounts.json() as { total: number }).total, 6)
  runner.child.kill('SIGTERM')
  t.is(await runner.exited, 0)
  t.false(runner.output().includes('runner-token'), 'the token is never printed')
})

serial('log lines are dated JSON lines on stderr with ASSISTANT_LOG_FORMAT=json, masked, and the console keeps stdout', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  const runner = startRunner(dataFile, { ASSISTANT_LOG_FORMAT: 'json' })
  t.teardown(() => { runner.child.kill('SIGKILL') })
  runner.child.stdin.write('/as 张伟\n绑定查询 13800138000\n')
  await runner.waitFor('手机号 138****8000 绑定的公众号')
  runner.child.kill('SIGTERM')
  t.is(await runner.exited, 0, runner.output())
  const logLines = runner.stderr().split('\n').filter((line) => line !== '')
  const entries = logLines.map((line) => JSON.parse(line) as { time: string, level: string, msg: string })
  for (const entry of entries) {
    t.regex(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    t.true(['error', 'warn', 'info', 'debug'].includes(entry.level), entry.level)
  }
  const messages = entries.map((entry) => entry.msg)
  for (const expected of ['Starting 公众平台安全助手…', `Engine: data file ${dataFile}`, 'Stopped; every change is saved.']) {
    t.true(messages.includes(expected), `${expected} is logged: ${messages.join(' | ')}`)
  }
  t.true(runner.stdout().includes('助手 → 张伟:\n  手机号 138****8000'), 'the chat is on stdout')
  t.false(runner.stdout().includes('Engine:'), 'log lines are not')
  t.false(runner.output().includes('13800138000'), 'the phone number is never printed whole')
})

/** Starts the runner with `env` and expects it refused at start: exit 1, one reason, no stack trace, no data file made. Its output. */
async function refusedAtStart (t: ExecutionContext, env: Record<string, string>): Promise<string> {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  const runner = startRunner(dataFile, env)
  t.teardown(() => { runner.child.kill('SIGKILL') })
  t.is(await runner.exited, 1)
  const output = runner.output()
  t.is(count(output, 'Cannot start:'), 1, output)
  t.deepEqual(stackLines(output), [], output)
  t.false(existsSync(dataFile), 'the data file was never created')
  return output
}

serial('a wrong ASSISTANT_LOG_LEVEL is refused with the choices, before anything starts', async (t) => {
  const output = await refusedAtStart(t, { ASSISTANT_LOG_LEVEL: 'loud' })
  t.true(output.includes('Cannot start: ASSISTANT_LOG_LEVEL=loud is not one of silent, error, warn, info, debug'), output)
})

serial('ASSISTANT_BACKUPS_KEPT past 3650 is refused with the range, one message and no stack trace', async (t) => {
  const output = await refusedAtStart(t, { ASSISTANT_BACKUPS_KEPT: '5000' })
  t.true(output.includes('Cannot start: ASSISTANT_BACKUPS_KEPT must be how many daily backups to keep, from 1 to 3650, not "5000".'), output)
})

serial('an ASSISTANT_DATABASE_URL that is not PostgreSQL is refused before any connection, quoting only its scheme', async (t) => {
  const output = await refusedAtStart(t, { ASSISTANT_DATABASE_URL: 'mysql://root:s3cret@db.example:3306/assistant' })
  t.true(output.includes('Cannot start: ASSISTANT_DATABASE_URL must be a PostgreSQL URL, postgres://user:password@host:5432/database, not one starting "mysql:".'), output)
  t.false(output.includes('s3cret'), 'the password is never printed')
})

serial('on a puppet service it cannot reach, the runner says so once with what to check, then retries without a warning a try', async (t) => {
  t.timeout(TEST_TIMEOUT)
  const dataFile = await tempDataFile()
  const port = await freePort() // and nothing will listen on it
  const runner = startRunner(dataFile, {
    WECHATY_PUPPET: 'wechaty-puppet-service',
    WECHATY_PUPPET_SERVICE_TOKEN: `insecure_${randomUUID()}`,
    WECHATY_PUPPET_SERVICE_ENDPOINT: `127.0.0.1:${port}`,
    WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
    WECHATY_LOG: undefined, // wechaty's lines as a person running it has them
    ASSISTANT_LOG_LEVEL: 'debug',
  }, [], dirname(dataFile)) // production (a puppet named); wechaty keeps its memory card in the working folder: not the project's
  t.teardown(() => { runner.child.kill('SIGKILL') })
  await runner.waitFor('gave up: starting it again (restart 1)')
  await runner.waitFor('restart 1 failed')
  runner.child.kill('SIGTERM')
  t.is(await runner.exited, 0, runner.output())
  const lines = runner.stderr().split('\n')
  const errors = lines.filter((line) => / ERROR /.test(line))
  t.is(errors.length, 1, runner.stderr())
  t.true(errors[0]!.includes(`cannot reach its server (14 UNAVAILABLE`), errors[0])
  t.true(errors[0]!.includes(`(now: WECHATY_PUPPET_SERVICE_ENDPOINT=127.0.0.1:${port}, WECHATY_PUPPET_SERVICE_TOKEN set, TLS off)`), errors[0])
  const afterReport = lines.slice(lines.indexOf(errors[0]!) + 1)
  t.deepEqual(afterReport.filter((line) => / WARN /.test(line)), [], 'the retries\' own complaints are debug lines')
  t.true(afterReport.some((line) => / DEBUG  ?wechaty ServiceCtl/.test(line)), 'and they are there at debug level')
})
