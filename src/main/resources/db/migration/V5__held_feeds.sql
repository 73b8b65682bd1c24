-- A feed that would empty a provider's scope, or drop more of it than the drop ratio allows, is held instead of
-- applied. What is held, why, since when and how many feeds in a row: so that a mass drop applies only once it has
-- persisted (per-provider settings), an empty feed only by an operator's decision, and operators see it all.
ALTER TABLE providers
    ADD COLUMN held_reason text CHECK (held_reason IN ('empty_feed', 'mass_drop')),
    ADD COLUMN held_feeds integer NOT NULL DEFAULT 0 CHECK (held_feeds >= 0),
    ADD COLUMN held_digest text CHECK (held_digest ~ '^[0-9a-f]{64}$'),
    -- an operator confirmed the held feed with this digest: that feed is applied the next time it comes
    ADD COLUMN confirmed_digest text CHECK (confirmed_digest ~ '^[0-9a-f]{64}$');

-- Holds from before the reason was kept are mass drops of one feed.
UPDATE providers SET held_reason = 'mass_drop', held_feeds = 1 WHERE held_since IS NOT NULL;

ALTER TABLE providers ADD CONSTRAINT providers_hold_consistent CHECK ((held_since IS NULL) = (held_reason IS NULL));

-- Plans and base plans that came back into the scope with unchanged content: a visible change, counted on its own.
ALTER TABLE sync_runs
    ADD COLUMN plans_returned integer NOT NULL DEFAULT 0 CHECK (plans_returned >= 0),
    ADD COLUMN base_plans_returned integer NOT NULL DEFAULT 0 CHECK (base_plans_returned >= 0);
