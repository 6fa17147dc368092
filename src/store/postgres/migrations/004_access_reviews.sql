-- Periodic access reviews (权限复核, domain/reviews.ts): an account's review cycle, when each operator was
-- last seen doing anything on the platform (kept on the binding by the transaction that records the
-- operation, so a review never scans the history), and the reviews themselves.

alter table accounts add column review_interval_days integer check (review_interval_days between 30 and 365);
alter table bindings add column last_seen_at timestamptz;

create table reviews (
  seq            bigint generated always as identity,
  id             nonempty_text primary key,
  account_id     nonempty_text not null references accounts,
  started_at     timestamptz not null,
  started_by     nonempty_text references users,
  status         text not null check (status in ('open', 'completed', 'lapsed')),
  -- The operators under review, in the order the admin was shown them: [{bindingId, userId, decision?, decidedAt?}].
  -- No foreign keys into it: a binding that retention drops later reads as gone, never as a broken row.
  items          jsonb not null check (jsonb_typeof(items) = 'array' and jsonb_array_length(items) between 1 and 100),
  reminders_sent integer[] not null,
  closed_at      timestamptz,
  constraint reviews_closed_when_not_open check ((status = 'open') = (closed_at is null))
);
-- One open review per account, whatever two processes do at once.
create unique index reviews_one_open_per_account on reviews (account_id) where status = 'open';
create index reviews_by_account on reviews (account_id);
-- What the daily job reads: long-term operators still bound, per account.
create index bindings_long_active_by_account on bindings (account_id) where role = 'long' and ended_at is null;
