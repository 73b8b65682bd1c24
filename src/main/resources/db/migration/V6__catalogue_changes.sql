-- The read side keeps its own model of the visible catalogue on every instance and moves it from one data version
-- to the next by the sync's change set: each sync that bumps the data version records here the plans whose
-- visibility or content it changed (came, changed, came back, left, or whose base plan changed). An instance at
-- version v reads the plans of the rows with data_version > v, and only those.
CREATE TABLE catalogue_changes (
    data_version bigint NOT NULL,
    plan_id      uuid   NOT NULL,
    PRIMARY KEY (data_version, plan_id)
);

-- Only recent versions are kept (the syncs prune older rows): changes are complete for every version after
-- changes_from. A model older than that is loaded again whole. Versions before this migration were not recorded.
ALTER TABLE catalogue_state ADD COLUMN changes_from bigint NOT NULL DEFAULT 0;
UPDATE catalogue_state SET changes_from = data_version;
