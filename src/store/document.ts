// A whole document as the embedded engine loads it: a new one, the seed moved to now, and the checks a
// document passes before anything runs on it (schema version, schema, uniqueness, references, limits).
// Also read without a lock by `security-assistant check` and by backups.
import { readFile } from 'node:fs/promises'
import type { Millis } from '../domain/calendar.js'
import { checkDocument, describeIssues, listProblems, ruleProblems } from './consistency.js'
import { DurableJsonFile } from './durable-json-file.js'
import { StoreError } from './errors.js'
import { migrate } from './migrations.js'
import { SCHEMA_VERSION, SeedSchema } from './schema.js'
import type { Data } from './schema.js'
import { materialiseSeed } from './seed.js'

export function emptyData (): Data {
  return { version: SCHEMA_VERSION, accounts: [], users: [], bindings: [], invitations: [], renewals: [], approvals: [], logins: [], history: [], outbox: [], digestEntries: [], lookupNotices: [], reviews: [], webhooks: [], webhookEvents: [] }
}

/** A seed file read, checked and moved to `now`, as a data file starts from it (PostgreSQL too). */
export async function loadSeed (seedFile: string, now: Millis): Promise<Data> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(seedFile, 'utf8'))
  } catch (err) {
    throw new StoreError(`Cannot read the seed file ${seedFile}: ${(err as Error).message}`)
  }
  const parsed = SeedSchema.safeParse(raw)
  if (!parsed.success) throw new StoreError(`The seed file ${seedFile} is not valid: ${describeIssues(parsed.error)}`)
  return validDocument(seedFile, materialiseSeed(parsed.data, now), now)
}

/** `raw` as a document of the current version, or a StoreError saying what is wrong with `file`. */
export function validDocument (file: string, raw: unknown, now: Millis): Data {
  const version = (raw as { version?: unknown } | null)?.version
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new StoreError(
      `The data file ${file} has schema version ${version}, newer than this assistant understands (${SCHEMA_VERSION}). ` +
      'It was left untouched: run a newer version of the assistant.',
    )
  }
  const checked = checkDocument(raw)
  if ('schema' in checked) {
    throw new StoreError(`The data file ${file} does not match the schema (${checked.schema}). It was left untouched: repair it, or move it aside to start again.`)
  }
  // Duplicates and records that point at nothing would break lookups and decisions later; so would limits already broken.
  const problems = 'inconsistent' in checked ? checked.inconsistent : ruleProblems(checked.data, now)
  if (problems.length > 0) {
    throw new StoreError(`The data file ${file} is inconsistent: ${listProblems(problems)}. It was left untouched: repair it, or move it aside to start again.`)
  }
  return (checked as { data: Data }).data
}

/**
 * A data file read and checked as start-up would, without its lock and without writing anything: an
 * older version is upgraded in memory only. Safe beside a running assistant (its writes replace the file
 * whole); undefined when there is no file.
 */
export async function readDataFile (file: string, now: Millis): Promise<Data | undefined> {
  const loaded = await new DurableJsonFile<Data>(file).load()
  if (!loaded.exists) return undefined
  return validDocument(file, migrate(loaded.value, SCHEMA_VERSION) ?? loaded.value, now)
}
