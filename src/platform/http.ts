// How a route of the platform API is declared: its path, the zod schemas of its path, query and body,
// the answer and the refusals it gives, and the handler. The server registers the routes from these
// declarations and the OpenAPI description is generated from the very same ones, so neither can drift.
import { z } from 'zod'
import type { Platform } from '../assistant.js'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A refusal a route may answer with: its status, its `error` code, when (for the description) and, when it is always the same, its message. */
export interface Refusal {
  status: number
  error: string
  when: string
  message?: string
}

/** The error a route throws for `refusal`: with its own message, or `message` where that says more. */
export function refuse (refusal: Refusal, message = refusal.message ?? ''): HttpError {
  return new HttpError(refusal.status, refusal.error, message)
}

/** What a route read by its id, path or name; when there is none, the refusal that says so (the 404 of every such route). */
export function foundOr<T> (found: T | undefined, refusal: Refusal): T {
  if (found === undefined) throw refuse(refusal)
  return found
}

/** An answer whose status is not the route's usual one (a health check that finds problems). */
export class Answer<T> {
  constructor (readonly status: number, readonly body: T) {}
}

type Input<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = { params: z.output<P>, query: z.output<Q>, body: z.output<B> }

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  method: Method
  /** In Fastify's spelling: /v1/accounts/:account. */
  path: string
  summary: string
  description?: string
  /** Answered without the token and while the store is failing (/healthz, /openapi.json). */
  open?: boolean
  params?: P
  query?: Q
  body?: B
  /** The usual answer: its status (200 unless told), body and what it means; `alsoAs`: other statuses with the same body. */
  answer: { status?: 200 | 201, schema: R, description: string, alsoAs?: Array<{ status: number, description: string }> }
  /** What this route refuses with, besides what every route may (400 malformed, 401, 503). */
  refusals?: Refusal[]
  handle: (input: Input<P, Q, B>, platform: Platform) => Promise<z.input<R> | Answer<z.input<R>>>
}

/** A route with its types put away, as the server and the description read it. */
export type Route = RouteSpec<z.ZodType, z.ZodType, z.ZodType, z.ZodType>

export function defineRoute<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined, R extends z.ZodType = z.ZodType> (spec: RouteSpec<P, Q, B, R>): Route {
  return spec as unknown as Route
}

/** An answer that is not a success: the status, a machine-readable code, and what happened and what to do. */
export class HttpError extends Error {
  constructor (readonly status: number, readonly code: string, message: string, readonly extra: Record<string, unknown> = {}) { super(message) }
}

/** `value` as the schema reads it, or a 400 naming (at most three) wrong fields and what is wrong with each. */
export function parse<S extends z.ZodType> (schema: S, value: unknown, part: 'path' | 'query' | 'body'): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const detail = result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || part}: ${i.message}`).join('; ')
  throw new HttpError(400, `invalid-${part}`, detail)
}

/** Every error answer: `refusals` only where a rule lists what failed. */
export const ErrorBody = z.object({
  error: z.string().meta({ description: 'A machine-readable code (unauthorized, invalid-body, unknown-account, name-taken, …).' }),
  message: z.string().meta({ description: 'What happened and what to do about it.' }),
  refusals: z.array(z.object({ kind: z.string(), message: z.string() })).optional()
    .meta({ description: 'With admin-refused: every condition the new admin does not meet, each with what to do.' }),
}).meta({ id: 'Error' })
