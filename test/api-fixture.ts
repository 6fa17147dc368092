// The platform API on a free loopback port beside a test world, and a way to call it.
import { startPlatformApi } from '../src/platform/api.js'
import type { Logger } from '../src/log.js'
import { worldFor } from './fixture.js'
import type { World, WorldOptions } from './fixture.js'

export const TOKEN = 'platform-test-token'
const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined }

export interface Api {
  w: World
  url: string
  call: (method: string, path: string, body?: unknown, token?: string | null) => Promise<{ status: number, json: Record<string, unknown> }>
  operation: (account: string, actor: string, operation: string) => Promise<Record<string, unknown>>
}

/** `log`: where the API's own log lines go (none by default). */
export async function api (t: { teardown: (fn: () => Promise<void>) => void }, options: WorldOptions = {}, log: Logger = silent): Promise<Api> {
  const w = await worldFor(t, options)
  const running = await startPlatformApi(w.assistant.platform, { token: TOKEN, port: 0, log })
  t.teardown(running.close)
  const call: Api['call'] = async (method, path, body, token = TOKEN) => {
    const headers: Record<string, string> = {}
    if (token !== null) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${running.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) })
    return { status: response.status, json: await response.json() as Record<string, unknown> }
  }
  const operation: Api['operation'] = async (account, actor, op) => {
    const { status, json } = await call('POST', '/v1/operations', { account, actor, operation: op })
    if (status !== 200) throw new Error(`${status} ${JSON.stringify(json)}`)
    return json
  }
  return { w, url: running.url, call, operation }
}

