-- A later feed is mostly the same bytes as the last one. Each base plan remembers the fingerprint of the feed element
-- it was read from (a hash of the element's tags, whitespace between them left out) and how many plans and zones
-- that element held: an element that comes again with the same fingerprint is not parsed, staged or merged at all.
-- NULL: no fingerprint (the element had a skipped record, repeated a plan, shared its base plan with another
-- element, or was written before this migration); such a base plan is read again at every sync.
ALTER TABLE base_plans
    ADD COLUMN feed_fingerprint bigint,
    ADD COLUMN feed_plans integer CHECK (feed_plans >= 0),
    ADD COLUMN feed_zones integer CHECK (feed_zones >= 0),
    ADD CONSTRAINT base_plans_fingerprint_counts CHECK ((feed_fingerprint IS NULL) = (feed_plans IS NULL)
                                                         AND (feed_fingerprint IS NULL) = (feed_zones IS NULL));
