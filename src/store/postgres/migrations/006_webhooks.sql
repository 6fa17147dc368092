-- The platform's webhook (schema.ts, version 6): where each outcome is POSTed, and the events queued for
-- it in the transaction of the change, each with its delivery. Claimed for delivery like the outbox
-- (claimed_until, not part of the JSON document: a claimer that crashed gives its events back when the
-- lease runs out).

create table webhooks (
  seq        bigint generated always as identity,
  id         nonempty_text primary key,
  url        nonempty_text not null check (url ~ '^https?://'),
  secret     nonempty_text not null check (length(secret) >= 32),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- At most one webhook (the platform's): every row holds true here, and it is unique.
  one_only   boolean not null default true check (one_only) unique
);

create table webhook_events (
  seq             bigint generated always as identity,
  id              nonempty_text primary key,
  type            text not null check (type in ('operation.approved', 'operation.refused', 'operation.lapsed', 'operation.closed',
                                                'binding.started', 'binding.ended', 'login.confirmed', 'login.rejected', 'login.lapsed')),
  at              timestamptz not null,
  -- The exact JSON POSTed, kept as text: jsonb would reorder its keys.
  body            text not null,
  created_at      timestamptz not null,
  attempts        integer not null check (attempts >= 0),
  delivered_at    timestamptz,
  last_error      text,
  next_attempt_at timestamptz,
  failed_at       timestamptz,
  claimed_until   timestamptz
);
-- What a claim reads: events still to deliver, in the order they were queued.
create index webhook_events_undelivered_by_seq on webhook_events (seq) where delivered_at is null and failed_at is null;
-- What pruning and the health check read.
create index webhook_events_delivered_by_time on webhook_events (delivered_at) where delivered_at is not null;
create index webhook_events_failed_by_time on webhook_events (failed_at) where failed_at is not null;
