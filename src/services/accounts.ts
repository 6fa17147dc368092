// The accounts as the chat side and the platform read them: which ones a person administers, the one an
// admin command names, the names a reply quotes, all of them a page at a time, and an account's history
// and invitations a page at a time.
import { pageFromNewest, pageOf } from '../domain/paging.js'
import type { Account, Binding, HistoryEntry, User } from '../store/schema.js'
import type { ServiceContext } from './context.js'
import { describeInvitation } from './operators.js'
import type { RosterInvitation } from './operators.js'
import { accountCalled } from '../domain/accounts.js'

/** The account an admin command names. */
export type NamedAccount =
  | { kind: 'found', account: Account }
  /** An account of that exact name that someone else administers. */
  | { kind: 'not-admin', account: Account }
  /** Nothing fits: `own` are the accounts the admin could have meant. */
  | { kind: 'unknown', own: readonly Account[] }

/** A page of a list, or the number of pages when the page asked for is not one of them. */
export type Page<T> = ({ kind: 'page', page: number, pages: number, total: number } & T) | { kind: 'bad-page', pages: number }

/** Newest first; `actors` are the people named by the entries on the page, by user id. */
export type HistoryPage = Page<{ entries: HistoryEntry[], actors: ReadonlyMap<string, User> }>

export interface InvitationRecord extends RosterInvitation {
  inviter: User
}

export interface Removal {
  account: Account
  binding: Binding
  user: User
}

export class AccountService {
  constructor (private readonly ctx: ServiceContext) {}

  /** The accounts `user` administers, in the order they were made. */
  async administeredBy (user: User): Promise<readonly Account[]> {
    return this.ctx.engine.accountsAdministeredBy(user.id)
  }

  async get (accountId: string): Promise<Account | undefined> {
    return this.ctx.engine.account(accountId)
  }

  /** Only an account's admin manages it (the services check again; this is for a kind reply first). */
  administers (user: User, account: Account): boolean {
    return account.adminUserId === user.id
  }

  /** The account of exactly that name, else the only one of the admin's own whose name contains it. */
  /** `own`: the accounts the admin administers, as the caller already read them. */
  async named (admin: User, name: string, own: readonly Account[]): Promise<NamedAccount> {
    const { engine } = this.ctx
    const account = await engine.accountNamed(name) ?? accountCalled(own, name)
    if (!account) return { kind: 'unknown', own }
    if (!this.administers(admin, account)) return { kind: 'not-admin', account }
    return { kind: 'found', account }
  }

  /** The account's name and its admin's, for a reply. */
  async names (accountId: string): Promise<{ accountName: string, adminName: string }> {
    const { engine } = this.ctx
    const account = await engine.account(accountId)
    if (!account) throw new Error(`no account ${accountId}`)
    return { accountName: account.name, adminName: (await engine.user(account.adminUserId))!.name }
  }

  /** The binding an admin is asked to confirm removing, read again now (with its account and operator). */
  async removal (accountId: string, bindingId: string): Promise<Removal> {
    const { engine } = this.ctx
    const account = await engine.account(accountId)
    const binding = await engine.binding(bindingId)
    const user = binding && await engine.user(binding.userId)
    if (!account || !binding || !user) throw new Error(`no binding ${bindingId} on ${accountId}`)
    return { account, binding, user }
  }

  /** Page `page` of every account, in the order they were made, each with its admin. */
  async list (page: number, pageSize: number): Promise<Page<{ accounts: Array<{ account: Account, admin: User }> }>> {
    const { engine } = this.ctx
    const total = (await engine.counts()).accounts
    const cut = pageOf(total, page, pageSize)
    if (cut.kind === 'bad-page') return cut
    const accounts: Array<{ account: Account, admin: User }> = []
    for (const account of await engine.accountsInOrder(cut.offset, pageSize)) accounts.push({ account, admin: (await engine.user(account.adminUserId))! })
    return { kind: 'page', page, pages: cut.pages, total, accounts }
  }

  /** Page `page` (1 = newest) of the account's history, newest first by when it happened. */
  async historyPage (account: Account, page: number, pageSize: number): Promise<HistoryPage> {
    const { engine } = this.ctx
    // Oldest first by time (a sweep after downtime records expiries late, so not by when written).
    const all = await engine.historyOf(account.id)
    const cut = pageFromNewest(all, page, pageSize)
    if (cut.kind === 'bad-page') return cut
    const actors = new Map<string, User>()
    for (const entry of cut.items) {
      const actor = entry.actorUserId === undefined ? undefined : await engine.user(entry.actorUserId)
      if (actor) actors.set(actor.id, actor)
    }
    return { kind: 'page', entries: cut.items, page: cut.page, pages: cut.pages, total: all.length, actors }
  }

  /** Page `page` (1 = newest) of every invitation the account still keeps, with its state by the clock and whether it arrived. */
  async invitationsPage (account: Account, page: number, pageSize: number): Promise<Page<{ invitations: InvitationRecord[] }>> {
    const { engine } = this.ctx
    const all = await engine.invitationsOfAccount(account.id)
    const cut = pageFromNewest(all, page, pageSize)
    if (cut.kind === 'bad-page') return cut
    const now = this.ctx.now()
    const invitations: InvitationRecord[] = []
    for (const invitation of cut.items) {
      invitations.push({ ...await describeInvitation(engine, invitation, now), inviter: (await engine.user(invitation.invitedBy))! })
    }
    return { kind: 'page', page: cut.page, pages: cut.pages, total: all.length, invitations }
  }
}
