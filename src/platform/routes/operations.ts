// May this WeChat ID do this on this account, and what became of a request that waited for the admin.
import { texts, apiTexts } from '../../texts.js'
import { defineRoute, HttpError } from '../http.js'
import { OperationAnswerView, OperationBody, OperationPath, OperationStateView } from '../schemas.js'

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
    refusals: [{ status: 404, error: 'unknown-operation', when: 'no operation request has this id' }],
    handle: async ({ params }, platform) => {
      const found = await platform.operations.status(params.id)
      if (!found) throw new HttpError(404, 'unknown-operation', apiTexts.unknownOperation)
      const { approval, state, reason } = found
      return {
        id: approval.id,
        state,
        account: approval.accountId,
        operation: approval.operation,
        createdAt: approval.createdAt,
        expiresAt: approval.expiresAt,
        decidedAt: approval.decidedAt ?? null,
        closedReason: reason ?? null,
      }
    },
  }),
]
