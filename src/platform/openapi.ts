// The OpenAPI 3.1 description of the platform API, generated from the route declarations and the very zod
// schemas that validate each request (requests as they are sent, answers as they are given).
import { z } from 'zod'
import { ErrorBody } from './http.js'
import type { Route } from './http.js'

type Json = Record<string, unknown>

/** Every route may also answer these (open routes only the first). */
const ALWAYS = [{ status: 400, error: 'invalid-path, invalid-query, invalid-body, bad-request', when: 'the request is malformed (the message names each wrong field)' }]
const AUTHENTICATED = [
  { status: 401, error: 'unauthorized', when: 'the bearer token is missing or wrong' },
  { status: 503, error: 'unavailable', when: 'the store refuses changes (a write failed): nothing was done' },
]

export function openApiDocument (routes: readonly Route[]): Json {
  const components: Record<string, Json> = {}
  /** A schema as JSON Schema; named ones (meta id) go to the components and are referred to. */
  const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): Json => {
    const converted = JSON.parse(JSON.stringify(z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }))
      .replaceAll('"#/$defs/', '"#/components/schemas/')) as Json & { $defs?: Record<string, Json> }
    const { $schema: _dialect, $defs, ...rest } = converted
    Object.assign(components, $defs)
    return rest
  }
  const parameters = (schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] => {
    if (!schema) return []
    const object = schemaOf(schema, 'input') as { properties?: Record<string, Json>, required?: string[] }
    return Object.entries(object.properties ?? {}).map(([name, property]) => {
      const { description, ...rest } = property
      return { name, in: where, required: where === 'path' || (object.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest }
    })
  }
  const errorBody = { content: { 'application/json': { schema: schemaOf(ErrorBody, 'output') } } }

  const paths: Record<string, Record<string, Json>> = {}
  for (const route of routes) {
    const answer = { content: { 'application/json': { schema: schemaOf(route.answer.schema, 'output') } } }
    const responses: Record<string, Json> = { [String(route.answer.status ?? 200)]: { description: route.answer.description, ...answer } }
    for (const other of route.answer.alsoAs ?? []) responses[String(other.status)] = { description: other.description, ...answer }
    const refusals = [...ALWAYS, ...(route.open ? [] : AUTHENTICATED), ...route.refusals ?? []]
    for (const status of [...new Set(refusals.map((r) => r.status))].sort()) {
      const description = refusals.filter((r) => r.status === status).map((r) => `${r.error}: ${r.when}`).join('. ')
      responses[String(status)] = { description, ...errorBody }
    }
    const path = route.path.replace(/:(\w+)/g, '{$1}')
    paths[path] ??= {}
    paths[path][route.method.toLowerCase()] = {
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      operationId: `${route.method.toLowerCase()}${path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(route.open ? { security: [] } : {}),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } } : {}),
      responses,
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '公众平台安全助手 — platform API',
      version: '1',
      description: 'What the platform (公众平台) calls: risky operations, users, follows, accounts, health. ' +
        'Phone and ID numbers are masked in every answer. Errors are {"error": code, "message": what to do}.',
    },
    security: [{ bearer: [] }],
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token in ASSISTANT_API_TOKEN.' } }, schemas: components },
  }
}
