-- Yearly partitions for plans. Rows outside the prepared years land in the default partition, so an
-- insert never fails for want of a partition; PlanPartitionMaintenance prepares upcoming years.
DO $$
DECLARE
    y integer;
BEGIN
    FOR y IN 2015 .. 2035 LOOP
        EXECUTE format(
            'CREATE TABLE plans_y%s PARTITION OF plans FOR VALUES FROM (%L) TO (%L)',
            y, make_timestamptz(y, 1, 1, 0, 0, 0, 'UTC'), make_timestamptz(y + 1, 1, 1, 0, 0, 0, 'UTC'));
    END LOOP;
END
$$;
CREATE TABLE plans_default PARTITION OF plans DEFAULT;
