// Official accounts: created, renamed and handed to another admin by the platform; read with their
// operators, invitations and history.
import type { Platform } from '../../assistant.js'
import type { z } from 'zod'
import type { Changes, RegistryRefusal } from '../../services/account-registry.js'
import type { Account } from '../../store/schema.js'
import { apiTexts } from '../../texts.js'
import { defineRoute, foundOr, HttpError, refuse } from '../http.js'
import { NO_SUCH_PAGE, UNKNOWN_ACCOUNT } from '../refusals.js'
import type { Refusal } from '../http.js'
import { AccountChangeBody, AccountChangedView, AccountDetailView, AccountPath, AccountView, HistoryEntryView, InvitationView, NewAccountBody, OperatorsView, PageQuery, paged } from '../schemas.js'
import { accountDetailView, accountView, historyEntryView, invitationView, operatorsView, pageView, person } from '../views.js'

const UNKNOWN_ADMIN: Refusal = { status: 404, error: 'unknown-admin', when: 'no user has the WeChat ID given as admin', message: apiTexts.unknownAdmin }
const ADMIN_REFUSED: Refusal = { status: 409, error: 'admin-refused', when: 'the admin named does not have 帐号保护 on or a bank card bound (refusals lists each, with what to do)' }
const NAME_TAKEN: Refusal = { status: 409, error: 'name-taken', when: 'another account has this name' }
const ADMIN_REFUSALS: Refusal[] = [UNKNOWN_ADMIN, ADMIN_REFUSED, NAME_TAKEN]

async function accountOf (platform: Platform, id: string): Promise<Account> {
  return foundOr(await platform.accounts.get(id), UNKNOWN_ACCOUNT)
}

/** A rule the registry refused the change by, as an HTTP error that says what to do. */
function refusal (result: RegistryRefusal): HttpError {
  switch (result.kind) {
    case 'unknown-account': return refuse(UNKNOWN_ACCOUNT)
    case 'unknown-admin': return refuse(UNKNOWN_ADMIN)
    case 'bad-name': return new HttpError(400, 'invalid-body', 'name: not a valid account name')
    case 'name-taken': return refuse(NAME_TAKEN, apiTexts.nameTaken(result.holder.id))
    case 'admin-refused':
      return new HttpError(ADMIN_REFUSED.status, ADMIN_REFUSED.error, apiTexts.adminRefused(result.admin.wechatId, result.refusals), {
        refusals: result.refusals.map((r) => ({ kind: r.kind, message: apiTexts.adminRefusal(r) })),
      })
  }
}

function changesView ({ renamed, admin }: Changes): z.input<typeof AccountChangedView>['changes'] {
  return {
    ...(renamed ? { renamed } : {}),
    ...(admin ? { admin: { from: person(admin.from), to: person(admin.to), endedOperatorRole: admin.endedRole ?? null, requestsForwarded: admin.forwarded, requestsClosed: admin.closed } } : {}),
  }
}

/** GET /v1/accounts/:account/<what>?page=&perPage=: a list of the account's, a page at a time. */
function accountPageRoute<I extends z.ZodType> (spec: {
  what: string
  summary: string
  item: I
  description: string
  page: (platform: Platform, account: Account, page: number, perPage: number) => Promise<z.input<ReturnType<typeof paged<I>>>>
}) {
  return defineRoute({
    method: 'GET',
    path: `/v1/accounts/:account/${spec.what}`,
    summary: spec.summary,
    params: AccountPath,
    query: PageQuery,
    answer: { schema: paged(spec.item, `${spec.item.meta()?.id ?? spec.what}Page`), description: spec.description },
    refusals: [UNKNOWN_ACCOUNT, NO_SUCH_PAGE],
    handle: async ({ params, query }, platform) => spec.page(platform, await accountOf(platform, params.account), query.page, query.perPage),
  })
}

export const accountRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/accounts',
    summary: 'Create an official account with its admin',
    description: 'The admin must be a known user with 帐号保护 on and a bank card bound (admin roles count against no limit). ' +
      'The admin is told by a push; the creation is in the account\'s history.',
    body: NewAccountBody,
    answer: { status: 201, schema: AccountDetailView, description: 'The new account; its id (acc_…) names it from now on.' },
    refusals: ADMIN_REFUSALS,
    handle: async ({ body }, platform) => {
      const result = await platform.registry.create({ name: body.name, adminWechatId: body.admin, riskProtection: body.riskProtection, riskAlerts: body.riskAlerts })
      if (result.kind !== 'created') throw refusal(result)
      return accountDetailView(await platform.roster(result.account))
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/accounts',
    summary: 'Every account, a page at a time, in the order they were made',
    query: PageQuery,
    answer: { schema: paged(AccountView, 'AccountPage'), description: 'A page of accounts.' },
    refusals: [NO_SUCH_PAGE],
    handle: async ({ query }, platform) => pageView(await platform.accounts.list(query.page, query.perPage), query.perPage,
      (cut) => cut.accounts.map(({ account, admin }) => accountView(account, admin))),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/accounts/:account',
    summary: 'One account, with its operator slots',
    params: AccountPath,
    answer: { schema: AccountDetailView, description: 'The account.' },
    refusals: [UNKNOWN_ACCOUNT],
    handle: async ({ params }, platform) => accountDetailView(await platform.roster(await accountOf(platform, params.account))),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/accounts/:account',
    summary: 'Rename an account, hand it to another admin, or both',
    description: 'All or nothing. A new admin who is an operator of the account stops being one (an admin holds every permission), and a ' +
      'pending invitation of theirs there is cancelled; requests the old admin asked as admin close; operators\' open requests ' +
      '(risky operations, renewals) are put to the new admin with their codes. Both admins are told by a push (a rename alone tells the admin). ' +
      'Every change is in the account\'s history. Naming the current name or admin changes nothing.',
    params: AccountPath,
    body: AccountChangeBody,
    answer: { schema: AccountChangedView, description: 'The account as it now is, and what the change did.' },
    refusals: [UNKNOWN_ACCOUNT, ...ADMIN_REFUSALS],
    handle: async ({ params, body }, platform) => {
      const result = await platform.registry.change(params.account, { name: body.name, adminWechatId: body.admin })
      if (result.kind !== 'changed') throw refusal(result)
      return { ...accountDetailView(await platform.roster(result.account)), changes: changesView(result.changes) }
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/accounts/:account/operators',
    summary: 'An account\'s admin and active operators (masked), with its slots',
    params: AccountPath,
    answer: { schema: OperatorsView, description: 'Long-term operators first, then short-term, each in the order they were bound.' },
    refusals: [UNKNOWN_ACCOUNT],
    handle: async ({ params }, platform) => operatorsView(await platform.roster(await accountOf(platform, params.account))),
  }),
  accountPageRoute({
    what: 'invitations',
    summary: 'An account\'s invitations, newest first, a page at a time',
    item: InvitationView,
    description: 'A page of invitations, with their state by the clock and whether they arrived.',
    page: async (platform, account, page, perPage) => pageView(await platform.accounts.invitationsPage(account, page, perPage), perPage, (cut) => cut.invitations.map(invitationView)),
  }),
  accountPageRoute({
    what: 'history',
    summary: 'An account\'s history (操作记录), newest first, a page at a time',
    item: HistoryEntryView,
    description: 'A page of history entries, by when each thing happened.',
    page: async (platform, account, page, perPage) => pageView(await platform.accounts.historyPage(account, page, perPage), perPage,
      (cut) => cut.entries.map((entry) => historyEntryView(entry, cut.actors))),
  }),
]
