-- The document's collections as tables (schema.ts, version 5), with the rules of consistency.ts as
-- constraints, so that a second process or a hand-written query cannot break them either.
--
-- Conventions:
--   * every collection table has `seq`, an identity column: the document's order (insertion order,
--     which the history keeps) is `order by seq`; ids stay the text ids the document uses;
--   * times are timestamptz; an absent optional field is NULL;
--   * ids, names and codes are `nonempty_text`, as the schema's min(1).

create domain nonempty_text as text check (value <> '');

create table users (
  seq                bigint generated always as identity,
  id                 nonempty_text primary key,
  name               nonempty_text not null,
  -- Kept as typed; compared case-insensitively (unique index below). Formats as domain/identity.ts.
  wechat_id          text not null check (wechat_id ~ '^[A-Za-z][A-Za-z0-9_-]{5,19}$'),
  contact_id         nonempty_text unique,
  -- Like WeChat itself: one mobile number, one WeChat account.
  phone              text unique check (phone ~ '^1[3-9][0-9]{9}$'),
  -- Not unique: one person may hold several WeChat accounts.
  id_number          text check (id_number ~ '^[0-9]{17}[0-9X]$'),
  account_protection boolean not null,
  bank_card          boolean not null
);
create unique index users_wechat_id_key on users (lower(wechat_id));
create index users_id_number on users (id_number) where id_number is not null;

create table accounts (
  seq             bigint generated always as identity,
  id              nonempty_text primary key,
  name            nonempty_text not null,
  admin_user_id   nonempty_text not null references users,
  risk_protection boolean not null,
  risk_alerts     boolean not null
);
create index accounts_by_admin on accounts (admin_user_id);

-- users.follows: `seq` keeps each user's list in its order.
create table user_follows (
  seq        bigint generated always as identity,
  user_id    nonempty_text not null references users on delete cascade,
  account_id nonempty_text not null references accounts on delete cascade,
  primary key (user_id, account_id)
);
create index user_follows_by_account on user_follows (account_id);

create table bindings (
  seq            bigint generated always as identity,
  id             nonempty_text primary key,
  account_id     nonempty_text not null references accounts,
  user_id        nonempty_text not null references users,
  role           text not null check (role in ('long', 'short')),
  bound_at       timestamptz not null,
  expires_at     timestamptz,
  ended_at       timestamptz,
  end_reason     text check (end_reason in ('unbound', 'removed', 'expired')),
  ended_by       nonempty_text references users,
  -- Days-before-expiry reminders already sent; NULL (never set) and '{}' (reset by a renewal) differ.
  reminders_sent integer[],
  -- A short-term binding lasts a month from acceptance; a long-term one never expires.
  constraint bindings_expiry_matches_role check ((role = 'short') = (expires_at is not null)),
  -- Target of the requests' (binding, account, person) foreign keys below.
  constraint bindings_id_account_user_key unique (id, account_id, user_id)
);
create index bindings_by_user on bindings (user_id);
create index bindings_by_account on bindings (account_id);
-- What the expiry sweep and the reminders scan: short-term bindings not yet ended, by expiry.
create index bindings_active_short_by_expiry on bindings (expires_at) where role = 'short' and ended_at is null;

-- Short codes people quote (同意 K7Q2, 允许 K7Q2) are unique across invitations, renewals and approvals.
-- Each request row points at its own row here through (code, kind), and `code` is this table's key, so a
-- code can belong to one kind of request only; each request table's own unique(code) makes it one request.
-- A code row outlives its request: a code once shown is never handed out again.
create table codes (
  code nonempty_text primary key,
  kind text not null check (kind in ('invitation', 'renewal', 'approval')),
  unique (code, kind)
);

create table invitations (
  seq             bigint generated always as identity,
  id              nonempty_text primary key,
  code            nonempty_text not null unique,
  code_kind       text not null default 'invitation' check (code_kind = 'invitation'),
  account_id      nonempty_text not null references accounts,
  invitee_user_id nonempty_text not null references users,
  invited_by      nonempty_text not null references users,
  role            text not null check (role in ('long', 'short')),
  created_at      timestamptz not null,
  expires_at      timestamptz not null,
  status          text not null check (status in ('pending', 'accepted', 'declined', 'cancelled', 'expired')),
  answered_at     timestamptz,
  foreign key (code, code_kind) references codes (code, kind)
);
create index invitations_by_invitee on invitations (invitee_user_id);
create index invitations_by_account on invitations (account_id);

