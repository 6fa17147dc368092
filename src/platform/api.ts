// The platform's HTTP API (公众平台 → assistant): risky operations and their approval state, users'
// profiles and security settings, follows. Only HTTP here: every rule is in the services.
import { timingSafeEqual } from 'node:crypto'
import Fastify from 'fastify'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Platform } from '../assistant.js'
import { idNumber, newUserFields, personName, phone, wechatId } from '../domain/fields.js'
import { maskIdNumber, maskPhone } from '../domain/identity.js'
import { OPERATIONS } from '../domain/permissions.js'
import type { Logger } from '../log.js'
import type { PeopleResult } from '../services/people.js'
import { texts } from '../texts.js'
import type { User } from '../store/schema.js'

export interface ApiOptions {
  /** Every request must carry `Authorization: Bearer <token>`. */
  token: string
  port: number
  host?: string
  log: Logger
}

export interface RunningApi {
  url: string
  close: () => Promise<void>
}

const OperationBody = z.object({
  account: z.string().min(1),
  actor: wechatId,
  operation: z.enum(OPERATIONS),
}).strict()

const NewUserBody = z.object(newUserFields).strict()

const SecurityBody = z.object({ accountProtection: z.boolean().optional(), bankCard: z.boolean().optional() }).strict()
  .refine((b) => Object.keys(b).length > 0, 'name accountProtection or bankCard')

const ProfileBody = z.object({
  name: personName.optional(),
  wechatId: wechatId.optional(),
  phone: phone.optional(),
  idNumber: idNumber.optional(),
}).strict().refine((b) => Object.keys(b).length > 0, 'name at least one of name, wechatId, phone, idNumber')

/** The same value with every string in it masked; the JSON structure is left as it is. */
async function maskStrings (value: unknown, mask: (text: string) => Promise<string>): Promise<unknown> {
  if (typeof value === 'string') return mask(value)
  if (Array.isArray(value)) return Promise.all(value.map((item) => maskStrings(item, mask)))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await maskStrings(item, mask)])))
  }
  return value
}

class HttpError extends Error {
  constructor (readonly status: number, readonly code: string, message: string) { super(message) }
}

function parse<T> (schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const detail = result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')
  throw new HttpError(400, 'invalid-body', detail)
}

/** What the API shows of a person: identifiers masked, as everywhere else. */
function userView (user: User) {
  return {
    wechatId: user.wechatId,
    name: user.name,
    phone: user.phone ? maskPhone(user.phone) : null,
    idNumber: user.idNumber ? maskIdNumber(user.idNumber) : null,
    accountProtection: user.accountProtection,
    bankCard: user.bankCard,
    follows: user.follows,
  }
}

function peopleAnswer (result: PeopleResult) {
  if (result.ok) return userView(result.user)
  switch (result.problem) {
    case 'unknown-user': throw new HttpError(404, 'unknown-user', 'No user has this WeChat ID.')
    case 'unknown-account': throw new HttpError(404, 'unknown-account', 'No official account has this id.')
    case 'wechat-id-taken': throw new HttpError(409, 'wechat-id-taken', 'Another user already has this WeChat ID.')
    case 'phone-taken': throw new HttpError(409, 'phone-taken', 'Another WeChat account is already bound to this mobile number; release it there first.')
  }
}

export async function startPlatformApi (platform: Platform, options: ApiOptions): Promise<RunningApi> {
  const app = Fastify({ logger: false })
  const expected = Buffer.from(`Bearer ${options.token}`)

  /** While the assistant cannot save, every request gets this and nothing is done. */
  const unavailable = (reply: FastifyReply) => reply.code(503).send({ error: 'unavailable', message: `${platform.failure()!.message} Nothing was done.` })

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const given = Buffer.from(request.headers.authorization ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reply.code(401).send({ error: 'unauthorized', message: 'Send Authorization: Bearer <the token the assistant was configured with>.' })
    }
    if (platform.failure()) return unavailable(reply)
  })
  // Invariant 5 for every answer, errors included: each string in it passes the last mask.
  app.addHook('preSerialization', async (_request: FastifyRequest, _reply: FastifyReply, payload: unknown) => maskStrings(payload, platform.mask))
  app.setErrorHandler((err: Error & { statusCode?: number, code?: string }, _request, reply) => {
    if (err instanceof HttpError) return reply.code(err.status).send({ error: err.code, message: err.message })
    // The write under this very request is the one that failed: the same answer as every later request.
    if (platform.failure()) return unavailable(reply)
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: 'bad-request', message: err.message })
    }
    options.log.error('platform API request failed', err)
    return reply.code(500).send({ error: 'internal', message: 'The assistant could not handle this request; nothing was changed unless a later GET shows it.' })
  })
  // The path is not quoted back: percent-encoding would carry a number past the last mask.
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not-found', message: `No such endpoint for ${request.method}; see the README for the routes.` }))

  app.post('/v1/operations', async (request) => {
    const body = parse(OperationBody, request.body)
    const answer = await platform.operations.request(body.account, body.actor, body.operation)
    const message = texts.operationAnswerMessage(answer)
    return message === undefined ? answer : { ...answer, message }
  })

  app.get<{ Params: { id: string } }>('/v1/operations/:id', async (request) => {
    const found = await platform.operations.status(request.params.id)
    if (!found) throw new HttpError(404, 'unknown-operation', 'No operation request has this id.')
    const { approval, state, reason } = found
    return {
      id: approval.id,
      state,
      account: approval.accountId,
      operation: approval.operation,
      createdAt: approval.createdAt,
      expiresAt: approval.expiresAt,
      decidedAt: approval.decidedAt ?? null,
      /** With state 'closed': why the request no longer stands (unbound, removed, expired, not-admin). */
      closedReason: reason ?? null,
    }
  })

  app.post('/v1/users', async (request, reply) => {
    const answer = peopleAnswer(await platform.people.register(parse(NewUserBody, request.body)))
    return reply.code(201).send(answer)
  })

  app.patch<{ Params: { wechatId: string } }>('/v1/users/:wechatId/security', async (request) =>
    peopleAnswer(await platform.people.update(request.params.wechatId, parse(SecurityBody, request.body))))

  app.patch<{ Params: { wechatId: string } }>('/v1/users/:wechatId/profile', async (request) =>
    peopleAnswer(await platform.people.update(request.params.wechatId, parse(ProfileBody, request.body))))

  app.put<{ Params: { account: string, wechatId: string } }>('/v1/accounts/:account/followers/:wechatId', async (request) =>
    peopleAnswer(await platform.people.setFollowing(request.params.account, request.params.wechatId, true)))

  app.delete<{ Params: { account: string, wechatId: string } }>('/v1/accounts/:account/followers/:wechatId', async (request) =>
    peopleAnswer(await platform.people.setFollowing(request.params.account, request.params.wechatId, false)))

  const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port })
  return { url, close: () => app.close() }
}
