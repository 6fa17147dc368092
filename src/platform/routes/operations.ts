// May this WeChat ID do this on this account, and what became of a request that waited for the admin;
// logins, confirmed by the person in chat first.
import { texts } from '../../texts.js'
import { defineRoute, foundOr, refuse } from '../http.js'
import { UNKNOWN_ACCOUNT, UNKNOWN_LOGIN, UNKNOWN_OPERATION, UNKNOWN_USER } from '../refusals.js'
import { LoginAskedView, LoginBody, LoginPath, LoginStateView, OperationAnswerView, OperationBody, OperationPath, OperationStateView } from '../schemas.js'
import { loginStateView, operationStateView } from '../views.js'

export const operationRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/operations',
    summary: 'Ask whether a risky operation may go ahead',
    description: 'allowed, denied with the reason, or pending: the admin was asked (风险操作保护 for an operator\'s login or mass send; ' +
      'always for the admin\'s own rename and delete-article) and the answer is read with GET /v1/operations/{id}. Recorded in the account\'s history.',
    body: OperationBody,
    answer: { schema: OperationAnswerView, description: 'The decision.' },
    handle: async ({ body }, platform) => {
      return texts.operationAnswer(await platform.operations.request(body.account, body.actor, body.operation))
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/operations/:id',
    summary: 'The state of an operation request that waited for the admin',
    params: OperationPath,
    answer: { schema: OperationStateView, description: 'Its state now, by the clock.' },
    refusals: [UNKNOWN_OPERATION],
    handle: async ({ params }, platform) => operationStateView(foundOr(await platform.operations.status(params.id), UNKNOWN_OPERATION)),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/logins',
    summary: 'Ask for a login, to be confirmed by the person in chat',
    description: 'As the real platform\'s QR scan: the person is pushed 你正在登录「…」公众平台 and confirms with 确认登录 <code> ' +
      '(or says 不是我 <code>, which stops it and alerts the admin) within 5 minutes; then the rules of the operation login decide ' +
      '(the admin\'s approval under 风险操作保护, an alert under 风险操作提醒, denied when not bound). Read the outcome with GET /v1/logins/{id}.',
    body: LoginBody,
    answer: { status: 201, schema: LoginAskedView, description: 'The person was asked.' },
    refusals: [
      UNKNOWN_ACCOUNT,
      { ...UNKNOWN_USER, when: 'no user has this WeChat ID (there is nobody to ask)' },
    ],
    handle: async ({ body }, platform) => {
      const result = await platform.logins.request(body.account, body.actor)
      if (result.kind === 'unknown-account') throw refuse(UNKNOWN_ACCOUNT)
      if (result.kind === 'unknown-user') throw refuse(UNKNOWN_USER)
      return { id: result.login.id, state: 'awaiting-confirmation' as const, expiresAt: result.login.expiresAt, message: texts.loginAsked }
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/logins/:id',
    summary: 'What became of a login',
    params: LoginPath,
    answer: { schema: LoginStateView, description: 'Its state now, by the clock.' },
    refusals: [UNKNOWN_LOGIN],
    handle: async ({ params }, platform) => loginStateView(foundOr(await platform.logins.status(params.id), UNKNOWN_LOGIN)),
  }),
]