create table renewals (
  seq           bigint generated always as identity,
  id            nonempty_text primary key,
  code          nonempty_text not null unique,
  code_kind     text not null default 'renewal' check (code_kind = 'renewal'),
  binding_id    nonempty_text not null,
  account_id    nonempty_text not null references accounts,
  requested_by  nonempty_text not null references users,
  created_at    timestamptz not null,
  expires_at    timestamptz not null,
  status        text not null check (status in ('pending', 'approved', 'refused', 'expired', 'closed')),
  decided_at    timestamptz,
  decided_by    nonempty_text references users,
  closed_at     timestamptz,
  closed_reason text check (closed_reason in ('unbound', 'removed', 'expired', 'not-admin')),
  foreign key (code, code_kind) references codes (code, kind),
  -- The binding must be the requester's own on this account (consistency.ts, bindingMismatch).
  foreign key (binding_id, account_id, requested_by) references bindings (id, account_id, user_id)
);
create index renewals_open_by_account on renewals (account_id) where status = 'pending';
-- When a binding ends, every open request on it closes (invariant 7).
create index renewals_by_binding on renewals (binding_id);

create table approvals (
  seq           bigint generated always as identity,
  id            nonempty_text primary key,
  code          nonempty_text not null unique,
  code_kind     text not null default 'approval' check (code_kind = 'approval'),
  account_id    nonempty_text not null references accounts,
  actor_user_id nonempty_text not null references users,
  -- Absent when the actor is the admin; then the foreign key below is not checked (MATCH SIMPLE).
  binding_id    nonempty_text,
  operation     text not null check (operation in ('login', 'mass-send', 'modify-server-config', 'reset-appsecret',
                                                   'view-appsecret', 'rename-account', 'delete-article')),
  created_at    timestamptz not null,
  expires_at    timestamptz not null,
  status        text not null check (status in ('pending', 'approved', 'refused', 'lapsed', 'closed')),
  decided_at    timestamptz,
  decided_by    nonempty_text references users,
  closed_at     timestamptz,
  closed_reason text check (closed_reason in ('unbound', 'removed', 'expired', 'not-admin')),
  foreign key (code, code_kind) references codes (code, kind),
  foreign key (binding_id, account_id, actor_user_id) references bindings (id, account_id, user_id)
);
create index approvals_open_by_account on approvals (account_id) where status = 'pending';
create index approvals_by_binding on approvals (binding_id) where binding_id is not null;

-- The operation log. Entries are kept in the order they were recorded (`seq`), which is not always the
-- order of `at` (the expiry sweep records an expiry at the moment it happened).
create table history (
  seq           bigint generated always as identity,
  id            nonempty_text primary key,
  account_id    nonempty_text not null references accounts,
  at            timestamptz not null,
  actor_user_id nonempty_text references users,
  action        nonempty_text not null,
  detail        text not null
);
create index history_by_account_time on history (account_id, at);
create index history_by_account_order on history (account_id, seq);

create table outbox (
  seq             bigint generated always as identity,
  id              nonempty_text primary key,
  to_user_id      nonempty_text not null references users,
  text            nonempty_text not null,
  created_at      timestamptz not null,
  attempts        integer not null check (attempts >= 0),
  sent_at         timestamptz,
  last_error      text,
  next_attempt_at timestamptz,
  failed_at       timestamptz,
  withdrawn_at    timestamptz,
  account_id      nonempty_text references accounts,
  -- A binding, invitation or request id: of several tables, so no foreign key.
  about           nonempty_text,
  topic           text check (topic in ('invitation', 'reminder', 'expiry', 'request'))
);
-- What the delivery loop reads: messages still to send, never-tried ones first, then by back-off, in order.
create index outbox_unsent_by_next_attempt on outbox (next_attempt_at nulls first, seq)
  where sent_at is null and failed_at is null and withdrawn_at is null;
create index outbox_by_about on outbox (about) where about is not null;

-- Not in the JSON document: state the bot keeps in memory today, shared here by several processes.

-- A pending conversation step per sender (src/bot/dialog.ts): {step, data, expiresAt}.
create table dialogs (
  sender     nonempty_text primary key,
  step       nonempty_text not null,
  data       jsonb not null default '{}',
  expires_at timestamptz not null
);
create index dialogs_by_expiry on dialogs (expires_at);

-- 绑定查询 rate limit: one row per lookup; the window is a range scan per asker.
create table lookup_hits (
  id        bigint generated always as identity primary key,
  asker_key nonempty_text not null,
  at        timestamptz not null
);
create index lookup_hits_by_asker_time on lookup_hits (asker_key, at);
