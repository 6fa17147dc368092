// Where the data file is: the one named, else ASSISTANT_DATA_FILE, else data/assistant.json, relative to
// the working folder (an empty setting, `X=` in a compose file, is no setting). Tiny on purpose: the runner reads it before the heavy modules load.
import { resolve } from 'node:path'

export function dataFileFrom (env: Readonly<Record<string, string | undefined>>, cwd: string, named?: string): string {
  return resolve(cwd, named ?? (env.ASSISTANT_DATA_FILE || undefined) ?? 'data/assistant.json')
}
