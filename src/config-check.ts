// The options a host bot passes, checked once before anything is opened: a wrong number here would
// otherwise surface much later as invalid dates refused at every write.
import { z } from 'zod'
import { isPostgresUrl } from './store/database-url.js'
import { days } from './domain/calendar.js'
import { MAX_BACKUPS_KEPT } from './domain/backups.js'
import { MIN_RETENTION } from './domain/retention.js'
import type { Logger } from './log.js'

const positive = z.number().finite().positive()
const count = z.number().int().min(1)
/** A span added to or taken from today: beyond a year it can reach past the dates a Date (and PostgreSQL) can hold. */
const upToAYear = positive.max(days(366), 'at most a year')
/** Keeping closed records longer than this is keeping them for ever; a cutoff further back is no date PostgreSQL takes. */
const MAX_RETENTION = days(36_525)

const Database = z.union([
  z.object({ url: z.string().refine(isPostgresUrl, 'a postgres:// URL') }).strict(),
  // A pg.Pool (anything that can connect, query and be listened to): not a plain object.
  z.object({ pool: z.custom<object>((p) => typeof p === 'object' && p !== null && ['connect', 'query', 'on'].every((f) => typeof (p as Record<string, unknown>)[f] === 'function'), 'a pg.Pool') }).strict(),
], { error: 'either { url: "postgres://…" } or { pool } (a pg.Pool)' })

const isFunction = (value: unknown): boolean => typeof value === 'function'
/** Something with info, warn and error functions. */
export const isLogger = (value: unknown): value is Logger => typeof value === 'object' && value !== null &&
  ['info', 'warn', 'error'].every((method) => isFunction((value as Record<string, unknown>)[method]))

const ConfigSchema = z.object({
  dataFile: z.string().min(1, 'name the data file').optional(),
  database: Database.optional(),
  seedFile: z.string().min(1).optional(),
  lookupLimit: z.object({ max: count, windowMs: upToAYear }).optional(),
  invitationTtl: upToAYear.optional(),
  retention: z.number().finite().min(MIN_RETENTION, `at least ${MIN_RETENTION / 86_400_000} days: lapsed roles are shown and renewable for 30`).max(MAX_RETENTION, 'at most 100 years').optional(),
  outbox: z.object({ rate: z.object({ perMinute: positive, burst: count }), maxAttempts: count, sendTimeoutMs: positive.max(120_000, 'at most two minutes (half a claim\'s lease, less the last send)').optional() }).optional(),
  webhook: z.object({ maxAttempts: count.optional(), maxAge: positive.optional(), timeoutMs: positive.max(120_000, 'at most two minutes').optional() }).strict().optional(),
  backups: z.union([z.literal(false), z.object({ dir: z.string().min(1, 'name the backups folder').optional(), keep: count.max(MAX_BACKUPS_KEPT).optional() }).strict()]).optional(),
  // Whom it answers: checked here too, so a typo ('konwn', rooms: 'no') is not taken for the default.
  contacts: z.custom((value) => value === 'all' || value === 'known' || isFunction(value),
    "'all', 'known', or a function (contact) => boolean (or a Promise of one)").optional(),
  rooms: z.custom((value) => typeof value === 'boolean' || isFunction(value),
    'true, false, or a function (room) => boolean (or a Promise of one)').optional(),
  acceptFriendRequests: z.boolean('true or false').optional(),
  log: z.custom(isLogger, 'an object with info, warn and error functions (createLogger() makes one)').optional(),
}).superRefine((config, ctx) => {
  // One engine: the data file or PostgreSQL, never both (which would hold the truth?) nor neither.
  if (config.dataFile === undefined && config.database === undefined) {
    ctx.addIssue({ code: 'custom', path: ['dataFile'], message: 'name the data file, or give database: { url } or { pool } for PostgreSQL' })
  } else if (config.dataFile !== undefined && config.database !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['database'], message: 'give either dataFile or database, not both' })
  }
  // On PostgreSQL there is no data file to put backups beside: a backups setting must say where.
  if (config.database !== undefined && config.backups && config.backups.dir === undefined) {
    ctx.addIssue({ code: 'custom', path: ['backups', 'dir'], message: 'name the backups folder (on PostgreSQL there is no data file to put them beside)' })
  }
})

/** Throws one error naming every wrong option. */
export function checkConfig (config: unknown): void {
  const parsed = ConfigSchema.safeParse(config)
  if (parsed.success) return
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ')
  throw new Error(`SecurityAssistant: invalid options (${problems})`)
}
