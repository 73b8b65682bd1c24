-- One unpartitioned row per plan id. It is what zones and plans refer to, for two reasons:
--  * a foreign key to the partitioned plans table costs a partition-pruned lookup per referencing row, which made
--    zone writes several times slower than the rows themselves (measured by bench/: COPY of 100k plans' zones took
--    88 s with that key and 11 s without);
--  * the partitioned table can only enforce uniqueness of (id, starts_at); this table enforces the identity itself:
--    one id per (provider, base_plan_id, plan_id), across every partition.
CREATE TABLE plan_identities (
    id           uuid    PRIMARY KEY,
    provider_id  integer NOT NULL,
    base_plan_id text    NOT NULL,
    plan_id      text    NOT NULL CHECK (length(plan_id) BETWEEN 1 AND 128),
    UNIQUE (provider_id, base_plan_id, plan_id),
    FOREIGN KEY (provider_id, base_plan_id) REFERENCES base_plans (provider_id, base_plan_id)
);

INSERT INTO plan_identities (id, provider_id, base_plan_id, plan_id)
SELECT id, provider_id, base_plan_id, plan_id FROM plans;

ALTER TABLE plans ADD CONSTRAINT plans_identity_fkey FOREIGN KEY (id) REFERENCES plan_identities (id);

-- Zones follow their plan by id alone: a plan that moves partition no longer drags its zones along.
-- (Dropping the column drops the old key to plans and its index with it.)
ALTER TABLE zones DROP COLUMN plan_starts_at;
ALTER TABLE zones ADD CONSTRAINT zones_plan_fkey FOREIGN KEY (plan_id) REFERENCES plan_identities (id);
