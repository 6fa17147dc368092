// The platform's webhook: registered (or moved, or given a new secret) with PUT, read with GET, removed
// with DELETE; the latest events and how each delivery went. What is POSTed is in the README.
import { apiTexts } from '../../texts.js'
import { Answer, defineRoute, foundOr, refuse } from '../http.js'
import { BAD_WEBHOOK_URL, NO_WEBHOOK } from '../refusals.js'
import { DeliveriesQuery, WebhookBody, WebhookDeliveriesView, WebhookRemovedView, WebhookView } from '../schemas.js'
import { webhookDeliveryView, webhookView } from '../views.js'

export const webhookRoutes = [
  defineRoute({
    method: 'PUT',
    path: '/v1/webhook',
    summary: 'Register the webhook (or move it, or give it a new secret)',
    description: 'From then on every outcome (operation approved, refused, lapsed or closed; binding started or ended; login confirmed, rejected or lapsed) is POSTed ' +
      'to the URL as JSON, signed with HMAC-SHA256 (X-Assistant-Signature: t=<unix seconds>,v1=<hex of HMAC(secret, "<t>.<body>")>), and retried ' +
      'with back-off until a 2xx answer. The secret is made by the assistant and shown once: in the answer to the first PUT, and to one with rotateSecret. ' +
      'Events still waiting go to the new URL.',
    body: WebhookBody,
    answer: { schema: WebhookView, description: 'Moved (or the secret renewed).', alsoAs: [{ status: 201, description: 'Registered: the answer holds the secret.' }] },
    refusals: [BAD_WEBHOOK_URL],
    handle: async ({ body }, platform) => {
      const result = await platform.webhook.register(body.url, body.rotateSecret === true)
      if (result.kind === 'refused') throw refuse(BAD_WEBHOOK_URL, apiTexts.badWebhookUrl(result.problem))
      const view = webhookView(result.webhook, await platform.webhook.backlog(), result.secret)
      return result.created ? new Answer(201, view) : view
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/webhook',
    summary: 'The webhook, and how its deliveries go',
    answer: { schema: WebhookView, description: 'The webhook (secret null: it is shown only once).' },
    refusals: [NO_WEBHOOK],
    handle: async (_input, platform) => webhookView(foundOr(await platform.webhook.current(), NO_WEBHOOK), await platform.webhook.backlog(), undefined),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/webhook',
    summary: 'Remove the webhook (the platform polls again)',
    description: 'Events still waiting are dropped with it; nothing more is queued until a webhook is registered again.',
    answer: { schema: WebhookRemovedView, description: 'Removed.' },
    refusals: [NO_WEBHOOK],
    handle: async (_input, platform) => ({ removed: true as const, droppedEvents: foundOr(await platform.webhook.remove(), NO_WEBHOOK).droppedEvents }),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/webhook/deliveries',
    summary: 'The latest events and how each delivery went',
    description: 'Newest first: delivered ones for a week, given-up ones for 30 days.',
    query: DeliveriesQuery,
    answer: { schema: WebhookDeliveriesView, description: 'The latest events.' },
    refusals: [NO_WEBHOOK],
    handle: async ({ query }, platform) => {
      if (!await platform.webhook.current()) throw refuse(NO_WEBHOOK)
      return { items: (await platform.webhook.recent(query.limit)).map(webhookDeliveryView) }
    },
  }),
]
