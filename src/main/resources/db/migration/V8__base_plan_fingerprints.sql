-- A later feed is mostly the same bytes as the last one. Each base plan remembers the fingerprint of the feed element
-- it was read from (a hash of the element's tags, whitespace between them left out) and what that element held: its
-- plan and zone elements, the plans it stored and the records it skipped (by reason, with the first one's detail).
-- An element that comes again with the same fingerprint is not parsed, staged or merged at all; the sync still
-- counts and reports what it holds.
-- No fingerprint (NULL): the element repeated a plan, shared its base plan with another element, or was written
-- before this migration; such a base plan is read again at the next sync.
ALTER TABLE base_plans
    ADD COLUMN feed_fingerprint bigint,
    ADD COLUMN feed_plan_elements integer CHECK (feed_plan_elements >= 0),
    ADD COLUMN feed_zone_elements integer CHECK (feed_zone_elements >= 0),
    ADD COLUMN feed_plans integer CHECK (feed_plans >= 0),
    ADD COLUMN feed_skips text,
    ADD CONSTRAINT base_plans_feed_element CHECK (
        (feed_fingerprint IS NULL) = (feed_plan_elements IS NULL) AND (feed_fingerprint IS NULL) = (feed_zone_elements IS NULL)
        AND (feed_fingerprint IS NULL) = (feed_plans IS NULL) AND (feed_fingerprint IS NOT NULL OR feed_skips IS NULL));

-- Base plans (of those unchanged) whose element a sync did not even read.
ALTER TABLE sync_runs ADD COLUMN base_plans_unread integer NOT NULL DEFAULT 0 CHECK (base_plans_unread >= 0);
