-- What the store contract's later reads and writes look up (store/contract.ts), each through an index:
-- accounts by name, old sent and failed messages by time, retention by when a record closed, and the
-- delivery claim (claimed_until: not part of the JSON document; a claimer that crashed gives its
-- messages back when the lease runs out).

create index accounts_by_name on accounts (name);

alter table outbox add column claimed_until timestamptz;
-- What a claim reads: messages still to send, in the order they were queued.
create index outbox_unsent_by_seq on outbox (seq)
  where sent_at is null and failed_at is null and withdrawn_at is null;
create index outbox_sent_by_time on outbox (sent_at) where sent_at is not null;
create index outbox_failed_by_time on outbox (failed_at) where failed_at is not null;

-- Retention (domain/retention.ts): when each record stops being needed.
create index history_by_time on history (at);
create index invitations_closed_by_time on invitations
  ((case when status = 'pending' then expires_at else coalesce(answered_at, expires_at) end));
create index renewals_decided_by_time on renewals ((coalesce(decided_at, closed_at, expires_at))) where status <> 'pending';
create index approvals_decided_by_time on approvals ((coalesce(decided_at, closed_at, expires_at))) where status <> 'pending';
create index bindings_ended_by_time on bindings (ended_at) where ended_at is not null;
