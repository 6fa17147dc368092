// The options a host bot passes, checked once before anything is opened: a wrong number here would
// otherwise surface much later as invalid dates refused at every write.
import { z } from 'zod'
import { MIN_RETENTION } from './domain/retention.js'

const positive = z.number().finite().positive()
const count = z.number().int().min(1)

const ConfigSchema = z.object({
  dataFile: z.string().min(1, 'name the data file'),
  seedFile: z.string().min(1).optional(),
  lookupLimit: z.object({ max: count, windowMs: positive }).optional(),
  invitationTtl: positive.max(366 * 24 * 3_600_000, 'at most a year').optional(),
  retention: z.number().finite().min(MIN_RETENTION, `at least ${MIN_RETENTION / 86_400_000} days: lapsed roles are shown and renewable for 30`).optional(),
  outbox: z.object({ rate: z.object({ perMinute: positive, burst: count }), maxAttempts: count }).optional(),
})

/** Throws one error naming every wrong option. */
export function checkConfig (config: unknown): void {
  const parsed = ConfigSchema.safeParse(config)
  if (parsed.success) return
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ')
  throw new Error(`SecurityAssistant: invalid options (${problems})`)
}
