// The longest the event loop was blocked, two ways: by the wall clock (as monitorEventLoopDelay reports),
// and counting only the time this process was on a CPU meanwhile. On a shared machine a process that is
// runnable but not running shows up as a wall-clock block no code of ours caused; the CPU figure leaves
// that out. It counts every thread of the process (GC helpers included), so it overstates, never understates.

export interface LoopBlocks {
  /** The longest time a 5 ms timer fired late. */
  wallMs: number
  /** Of such a late firing, at most the CPU time the process used in the same interval. */
  busyMs: number
}

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

export function watchLoopBlocks (resolutionMs = 5): { stop: () => LoopBlocks } {
  const blocks: LoopBlocks = { wallMs: 0, busyMs: 0 }
  let last = performance.now()
  let lastCpu = cpuMs()
  const timer = setInterval(() => {
    const now = performance.now()
    const cpu = cpuMs()
    const late = Math.max(0, now - last - resolutionMs)
    blocks.wallMs = Math.max(blocks.wallMs, late)
    blocks.busyMs = Math.max(blocks.busyMs, Math.min(late, cpu - lastCpu))
    last = now
    lastCpu = cpu
  }, resolutionMs)
  return {
    stop: () => {
      clearInterval(timer)
      return blocks
    },
  }
}
