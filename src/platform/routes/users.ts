// Users as the platform knows them: new ones, their profile and security settings, what they follow, and
// one user (masked) with the roles they hold.
import type { Platform } from '../../assistant.js'
import type { PeopleResult } from '../../services/people.js'
import { defineRoute, foundOr, refuse } from '../http.js'
import { PHONE_TAKEN, UNKNOWN_ACCOUNT, UNKNOWN_USER, WECHAT_ID_TAKEN } from '../refusals.js'
import { FollowerPath, NewUserBody, ProfileBody, SecurityBody, UserPath, UserStandingView, UserView } from '../schemas.js'
import { standingView, userView } from '../views.js'


function peopleAnswer (result: PeopleResult): ReturnType<typeof userView> {
  if (result.ok) return userView(result.user)
  switch (result.problem) {
    case 'unknown-user': throw refuse(UNKNOWN_USER)
    case 'unknown-account': throw refuse(UNKNOWN_ACCOUNT)
    case 'wechat-id-taken': throw refuse(WECHAT_ID_TAKEN)
    case 'phone-taken': throw refuse(PHONE_TAKEN)
  }
}

/** PUT follows, DELETE unfollows: what an invitation checks. */
function followerRoute (method: 'PUT' | 'DELETE', follows: boolean) {
  return defineRoute({
    method,
    path: '/v1/accounts/:account/followers/:wechatId',
    summary: follows ? 'The user follows the account' : 'The user no longer follows the account',
    params: FollowerPath,
    answer: { schema: UserView, description: 'The user.' },
    refusals: [UNKNOWN_USER, UNKNOWN_ACCOUNT],
    handle: async ({ params }, platform: Platform) => peopleAnswer(await platform.people.setFollowing(params.account, params.wechatId, follows)),
  })
}

export const userRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/users',
    summary: 'Register a user',
    body: NewUserBody,
    answer: { status: 201, schema: UserView, description: 'The new user (masked).' },
    refusals: [WECHAT_ID_TAKEN, PHONE_TAKEN],
    handle: async ({ body }, platform) => peopleAnswer(await platform.people.register(body)),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/users/:wechatId',
    summary: 'A user, masked, with the accounts they administer and their active operator roles',
    params: UserPath,
    answer: { schema: UserStandingView, description: 'The user.' },
    refusals: [UNKNOWN_USER],
    handle: async ({ params }, platform) => standingView(foundOr(await platform.people.standing(params.wechatId), UNKNOWN_USER)),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/users/:wechatId/security',
    summary: 'A user\'s security settings (帐号保护, bank card)',
    params: UserPath,
    body: SecurityBody,
    answer: { schema: UserView, description: 'The user as changed.' },
    refusals: [UNKNOWN_USER],
    handle: async ({ params, body }, platform) => peopleAnswer(await platform.people.update(params.wechatId, body)),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/users/:wechatId/profile',
    summary: 'A user\'s name, WeChat ID, mobile number or ID number',
    params: UserPath,
    body: ProfileBody,
    answer: { schema: UserView, description: 'The user as changed.' },
    refusals: [UNKNOWN_USER, WECHAT_ID_TAKEN, PHONE_TAKEN],
    handle: async ({ params, body }, platform) => peopleAnswer(await platform.people.update(params.wechatId, body)),
  }),
  followerRoute('PUT', true),
  followerRoute('DELETE', false),
]
