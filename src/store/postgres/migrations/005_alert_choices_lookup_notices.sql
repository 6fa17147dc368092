-- Issue 11, points 4 and 5 (schema.ts version 6): 风险操作提醒 per kind of operation, the daily digest's
-- waiting operations, and the lookups owners were told of.

-- {login, massSend, serverConfig, appSecret} → 'immediate' | 'digest' | 'off' (domain/alerts.ts). NULL, or
-- a kind left out, is 'immediate': every account keeps the alerts it had.
alter table accounts add column alert_modes jsonb
  constraint accounts_alert_modes_valid check (alert_modes is null or (jsonb_typeof(alert_modes) = 'object'
    and alert_modes - array['login', 'massSend', 'serverConfig', 'appSecret'] = '{}'::jsonb
    and coalesce(alert_modes ->> 'login', 'immediate') in ('immediate', 'digest', 'off')
    and coalesce(alert_modes ->> 'massSend', 'immediate') in ('immediate', 'digest', 'off')
    and coalesce(alert_modes ->> 'serverConfig', 'immediate') in ('immediate', 'digest', 'off')
    and coalesce(alert_modes ->> 'appSecret', 'immediate') in ('immediate', 'digest', 'off')));

-- Operations waiting for their account's daily digest (08:00 Asia/Shanghai); the digest's transaction
-- deletes the ones it lists and queues the push, so each is listed once, across restarts and processes.
create table digest_entries (
  seq           bigint generated always as identity,
  id            nonempty_text primary key,
  account_id    nonempty_text not null references accounts,
  actor_user_id nonempty_text not null references users,
  operation     text not null check (operation in ('login', 'mass-send', 'modify-server-config', 'reset-appsecret',
                                                   'view-appsecret', 'rename-account', 'delete-article')),
  at            timestamptz not null
);
create index digest_entries_by_time on digest_entries (at);

-- When an owner was last told that someone looked up their phone or ID number: once a day per asker and owner.
-- asker_key: the asker's user id, or their chat contact when they are not a known user (so no foreign key).
create table lookup_notices (
  seq           bigint generated always as identity,
  id            nonempty_text primary key,
  asker_key     nonempty_text not null,
  owner_user_id nonempty_text not null references users,
  at            timestamptz not null,
  constraint lookup_notices_one_per_asker_and_owner unique (asker_key, owner_user_id)
);
create index lookup_notices_by_time on lookup_notices (at);
