-- event-search catalogue schema.
-- Identity: a provider by name; a base plan by (provider, base_plan_id); a plan by (provider, base_plan_id, plan_id),
-- folded into a deterministic UUID (plans.id) so the public id is stable across syncs, restarts and rebuilds.
-- Nothing is deleted by ingestion: a row that leaves a feed keeps its last_seen_at and drops out of search scope.

CREATE TABLE providers (
    id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text        NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- last_seen_at stamp written by the latest applied complete sync: plans carrying it are "in scope".
    current_seen_at     timestamptz,
    -- last time a feed confirmed the catalogue (an applied sync, or an identical feed short-circuited).
    last_confirmed_at   timestamptz,
    feed_digest         text CHECK (feed_digest ~ '^[0-9a-f]{64}$'),
    feed_etag           text,
    feed_last_modified  text,
    -- a feed that dropped too much of the catalogue is held until the next feed confirms it.
    held_since          timestamptz,
    paused              boolean     NOT NULL DEFAULT false
);

CREATE TABLE base_plans (
    provider_id          integer     NOT NULL REFERENCES providers (id),
    base_plan_id         text        NOT NULL CHECK (length(base_plan_id) BETWEEN 1 AND 128),
    title                text        NOT NULL CHECK (length(title) BETWEEN 1 AND 1024),
    sell_mode            text        NOT NULL CHECK (sell_mode IN ('online', 'offline')),
    organizer_company_id text        CHECK (length(organizer_company_id) <= 128),
    ever_online          boolean     NOT NULL,
    content_hash         bigint      NOT NULL,
    first_seen_at        timestamptz NOT NULL,
    last_seen_at         timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    PRIMARY KEY (provider_id, base_plan_id),
    CHECK (last_seen_at >= first_seen_at),
    CHECK (ever_online OR sell_mode <> 'online')
);

-- Plans are range-partitioned by their start instant (yearly; see V2 for the partitions) so that a
-- search window only touches the partitions it overlaps.
CREATE TABLE plans (
    id            uuid          NOT NULL,
    provider_id   integer       NOT NULL,
    base_plan_id  text          NOT NULL,
    plan_id       text          NOT NULL CHECK (length(plan_id) BETWEEN 1 AND 128),
    starts_at     timestamptz   NOT NULL,
    ends_at       timestamptz   NOT NULL,
    start_local   timestamp     NOT NULL,
    end_local     timestamp     NOT NULL,
    sell_from     timestamp,
    sell_to       timestamp,
    sold_out      boolean       NOT NULL,
    zone_count    integer       NOT NULL CHECK (zone_count >= 0),
    min_price     numeric(12,2) CHECK (min_price >= 0),
    max_price     numeric(12,2),
    content_hash  bigint        NOT NULL,
    first_seen_at timestamptz   NOT NULL,
    last_seen_at  timestamptz   NOT NULL,
    updated_at    timestamptz   NOT NULL,
    PRIMARY KEY (id, starts_at),
    FOREIGN KEY (provider_id, base_plan_id) REFERENCES base_plans (provider_id, base_plan_id),
    CHECK (ends_at >= starts_at),
    CHECK (end_local >= start_local),
    CHECK (max_price >= min_price),
    CHECK ((zone_count = 0) = (min_price IS NULL)),
    CHECK (last_seen_at >= first_seen_at)
) PARTITION BY RANGE (starts_at);

-- Serves the search: range on start, ordered by (start, id), scope and prices without visiting the heap.
CREATE INDEX plans_search_idx ON plans (starts_at, id) INCLUDE (ends_at, provider_id, last_seen_at);
-- Serves staleness accounting per provider and sync.
CREATE INDEX plans_provider_seen_idx ON plans (provider_id, last_seen_at);
CREATE INDEX plans_base_plan_idx ON plans (provider_id, base_plan_id);

-- Every zone row of a plan is kept, in feed order: zone ids repeat inside one plan with different prices.
CREATE TABLE zones (
    plan_id        uuid          NOT NULL,
    plan_starts_at timestamptz   NOT NULL,
    position       integer       NOT NULL CHECK (position >= 0),
    zone_id        text          NOT NULL CHECK (length(zone_id) BETWEEN 1 AND 128),
    name           text          NOT NULL CHECK (length(name) <= 1024),
    capacity       integer       NOT NULL CHECK (capacity >= 0),
    price          numeric(12,2) NOT NULL CHECK (price >= 0),
    numbered       boolean       NOT NULL,
    PRIMARY KEY (plan_id, position),
    FOREIGN KEY (plan_id, plan_starts_at) REFERENCES plans (id, starts_at) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX zones_plan_fk_idx ON zones (plan_id, plan_starts_at);

CREATE TABLE sync_runs (
    id                   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id          integer     NOT NULL REFERENCES providers (id),
    instance_id          text        NOT NULL,
    started_at           timestamptz NOT NULL,
    finished_at          timestamptz,
    outcome              text        NOT NULL CHECK (outcome IN ('running', 'succeeded', 'unchanged', 'held', 'failed', 'abandoned')),
    failure_reason       text,
    failure_detail       text,
    http_status          integer,
    attempts             integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    feed_bytes           bigint      CHECK (feed_bytes >= 0),
    duration_ms          bigint      CHECK (duration_ms >= 0),
    base_plans_seen      integer     NOT NULL DEFAULT 0 CHECK (base_plans_seen >= 0),
    plans_seen           integer     NOT NULL DEFAULT 0 CHECK (plans_seen >= 0),
    zones_seen           integer     NOT NULL DEFAULT 0 CHECK (zones_seen >= 0),
    plans_inserted       integer     NOT NULL DEFAULT 0 CHECK (plans_inserted >= 0),
    plans_updated        integer     NOT NULL DEFAULT 0 CHECK (plans_updated >= 0),
    plans_unchanged      integer     NOT NULL DEFAULT 0 CHECK (plans_unchanged >= 0),
    plans_gone_stale     integer     NOT NULL DEFAULT 0 CHECK (plans_gone_stale >= 0),
    base_plans_inserted  integer     NOT NULL DEFAULT 0 CHECK (base_plans_inserted >= 0),
    base_plans_updated   integer     NOT NULL DEFAULT 0 CHECK (base_plans_updated >= 0),
    base_plans_unchanged integer     NOT NULL DEFAULT 0 CHECK (base_plans_unchanged >= 0),
    base_plans_gone_stale integer    NOT NULL DEFAULT 0 CHECK (base_plans_gone_stale >= 0),
    zones_written        integer     NOT NULL DEFAULT 0 CHECK (zones_written >= 0),
    skipped_total        integer     NOT NULL DEFAULT 0 CHECK (skipped_total >= 0),
    skipped              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    CHECK (finished_at IS NULL OR finished_at >= started_at),
    CHECK ((outcome = 'running') = (finished_at IS NULL))
);
CREATE INDEX sync_runs_provider_idx ON sync_runs (provider_id, started_at DESC);

-- One row: a counter bumped in the same transaction as every sync that changed what search can see.
-- It is part of every search cache key, so a committed change makes older cached answers unreachable.
-- The epoch is fixed when the database is created: cache keys carry it too, so a recreated database (whose
-- versions start again at 0) can never be served answers cached for another one.
CREATE TABLE catalogue_state (
    singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch        uuid        NOT NULL DEFAULT gen_random_uuid(),
    data_version bigint      NOT NULL CHECK (data_version >= 0),
    changed_at   timestamptz NOT NULL
);
INSERT INTO catalogue_state (data_version, changed_at) VALUES (0, now());
