-- The search scope without a write per row and sync. Until now a plan (or base plan) was in its provider's scope
-- when its last_seen_at equalled providers.current_seen_at, so every applied sync rewrote last_seen_at of every row
-- still in the feed: a 1%-changed feed of 100k plans paid 100k row versions for 1k changes. From now on:
--  * last_seen_at = 'infinity' marks a row of its provider's latest applied feed: in scope. When did that feed
--    last confirm it? providers.current_seen_at, the time of that sync (as before).
--  * a row that leaves the feed gets last_seen_at = the provider's current_seen_at before that sync: the time of the
--    last applied sync that contained it, exactly what it kept before. History is unchanged.
-- So a sync writes only the rows that came, changed, came back or left.
UPDATE plans p SET last_seen_at = 'infinity'
FROM providers pr
WHERE pr.id = p.provider_id AND p.last_seen_at = pr.current_seen_at;

UPDATE base_plans b SET last_seen_at = 'infinity'
FROM providers pr
WHERE pr.id = b.provider_id AND b.last_seen_at = pr.current_seen_at;

-- V4 left every page of plans and base_plans half empty, room for the bump of every row at every sync. Those bumps
-- are gone: new pages are filled again (what is already written keeps its room until rewritten). A partition
-- created later needs no storage parameter.
DO $$
DECLARE
    partition regclass;
BEGIN
    FOR partition IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'plans'::regclass LOOP
        EXECUTE format('ALTER TABLE %s RESET (fillfactor)', partition);
    END LOOP;
END $$;

ALTER TABLE base_plans RESET (fillfactor);
