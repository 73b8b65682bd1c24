package io.eventsearch.storage;

import java.sql.SQLException;
import java.time.ZoneId;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.catalogue.Zone;

/**
 * The first feed of a provider that has no row yet: COPY straight into base_plans, plan_identities, plans and
 * zones, with no staging table and no merge, everything in scope. A feed that names a plan (or base plan) twice
 * breaks a key: {@link CatalogueTransaction} then rolls back to before the load and stages the feed instead,
 * where the last occurrence wins.
 */
final class FreshLoad extends FeedRows {

    private static final String COPY_BASE_PLANS = "COPY base_plans (provider_id, base_plan_id, title, sell_mode, "
            + "organizer_company_id, ever_online, content_hash, first_seen_at, last_seen_at, updated_at, "
            + "feed_fingerprint, feed_plan_elements, feed_zone_elements, feed_plans, feed_skips) FROM STDIN (FORMAT binary)";
    private static final String COPY_IDENTITIES = "COPY plan_identities (id, provider_id, base_plan_id, plan_id) FROM STDIN "
            + "(FORMAT binary)";
    private static final String COPY_PLANS = "COPY plans (id, provider_id, base_plan_id, plan_id, starts_at, ends_at, "
            + "start_local, end_local, sell_from, sell_to, sold_out, zone_count, min_price, max_price, content_hash, "
            + "first_seen_at, last_seen_at, updated_at) FROM STDIN (FORMAT binary)";
    private static final String COPY_ZONES = "COPY zones (plan_id, position, zone_id, name, capacity, price, numbered) "
            + "FROM STDIN (FORMAT binary)";

    /** The transaction's time, in microseconds since PostgreSQL's epoch. */
    private final long now;
    private final CopyRows basePlanRows = new CopyRows();
    private final CopyRows identityRows = new CopyRows();
    private final CopyRows planRows = new CopyRows();
    private final CopyRows zoneRows = new CopyRows();
    private long basePlans;
    private long plans;
    private long zones;

    FreshLoad(int providerId, String providerName, ZoneId timeZone, int batchSize, CopyPipeline pipeline, long now) {
        super(providerId, providerName, timeZone, batchSize, pipeline);
        this.now = now;
    }

    @Override
    protected void writeBasePlan(BasePlan basePlan, FeedElement element) {
        basePlans++;
        basePlanRows.int4(providerId).text(basePlan.basePlanId()).text(basePlan.title()).text(basePlan.sellMode())
                .text(basePlan.organizerCompanyId()).bool(basePlan.online()).int8(basePlan.contentHash())
                .timestamptz(now).timestamptz(CopyRows.INFINITY).timestamptz(now);
        elementColumns(basePlanRows, element).endRow();
    }

    @Override
    void add(BasePlan basePlan, Plan plan) throws SQLException {
        Facts f = facts(basePlan, plan);
        counted(f.id());
        plans++;
        identityRows.uuid(f.id()).int4(providerId).text(basePlan.basePlanId()).text(plan.planId()).endRow();
        planColumns(planRows.uuid(f.id()).int4(providerId), basePlan, plan, f).int8(f.hash())
                .timestamptz(now).timestamptz(CopyRows.INFINITY).timestamptz(now).endRow();
        int position = 0;
        for (Zone zone : plan.zones()) {
            zoneColumns(zoneRows.uuid(f.id()), position++, zone);
            zones++;
        }
        planAdded();
    }

    @Override
    protected CopyPipeline.Batch batch() {
        return new CopyPipeline.Batch().add(COPY_BASE_PLANS, basePlanRows).add(COPY_IDENTITIES, identityRows)
                .add(COPY_PLANS, planRows).add(COPY_ZONES, zoneRows);
    }

    long plans() {
        return plans;
    }

    /** Everything is written: the counts (the change set is every plan of the provider, see {@link ChangeLog}). */
    CatalogueTransaction.MergeResult result() {
        return new CatalogueTransaction.MergeResult(basePlans, 0, 0, 0, 0, plans, 0, 0, 0, 0, zones, null);
    }
}
