// A child process for the lock race in test/lock.test.ts. A round starts once every racer has finished the
// last, and each racer tries to take the lock. A holder marks that it holds (the marker is created
// exclusively, so a second holder at the same time is caught) and keeps the lock until every racer has
// tried, so every round is contended however the racers are scheduled. A watcher reads the lock file
// throughout, for a moment where it is there but not a complete owner.
// In the stale race every round starts from a stale lock instead (see staleRace).
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { setPriority } from 'node:os'
import { join } from 'node:path'
import { FileLock } from '../../src/store/file-lock.js'
import { staleLock } from './lock-stale.js'

// race <dataFile> <syncDir> <index> <racers> <rounds> | watch <dataFile> <syncDir>
// | stale <dataFile> <syncDir> <index> <racers> <rounds> <budgetMs> | once <dataFile>
const [mode, dataFile, syncDir, indexArg, racersArg, roundsArg, budgetArg] =
  process.argv.slice(2) as [string, string, string, string?, string?, string?, string?]
const index = Number(indexArg)
const racers = Number(racersArg)
const rounds = Number(roundsArg)

const pause = new Int32Array(new SharedArrayBuffer(4))

/** Polls with short sleeps rather than spinning, so a loaded machine still runs the racer everyone waits for. */
function waitFor (ready: () => boolean): void {
  const giveUp = Date.now() + 60_000 // the test is gone
  while (!ready()) {
    if (Date.now() > giveUp) {
      console.error(`racer ${index}: waited a minute for the others; giving up`)
      process.exit(2)
    }
    Atomics.wait(pause, 0, 0, 1)
  }
}

const signal = (name: string): void => writeFileSync(join(syncDir, name), '')
const allSignalled = (prefix: string) => (): boolean => {
  for (let i = 0; i < racers; i++) if (!existsSync(join(syncDir, `${prefix}.${i}`))) return false
  return true
}

interface Tally { held: number[], overlaps: number[], problems: string[] }

/** One try at the lock: a holder marks the round with a file only one process can create (two holders = overlap). */
function tryRound (round: number, marker: string, tally: Tally): { lock: FileLock | undefined, marked: boolean } {
  let lock: FileLock | undefined
  try {
    lock = FileLock.acquire(dataFile)
  } catch (err) {
    if (!/in use by another running assistant/.test((err as Error).message)) tally.problems.push(`round ${round}: ${(err as Error).message}`)
  }
  if (!lock) return { lock, marked: false }
  tally.held.push(round)
  try {
    closeSync(openSync(marker, 'wx'))
    return { lock, marked: true }
  } catch {
    tally.overlaps.push(round)
    return { lock, marked: false }
  }
}

function race (): void {
  const marker = join(syncDir, 'holder')
  const held: number[] = []
  const overlaps: number[] = []
  const problems: string[] = []
  signal(`ready.${index}`)
  waitFor(allSignalled('ready'))
  const started = Date.now()
  for (let round = 0; round < rounds; round++) {
    const { lock, marked } = tryRound(round, marker, { held, overlaps, problems })
    signal(`tried.${round}.${index}`)
    if (lock) {
      waitFor(allSignalled(`tried.${round}`))
      if (marked) rmSync(marker)
      const failed = lock.release()
      if (failed) problems.push(`round ${round}: release: ${failed.message}`)
    }
    signal(`done.${round}.${index}`)
    waitFor(allSignalled(`done.${round}`))
  }
  process.stdout.write(JSON.stringify({ held, overlaps, problems, ms: Date.now() - started }))
}

/**
 * Every round starts from a stale lock, so every round is a takeover race. A holder keeps the lock until every
 * racer has tried, then releases it, puts the next round's stale lock in its place and starts the next round;
 * the others wait for that (or, when nobody got the lock, for everyone to have tried). Rounds end on one file
 * each rather than on every racer's, as a loaded machine is slow to run every racer once more per round. The
 * holder of a round that ends after the time budget tells everyone to stop, so the run stays bounded however
 * slow the machine is; the test checks the rounds that ran.
 */
function staleRace (): void {
  const budget = Number(budgetArg)
  const lockFile = `${dataFile}.lock`
  const marker = join(syncDir, 'holder')
  const stop = join(syncDir, 'stop')
  const held: number[] = []
  const overlaps: number[] = []
  const problems: string[] = []
  signal(`ready.${index}`)
  waitFor(allSignalled('ready'))
  const started = Date.now()
  let round = 0
  while (round < rounds) {
    const { lock, marked } = tryRound(round, marker, { held, overlaps, problems })
    // one byte per racer, appended: the file's size says how many have tried, its bytes whether anyone holds
    const tried = join(syncDir, `tried.${round}`)
    appendFileSync(tried, lock ? 'H' : '-')
    const everyoneTried = (): boolean => sizeOf(tried) >= racers
    const next = join(syncDir, `next.${round}`)
    if (lock) {
      waitFor(everyoneTried)
      if (marked) rmSync(marker)
      const failed = lock.release()
      if (failed) problems.push(`round ${round}: release: ${failed.message}`)
      // written whole, then renamed into place: nobody tries the lock before the next round anyway
      const temp = join(syncDir, `stale.${index}`)
      writeFileSync(temp, staleLock(round + 1))
      renameSync(temp, lockFile)
      if (Date.now() - started > budget) signal('stop')
      signal(`next.${round}`)
      Atomics.wait(pause, 0, 0, 1) // no head start on the others, who wake from their 1 ms waits for the file
    } else {
      waitFor(() => existsSync(next) || (everyoneTried() && !readFileSync(tried, 'utf8').includes('H')))
    }
    round++
    if (existsSync(stop)) break
  }
  process.stdout.write(JSON.stringify({ held, overlaps, problems, rounds: round, ms: Date.now() - started }))
}

function sizeOf (path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

function watch (): void {
  setPriority(19) // it spins: on a loaded machine the racers come first
  const lockFile = `${dataFile}.lock`
  const stop = join(syncDir, 'stop')
  const giveUp = Date.now() + 120_000
  const torn: string[] = []
  let seen = 0
  signal('watching')
  for (let i = 0; ; i++) {
    if (i % 256 === 0 && (existsSync(stop) || Date.now() > giveUp)) break
    let text: string
    try {
      text = readFileSync(lockFile, 'utf8')
    } catch {
      continue
    }
    seen++
    try {
      if (typeof JSON.parse(text).pid !== 'number') torn.push(text)
    } catch {
      torn.push(text)
    }
  }
  process.stdout.write(JSON.stringify({ seen, torn }))
}

/** Takes the lock and lets it go, for a test that needs it taken in another process. */
function once (): void {
  const failed = FileLock.acquire(dataFile).release()
  if (failed) throw failed
  process.stdout.write('held')
}

if (mode === 'watch') watch()
else if (mode === 'stale') staleRace()
else if (mode === 'once') once()
else race()
