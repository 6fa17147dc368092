// Issue 9's embedded tail figures alone, for quick iteration: `npx tsx bench/tail-only.ts [users...]`
// (default 10000). The same measureTail as `npm run bench`, with its default settings.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { log as wechatyLog } from 'wechaty'
import { measureTail } from './tail.js'

wechatyLog.level('silent')
const NOW = Date.now()
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0)
const ms = (x: number): string => x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(1)} ms`

const dir = await mkdtemp(join(tmpdir(), 'assistant-tail-'))
try {
  for (const users of sizes.length > 0 ? sizes : [10_000]) {
    const f = await measureTail(dir, users, NOW)
    console.log(`Embedded, ${users.toLocaleString('en')} users:`)
    console.log(`  idle: lookup p50 ${ms(f.idle.p50)}, p99 ${ms(f.idle.p99)}, max ${ms(f.idle.max)} (${f.idle.count}); fair echo p50 ${ms(f.echoMedian)}`)
    for (const c of f.underChanges) {
      console.log(`  ${String(c.perSecond).padStart(2)} changes/s: lookup p50 ${ms(c.lookups.p50)}, p99 ${ms(c.lookups.p99)}, max ${ms(c.lookups.max)} (${c.lookups.count}); ack p50 ${ms(c.ackP50)}, p99 ${ms(c.ackP99)}; longest loop block ${ms(c.longestBlockMs)}`)
    }
    console.log(`  sustained ${f.sustainedPerSecond.toFixed(1)} changes/s; first contact ${ms(f.firstContactMs)}; RSS ${f.rssMb.toFixed(0)} MB; outbox writes ${f.outboxWrites}`)
    const five = f.underChanges.find((c) => c.perSecond === 5)!
    console.log(`  → p99 under 5/s ÷ idle p99 = ${(five.lookups.p99 / f.idle.p99).toFixed(2)}× (target ≤ 3); median ÷ echo = ${(f.idle.p50 / f.echoMedian).toFixed(2)}× (target ≤ 1.4)`)
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
