// Parts of the benchmark that run in a process of their own: a world loaded there leaves nothing in the
// measuring process's memory, and two assistant processes on one database are two real processes.
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'

/** Starts `script` (a .ts file under bench/) through tsx; its messages arrive on the returned process. */
export function startChild (script: string, args: string[]): ChildProcess {
  return fork(new URL(script, import.meta.url).pathname, args, { execArgv: ['--import', 'tsx'], env: { ...process.env, WECHATY_LOG: 'silent' } })
}

/** The first message `child` sends, or its failure if it exits before sending one. */
export function nextMessage<T> (child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`${child.spawnargs.slice(-4).join(' ')} exited with ${code} before answering`))
    child.once('exit', onExit)
    child.once('message', (message) => {
      child.off('exit', onExit)
      resolve(message as T)
    })
  })
}

/** Runs `script` to its end and returns what it sent. */
export async function runChild<T> (script: string, args: string[]): Promise<T> {
  const child = startChild(script, args)
  const result = await nextMessage<T>(child)
  await new Promise((resolve) => child.once('exit', resolve))
  return result
}

/** In a child: sends the result and lets the process end (open handles would keep it alive). */
export function answer (result: unknown): void {
  process.send!(result, () => process.exit(0))
}
