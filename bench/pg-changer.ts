// Child process: one assistant on the database at `url` (its own pool, default settings) making
// acknowledged changes — the platform toggling the bank cards of `people` users from `first` on — with
// one change in flight per person, for `seconds` from the parent's 'go'. Answers with what it got done
// and where its transactions' time went.
import { openAssistant } from '../src/assistant.js'
import { answer } from './child.js'
import { watchedPool, resetWatch } from './pg-watch.js'
import type { Watch } from './pg-watch.js'
import { silent } from './tail.js'

export interface ChangerFigures { acknowledged: number, seconds: number, watch: Watch, cpuMs: number }

const [url, first, people, seconds, now] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6])]
const { pool, watch } = watchedPool(url)
const assistant = await openAssistant({ database: { pool }, clock: () => now, log: silent, schedules: false }, async () => undefined)
const { people: platform } = assistant.platform
// One change each first, so every connection is made and warm before the clock starts.
await Promise.all(Array.from({ length: people }, (_, k) => platform.update(`user_${first + k}`, { bankCard: false })))
process.send!('ready')
await new Promise((resolve) => process.once('message', resolve))

resetWatch(watch)
const cpuBefore = process.cpuUsage()
let acknowledged = 0
const started = performance.now()
const until = started + seconds * 1000
await Promise.all(Array.from({ length: people }, async (_, k) => {
  for (let n = 0; performance.now() < until; n++) {
    const result = await platform.update(`user_${first + k}`, { bankCard: n % 2 === 0 })
    if (!result.ok) throw new Error(`change refused: ${result.problem}`)
    acknowledged++
  }
}))
const elapsed = (performance.now() - started) / 1000
const cpu = process.cpuUsage(cpuBefore)
await assistant.close()
await pool.end()
answer({ acknowledged, seconds: elapsed, watch, cpuMs: (cpu.user + cpu.system) / 1000 } satisfies ChangerFigures)
