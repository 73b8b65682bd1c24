-- Every applied sync moves last_seen_at of every plan and base plan still in the feed (the search scope is
-- "last_seen_at = the provider's current_seen_at"). PostgreSQL can update a row in place, without touching any
-- index ("HOT"), only when no indexed column changes and the page has room for the new version. With
-- last_seen_at in two indexes of plans, every bump wrote a new entry in each index of plans: bench/ measured a
-- content-identical re-sync of 1M plans at 116 s, most of it those rewrites. So:
--  * plans_search_idx loses its INCLUDE columns. A search reads the heap anyway (the answer's columns are not in
--    the index, so it is never an index-only scan), and filters on those columns there: they saved no visit.
--  * plans_provider_seen_idx goes. Staleness counts of a provider (once per sync, and the operator endpoints)
--    find its plans through plans_base_plan_idx and read last_seen_at from the heap.
--  * fillfactor 50 on plans' partitions and base_plans: one sync bumps every row of a page in one transaction,
--    so each page needs room for a second version of each row; the old versions are pruned in place later.
--    Pages written before this migration keep no room until rewritten (VACUUM FULL in a quiet hour).
-- A partition created later must be given the same fillfactor (a partitioned table has no storage parameters).
-- (V2's comment names a PlanPartitionMaintenance that was never written: the partitions for 2015-2035 come
-- from V2, later starts land in the default partition until a migration adds their years.)
-- Order matters on a live database: Flyway runs this in one transaction, and every lock is held to its end.
-- Building the new index first takes a lock that blocks writes only; the drops, which block reads too, come last,
-- just before the commit.
CREATE INDEX plans_search_v4_idx ON plans (starts_at, id);

DO $$
DECLARE
    partition regclass;
BEGIN
    FOR partition IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'plans'::regclass LOOP
        EXECUTE format('ALTER TABLE %s SET (fillfactor = 50)', partition);
    END LOOP;
END $$;

ALTER TABLE base_plans SET (fillfactor = 50);

DROP INDEX plans_provider_seen_idx;
DROP INDEX plans_search_idx;
ALTER INDEX plans_search_v4_idx RENAME TO plans_search_idx;
