// The runner (src/main.ts) as a child process, as a person starts it: its output collected, and
// `waitFor(text)` resolving once it printed `text` (or failing once it exited without, or after a ceiling).
import { spawn } from 'node:child_process'
import { join } from 'node:path'

export const ROOT = new URL('../..', import.meta.url).pathname
/** How long a runner may take to get somewhere on a busy machine: a ceiling, not an expectation. */
export const CEILING = 120_000

/**
 * `env` values replace the test process's own; undefined removes the variable. `args`: the runner's
 * (`--demo` for what `npm start` runs). `cwd`: where it runs (the project by default). The loader and the
 * runner are named by absolute path, so the working folder may be elsewhere.
 */
export function startRunner (env: Record<string, string | undefined>, args: string[], cwd = ROOT) {
  const full: Record<string, string | undefined> = { ...process.env, ASSISTANT_API_TOKEN: '', ...env }
  for (const [key, value] of Object.entries(full)) if (value === undefined) delete full[key]
  const child = spawn(process.execPath, [`--import=${import.meta.resolve('tsx')}`, join(ROOT, 'src/main.ts'), ...args], { cwd, env: full, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  const streams = { stdout: '', stderr: '' }
  const waiters: Array<() => void> = []
  const collect = (stream: keyof typeof streams) => (chunk: Buffer): void => {
    output += chunk.toString()
    streams[stream] += chunk.toString()
    for (const wake of waiters.splice(0)) wake()
  }
  child.stdout.on('data', collect('stdout'))
  child.stderr.on('data', collect('stderr'))
  let gone = false
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    gone = true
    for (const wake of waiters.splice(0)) wake()
    resolve(code)
  }))
  const waitFor = (text: string, timeoutMs = CEILING): Promise<string> => new Promise((resolve, reject) => {
    const fail = (why: string): void => reject(new Error(`runner ${why} ${JSON.stringify(text)}; it printed:\n${output}`))
    const timer = setTimeout(() => fail('never printed'), timeoutMs)
    const check = (): void => {
      if (output.includes(text)) {
        clearTimeout(timer)
        resolve(output)
      } else if (gone) {
        clearTimeout(timer)
        fail('exited without printing')
      } else waiters.push(check)
    }
    check()
  })
  return { child, exited, waitFor, output: () => output, stdout: () => streams.stdout, stderr: () => streams.stderr }
}

/** Stack-trace lines: a refusal the runner expects is one message, never a trace. */
export function stackLines (text: string): string[] {
  return text.split('\n').filter((line) => /^\s+at /.test(line))
}
