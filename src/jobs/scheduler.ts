// The only importer of node-cron. Each job is a plain function of the time; the schedule only calls it.
// At start every job runs once to catch up on what came due while the process was down.
import cron from 'node-cron'
import type { ScheduledTask } from 'node-cron'
import { ZONE } from '../domain/calendar.js'
import type { Millis } from '../domain/calendar.js'
import type { Logger } from '../log.js'
import { within } from '../within.js'

export interface Job {
  name: string
  /** A cron expression (node-cron: an optional seconds field first), in Asia/Shanghai. */
  schedule: string
  run: (now: Millis) => Promise<unknown>
}

/**
 * How long start-up waits for a catch-up run, and a stop for the runs under way, before going on without
 * them: a job stuck on I/O that never answers (a backup folder on a hung network mount) must hold up
 * neither the chat nor the process's exit.
 */
export const JOB_PATIENCE_MS = 30_000

export class Scheduler {
  private readonly tasks = new Map<string, ScheduledTask>()
  private readonly running = new Map<string, Promise<void>>()
  private stopped = false

  constructor (private readonly jobs: Job[], private readonly clock: () => Millis, private readonly log: Logger, private readonly patienceMs = JOB_PATIENCE_MS) {
    Scheduler.check(Object.fromEntries(jobs.map((job) => [job.name, job.schedule])))
  }

  /** Throws, naming the job, when a schedule is not a cron expression. */
  static check (schedules: Record<string, string>): void {
    for (const [name, schedule] of Object.entries(schedules)) {
      if (typeof schedule !== 'string' || !cron.validate(schedule)) throw new Error(`The schedule of job ${name} is not a valid cron expression: "${String(schedule)}"`)
    }
  }

  /** Runs every job once (catch-up), then schedules them; a catch-up still running after the patience goes on alone. */
  async start (): Promise<void> {
    for (const job of this.jobs) {
      if (!await this.within(this.runNow(job.name))) this.log.warn(`job ${job.name} is still catching up after ${this.patienceMs / 1000} s; start-up goes on without it`)
    }
    if (this.stopped) return
    for (const job of this.jobs) {
      this.tasks.set(job.name, cron.schedule(job.schedule, () => this.runNow(job.name), { name: `assistant:${job.name}`, timezone: ZONE, noOverlap: true }))
    }
  }

  /** Runs a job unless it is already running; an error is logged and the next run still happens. */
  async runNow (name: string): Promise<void> {
    const job = this.jobs.find((j) => j.name === name)
    if (!job) throw new Error(`No job ${name}`)
    const current = this.running.get(name)
    if (current) return current
    const run = job.run(this.clock())
      .then(() => undefined, (err) => this.log.error(`job ${name} failed`, err))
      .finally(() => this.running.delete(name))
    this.running.set(name, run)
    return run
  }

  task (name: string): ScheduledTask | undefined {
    return this.tasks.get(name)
  }

  /** Destroys the tasks (stop() alone would keep the process alive) and waits for runs under way, as long as the patience. */
  async stop (): Promise<void> {
    this.stopped = true
    for (const task of this.tasks.values()) await task.destroy()
    this.tasks.clear()
    if (!await this.within(Promise.all(this.running.values()))) {
      this.log.warn(`stopping without waiting any longer for job ${[...this.running.keys()].join(', ')}: still running after ${this.patienceMs / 1000} s`)
    }
  }

  /** Whether `work` finished within the patience (it goes on either way; runNow's runs never reject). */
  private within (work: Promise<unknown>): Promise<boolean> {
    return within(work, this.patienceMs).then(() => true, () => false)
  }
}
