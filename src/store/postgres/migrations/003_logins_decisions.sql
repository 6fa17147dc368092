-- Logins confirmed by the person (issue 11): the platform asks, the person confirms in chat with a code
-- of their own (确认登录 K7Q2M), then the rules of the operation 'login' decide. Codes are now five
-- characters; four-character ones already handed out stay valid (codes.code has no length rule).

alter table codes drop constraint codes_kind_check;
alter table codes add constraint codes_kind_check check (kind in ('invitation', 'renewal', 'approval', 'login'));

create table logins (
  seq           bigint generated always as identity,
  id            nonempty_text primary key,
  code          nonempty_text not null unique,
  code_kind     text not null default 'login' check (code_kind = 'login'),
  account_id    nonempty_text not null references accounts,
  user_id       nonempty_text not null references users,
  created_at    timestamptz not null,
  expires_at    timestamptz not null,
  status        text not null check (status in ('pending', 'confirmed', 'rejected', 'lapsed')),
  answered_at   timestamptz,
  result        text check (result in ('allowed', 'denied', 'pending')),
  denied_reason text check (denied_reason in ('unknown-account', 'not-bound', 'binding-expired', 'role-not-permitted')),
  -- No foreign key: retention may drop a decided approval before the login that names it.
  approval_id   nonempty_text,
  foreign key (code, code_kind) references codes (code, kind),
  constraint logins_result_when_confirmed check ((status = 'confirmed') = (result is not null))
);
-- 确认登录 without a code: the person's logins still waiting.
create index logins_open_by_user on logins (user_id) where status = 'pending';
-- The expiry sweep: pending logins by deadline.
create index logins_pending_by_expiry on logins (expires_at) where status = 'pending';
-- Retention.
create index logins_closed_by_time on logins ((coalesce(answered_at, expires_at)));
