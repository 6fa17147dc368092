// `npm start` as a person runs it: the demo console on the mock puppet, piped lines, clean shutdown.
import test from 'ava'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = new URL('..', import.meta.url).pathname

function startRunner (dataFile: string) {
  const child = spawn(process.execPath, ['--import=tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ASSISTANT_DATA_FILE: dataFile, WECHATY_LOG: 'silent', ASSISTANT_API_TOKEN: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  const waiters: Array<() => void> = []
  const collect = (chunk: Buffer): void => {
    output += chunk.toString()
    for (const wake of waiters.splice(0)) wake()
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const waitFor = (text: string, timeoutMs = 20_000): Promise<string> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runner never printed ${JSON.stringify(text)}; it printed:\n${output}`)), timeoutMs)
    const check = (): void => {
      if (output.includes(text)) {
        clearTimeout(timer)
        resolve(output)
      } else waiters.push(check)
    }
    check()
  })
  return { child, exited, waitFor, output: () => output }
}

test('the demo console chats as a demo user, shows pushes to others, and stops cleanly on SIGTERM', async (t) => {
  const dataFile = join(await mkdtemp(join(tmpdir(), 'assistant-runner-')), 'assistant.json')
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
  const onDisk = JSON.parse(await readFile(dataFile, 'utf8'))
  t.is(onDisk.bindings.find((b: { id: string }) => b.id === 'b_zw_tea').endReason, 'unbound')
})

test('the runner refuses a corrupt data file with a clear message and exit code 1', async (t) => {
  const dataFile = join(await mkdtemp(join(tmpdir(), 'assistant-runner-')), 'assistant.json')
  await writeFile(dataFile, '{"version":1,')
  const runner = startRunner(dataFile)
  t.teardown(() => { runner.child.kill('SIGKILL') })
  t.is(await runner.exited, 1)
  t.true(runner.output().includes(`Cannot start: The data file ${dataFile} is not valid JSON`), runner.output())
  t.is(await readFile(dataFile, 'utf8'), '{"version":1,')
})
