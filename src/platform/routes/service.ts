// What a monitor and an integrator read without the token: the health check and the API's description.
import { defineRoute, Answer } from '../http.js'
import type { Route } from '../http.js'
import { openApiDocument } from '../openapi.js'
import { HealthView, OpenApiView } from '../schemas.js'
import { healthView } from '../views.js'

export const healthRoute = defineRoute({
  method: 'GET',
  path: '/healthz',
  summary: 'Whether the assistant is fit to work (no token needed)',
  description: 'Healthy when the store takes changes and answers a read, and the bot is logged in to WeChat. The outbox backlog is ' +
    'reported but is never a problem by itself: a sweep may queue thousands of pushes, which the send rate drains over minutes.',
  open: true,
  answer: { schema: HealthView, description: 'Healthy.', alsoAs: [{ status: 503, description: 'Unhealthy: problems says why, each with what to do.' }] },
  handle: async (_input, platform) => {
    const view = healthView(await platform.health())
    return view.status === 'ok' ? view : new Answer(503, view)
  },
})

/**
 * The description of `routes` and of itself. Open: it describes routes and schemas, no state and no
 * secret, and tools that read it (code generators, API consoles) should not need the token.
 */
export function openApiRoute (routes: readonly Route[]): Route {
  let document: Record<string, unknown> | undefined
  const route: Route = defineRoute({
    method: 'GET',
    path: '/openapi.json',
    summary: 'This description, OpenAPI 3.1 (no token needed)',
    open: true,
    answer: { schema: OpenApiView, description: 'The OpenAPI document.' },
    handle: async () => (document ??= openApiDocument([...routes, route])),
  })
  return route
}
