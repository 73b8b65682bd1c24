-- The catalogue's keys between tables, checked once per statement instead of once per row.
-- A foreign key checks each new row with a query of its own and locks the row it refers to: a provider's first feed
-- of 100k plans paid 700k such checks (every plan twice, every zone, every identity), more than a third of the
-- load (bench/: a COPY of the same rows took 5.5 s with the keys, 2.9 s with the checks below). Here each INSERT or
-- UPDATE statement checks the rows it wrote, as a set, after it ran: the same rule, at the same moment (the end of
-- the statement), for a fraction of the cost. A referenced row cannot go away, which is what a foreign key's lock
-- guards against: base plans and plan identities are never deleted (history is kept) nor re-keyed, and the triggers
-- at the end refuse both.
--  * a zone belongs to a plan identity;
--  * a plan is one of its identity: same id, provider, base plan and plan id (stricter than the keys it replaces,
--    which checked the id and the base plan apart);
--  * a plan identity belongs to a base plan of its provider.
-- Each lookup is by the referenced table's primary key: LATERAL ... LIMIT 1 keeps it one index probe per distinct key
-- written (a plain join may be planned as a hash join, which reads the whole referenced table at every statement).

ALTER TABLE zones DROP CONSTRAINT zones_plan_fkey;
ALTER TABLE plans DROP CONSTRAINT plans_identity_fkey;
ALTER TABLE plans DROP CONSTRAINT plans_provider_id_base_plan_id_fkey;
ALTER TABLE plan_identities DROP CONSTRAINT plan_identities_provider_id_base_plan_id_fkey;

CREATE FUNCTION zones_of_known_plans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT plan_id FROM written) z
               LEFT JOIN LATERAL (SELECT true AS found FROM plan_identities i WHERE i.id = z.plan_id LIMIT 1) k ON true
               WHERE k.found IS NULL) THEN
        RAISE EXCEPTION 'insert or update on table "zones" violates its key: a zone of no plan identity'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION plans_of_their_identities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM written p
               LEFT JOIN LATERAL (SELECT true AS found FROM plan_identities i
                                  WHERE i.id = p.id AND i.provider_id = p.provider_id
                                    AND i.base_plan_id = p.base_plan_id AND i.plan_id = p.plan_id LIMIT 1) k ON true
               WHERE k.found IS NULL) THEN
        RAISE EXCEPTION 'insert or update on table "plans" violates its key: a plan of no (or another) identity'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION identities_of_known_base_plans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT provider_id, base_plan_id FROM written) n
               LEFT JOIN LATERAL (SELECT true AS found FROM base_plans b
                                  WHERE b.provider_id = n.provider_id AND b.base_plan_id = n.base_plan_id LIMIT 1) k ON true
               WHERE k.found IS NULL) THEN
        RAISE EXCEPTION 'insert or update on table "plan_identities" violates its key: an identity of no base plan'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

-- A trigger with a transition table has one event: one for INSERT (COPY included), one for UPDATE.
CREATE TRIGGER zones_of_known_plans AFTER INSERT ON zones REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION zones_of_known_plans();
CREATE TRIGGER zones_of_known_plans_updated AFTER UPDATE ON zones REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION zones_of_known_plans();
CREATE TRIGGER plans_of_their_identities AFTER INSERT ON plans REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION plans_of_their_identities();
CREATE TRIGGER plans_of_their_identities_updated AFTER UPDATE ON plans REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION plans_of_their_identities();
CREATE TRIGGER identities_of_known_base_plans AFTER INSERT ON plan_identities REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION identities_of_known_base_plans();
CREATE TRIGGER identities_of_known_base_plans_updated AFTER UPDATE ON plan_identities REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION identities_of_known_base_plans();

-- What the foreign keys' locks guarded: a referenced row never goes away or changes its key.
CREATE FUNCTION refuse_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted or re-keyed: history is kept', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER base_plans_kept BEFORE DELETE ON base_plans
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_removal();
CREATE TRIGGER base_plans_key_kept BEFORE UPDATE OF provider_id, base_plan_id ON base_plans
    FOR EACH ROW WHEN (OLD.provider_id IS DISTINCT FROM NEW.provider_id OR OLD.base_plan_id IS DISTINCT FROM NEW.base_plan_id)
    EXECUTE FUNCTION refuse_removal();
CREATE TRIGGER plan_identities_kept BEFORE DELETE ON plan_identities
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_removal();
CREATE TRIGGER plan_identities_key_kept BEFORE UPDATE OF id, provider_id, base_plan_id, plan_id ON plan_identities
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.provider_id IS DISTINCT FROM NEW.provider_id
                       OR OLD.base_plan_id IS DISTINCT FROM NEW.base_plan_id OR OLD.plan_id IS DISTINCT FROM NEW.plan_id)
    EXECUTE FUNCTION refuse_removal();
