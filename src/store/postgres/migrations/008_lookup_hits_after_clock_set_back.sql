-- The lookup limit's hits as domain/rate-limit.ts takeHit reads them: a hit dated after `now` (the clock
-- was set back) counts as made at `now`, so the limit lasts its window, not the window plus the jump.
create function lookup_hits_within (hits bigint[], after bigint, now bigint) returns bigint[]
  language sql immutable strict parallel safe
  as $$ select coalesce(array_agg(least(h.at, now) order by h.n), '{}') from unnest(hits) with ordinality as h(at, n) where least(h.at, now) > after $$;
