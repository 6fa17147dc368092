// How the benchmark states its results: one PASS/FAIL line per target, and figures in readable units.
export interface Result { target: string, measured: string, ok: boolean }

export const results: Result[] = []

export function report (target: string, measured: string, ok: boolean): void {
  results.push({ target, measured, ok })
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${target}\n      ${measured}`)
}

export const ms = (x: number): string => x < 1 ? `${(x * 1000).toFixed(0)} µs` : x < 10_000 ? `${x.toFixed(1)} ms` : `${(x / 1000).toFixed(1)} s`

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
