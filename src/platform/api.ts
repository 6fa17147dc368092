// The platform's HTTP API (公众平台 → assistant). Only HTTP here: the token, the last mask on every
// answer, one log line a request, errors as JSON; the routes are declared in routes/ and every rule is
// in the services.
import { createHash, timingSafeEqual } from 'node:crypto'
import Fastify from 'fastify'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Platform } from '../assistant.js'
import { maskPersonalNumbers } from '../domain/masking.js'
import type { Logger } from '../log.js'
import { apiTexts } from '../texts.js'
import { Answer, HttpError, parse } from './http.js'
import type { Route } from './http.js'
import { accountRoutes } from './routes/accounts.js'
import { operationRoutes } from './routes/operations.js'
import { healthRoute, openApiRoute } from './routes/service.js'
import { userRoutes } from './routes/users.js'
import { webhookRoutes } from './routes/webhook.js'

export interface ApiOptions {
  /** Every request but /healthz and /openapi.json must carry `Authorization: Bearer <token>`. */
  token: string
  port: number
  /** 127.0.0.1 unless told. */
  host?: string
  log: Logger
}

export interface RunningApi {
  url: string
  close: () => Promise<void>
}

const API_ROUTES: readonly Route[] = [...operationRoutes, ...userRoutes, ...accountRoutes, ...webhookRoutes, healthRoute]
/** Every route the API answers, its own description included. */
export const ROUTES: readonly Route[] = [...API_ROUTES, openApiRoute(API_ROUTES)]

/** The same value with every string in it masked; the JSON structure is left as it is. */
async function maskStrings (value: unknown, mask: (text: string) => Promise<string>): Promise<unknown> {
  if (typeof value === 'string') return mask(value)
  if (Array.isArray(value)) return Promise.all(value.map((item) => maskStrings(item, mask)))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await maskStrings(item, mask)])))
  }
  return value
}

/** Whether JSON.parse reads it (after a byte-order mark, which Fastify's parser skips too). */
function isJson (text: string): boolean {
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''))
    return true
  } catch {
    return false
  }
}

export async function startPlatformApi (platform: Platform, options: ApiOptions): Promise<RunningApi> {
  const app = Fastify({
    logger: false,
    // A path the router cannot decode: Fastify's own answer would quote it whole, past the last mask.
    frameworkErrors: (_err, _request, reply) => { (reply as FastifyReply).code(400).send({ error: 'bad-path', message: apiTexts.badPath }) },
  })
  // Fastify's own JSON parser, which refuses keys named __proto__ (and constructor.prototype) as "not
  // valid JSON": the body is valid JSON, refused for safety, and the answer says so and what to do.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    parseJson(request, body, (err, value) => done(err && isJson(body) ? new HttpError(400, 'invalid-body', apiTexts.forbiddenJsonKeys) : err, value))
  })
  // Digests of the same length whatever was sent: the comparison takes the same time and tells nothing, the token's length included.
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest()
  const expected = digest(`Bearer ${options.token}`)
  const host = options.host ?? '127.0.0.1'

  /** While the assistant cannot save, every request gets this and nothing is done. */
  const unavailable = (reply: FastifyReply) => reply.code(503).send({ error: 'unavailable', message: apiTexts.unavailable(platform.failure()!.message) })
  const isOpen = (request: FastifyRequest): boolean => (request.routeOptions.config as { open?: boolean }).open === true

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (isOpen(request)) return
    if (!timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      return reply.code(401).send({ error: 'unauthorized', message: apiTexts.unauthorized })
    }
    if (platform.failure()) return unavailable(reply)
  })
  // Invariant 5 for every answer, errors included: each string in it passes the last mask. The open routes
  // (made of counts, times and constants) take the strict mask, which asks the store nothing: a health
  // check must answer when the store does not.
  const strictMask = async (text: string): Promise<string> => maskPersonalNumbers(text)
  app.addHook('preSerialization', async (request: FastifyRequest, _reply: FastifyReply, payload: unknown) =>
    maskStrings(payload, isOpen(request) ? strictMask : platform.mask))
  // One line a request, never the token nor a path's values: the route as declared (its :params), or none.
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    options.log.info(`platform API ${request.method} ${request.routeOptions.url ?? '(no such route)'} → ${reply.statusCode} in ${reply.elapsedTime.toFixed(1)} ms`)
  })
  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    if (err instanceof HttpError) return reply.code(err.status).send({ error: err.code, message: err.message, ...err.extra })
    // The write under this very request is the one that failed: the same answer as every later request.
    if (platform.failure() && !isOpen(request)) return unavailable(reply)
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: 'bad-request', message: err.message })
    options.log.error(`platform API ${request.method} ${request.routeOptions.url ?? ''} failed`, err)
    return reply.code(500).send({ error: 'internal', message: apiTexts.internal })
  })
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not-found', message: apiTexts.noSuchRoute(request.method) }))

  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: route.path,
      config: { open: route.open === true },
      handler: async (request, reply) => {
        const input = {
          params: route.params ? parse(route.params, request.params, 'path') : undefined,
          query: route.query ? parse(route.query, request.query, 'query') : undefined,
          body: route.body ? parse(route.body, request.body, 'body') : undefined,
        }
        const answer = await route.handle(input, platform)
        if (answer instanceof Answer) return reply.code(answer.status).send(answer.body)
        return reply.code(route.answer.status ?? 200).send(answer)
      },
    })
  }

  try {
    const url = await app.listen({ host, port: options.port })
    return { url, close: () => app.close() }
  } catch (err) {
    await app.close().catch(() => undefined)
    const code = (err as { code?: string }).code
    throw new Error(code === 'EADDRINUSE' ? apiTexts.portTaken(host, options.port) : apiTexts.cannotListen(host, options.port, (err as Error).message), { cause: err })
  }
}
