-- Conversation state (dialog steps and the 绑定查询 rate limit) in unlogged tables, so that each of its
-- writes is one statement whose commit does not wait for a WAL flush (PostgreSQL commits a transaction
-- that wrote only unlogged tables asynchronously). The embedded engine keeps this state in memory only;
-- here it survives every restart of the assistant and of a cleanly stopped server, and is emptied by a
-- server crash or a fail-over to a standby (unlogged tables are not replicated): as after a restart of
-- the embedded engine, pending dialogs start again and the limit counts afresh.
alter table dialogs set unlogged;

-- One row per asker: the times (ms since the epoch) of their lookups in the window, in the order taken,
-- and whether the last decision took a hit. One upsert decides and records a lookup atomically: ON
-- CONFLICT DO UPDATE locks the asker's row and works on its latest version, so lookups racing each
-- other all count, with no lock of their own.
create unlogged table lookup_limits (
  asker_key nonempty_text primary key,
  hits      bigint[] not null,
  took      boolean not null
);

-- The hits after `after`, in the order they were taken (domain/rate-limit.ts takeHit's `recent`).
create function lookup_hits_after (hits bigint[], after bigint) returns bigint[]
  language sql immutable strict parallel safe
  as $$ select coalesce(array_agg(h.at order by h.n), '{}') from unnest(hits) with ordinality as h(at, n) where h.at > after $$;

insert into lookup_limits (asker_key, hits, took)
  select asker_key, array_agg((extract(epoch from at) * 1000)::bigint order by at, id), true
  from lookup_hits group by asker_key;
drop table lookup_hits;
