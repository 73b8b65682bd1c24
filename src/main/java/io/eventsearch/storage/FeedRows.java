package io.eventsearch.storage;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.UUID;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.catalogue.Zone;

/**
 * What a parsed feed turns into on its way to PostgreSQL: binary COPY rows in batches, sent through a {@link CopyPipeline}.
 * Two kinds: {@link FreshLoad} writes a provider's first feed straight into the catalogue tables, {@link StagedFeed}
 * stages only what differs from the provider's scope for the merge.
 */
abstract class FeedRows {

    protected final int providerId;
    protected final String providerName;
    protected final ZoneId timeZone;
    protected final long zoneSalt;
    private final int batchSize;
    private final CopyPipeline pipeline;
    private final PlanIds planIds = new PlanIds();
    private int batchPlans;

    /** The base plan element being read: its base plan (null when invalid), written at its end (see endBasePlan). */
    private BasePlan basePlan;
    private boolean basePlanWritten;
    private int elementPlans;
    private boolean repeatsPlan;
    private final java.util.Set<UUID> elementPlanIds = new java.util.HashSet<>();

    FeedRows(int providerId, String providerName, ZoneId timeZone, int batchSize, CopyPipeline pipeline) {
        this.providerId = providerId;
        this.providerName = providerName;
        this.timeZone = timeZone;
        this.zoneSalt = timeZone.getId().hashCode() * 0x9E3779B97F4A7C15L;
        this.batchSize = batchSize;
        this.pipeline = pipeline;
    }

    /** A base plan: its row is written once its element ends ({@link #endBasePlan}), with what the element held. */
    void add(BasePlan basePlan) throws SQLException {
        this.basePlan = basePlan;
        basePlanWritten = false;
        elementPlans = 0;
        repeatsPlan = false;
        elementPlanIds.clear();
        started(basePlan);
    }

    /**
     * The end of a base plan element (valid or not): what it held ({@code element}: its fingerprint, when it has one,
     * with its counts and skips). The fingerprint is stored only when the element also named no plan twice.
     */
    void endBasePlan(FeedElement element) throws SQLException {
        if (basePlan == null) {
            return;
        }
        if (!basePlanWritten) {
            writeBasePlan(basePlan, repeatsPlan || element.fingerprint() == null ? null : element.withPlans(elementPlans));
        }
        basePlan = null;
        if (batchPlans >= batchSize) {
            flush();
        }
    }

    /** Called when a base plan starts (before its plans). */
    protected void started(BasePlan basePlan) throws SQLException {
    }

    /** Adds the base plan's row; {@code element} null: no fingerprint (its element is read again next time). */
    protected abstract void writeBasePlan(BasePlan basePlan, FeedElement element) throws SQLException;

    abstract void add(BasePlan basePlan, Plan plan) throws SQLException;

    /** The batch's COPY statements, in foreign key order. */
    protected abstract CopyPipeline.Batch batch();

    /** A plan's derived columns: its id, instants, price range and stored content hash. */
    protected final Facts facts(BasePlan basePlan, Plan plan) {
        BigDecimal min = null;
        BigDecimal max = null;
        for (Zone zone : plan.zones()) {
            BigDecimal price = zone.price();
            min = min == null || price.compareTo(min) < 0 ? price : min;
            max = max == null || price.compareTo(max) > 0 ? price : max;
        }
        return new Facts(planIds.planId(providerName, basePlan.basePlanId(), plan.planId()),
                plan.start().atZone(timeZone).toInstant(), plan.end().atZone(timeZone).toInstant(), min, max,
                plan.contentHash() ^ zoneSalt);
    }

    record Facts(UUID id, Instant startsAt, Instant endsAt, BigDecimal min, BigDecimal max, long hash) {
    }

    /** The plan columns both kinds share, from base_plan_id to max_price. */
    protected static CopyRows planColumns(CopyRows rows, BasePlan basePlan, Plan plan, Facts f) {
        return rows.text(basePlan.basePlanId()).text(plan.planId()).instant(f.startsAt()).instant(f.endsAt())
                .local(plan.start()).local(plan.end()).local(plan.sellFrom()).local(plan.sellTo())
                .bool(plan.soldOut()).int4(plan.zones().size()).decimal(f.min()).decimal(f.max());
    }

    /** feed_fingerprint, feed_plan_elements, feed_zone_elements, feed_plans, feed_skips: all null without one. */
    protected static CopyRows elementColumns(CopyRows rows, FeedElement element) {
        if (element == null) {
            return rows.nul().nul().nul().nul().nul();
        }
        return rows.int8(element.fingerprint()).int4(element.planElements()).int4(element.zoneElements())
                .int4(element.plans()).text(element.skips());
    }

    /** The zone columns from position on. */
    protected static void zoneColumns(CopyRows rows, int position, Zone zone) {
        rows.int4(position).text(zone.zoneId()).text(zone.name()).int4(zone.capacity()).decimal(zone.price())
                .bool(zone.numbered()).endRow();
    }

    /** Counts a plan of the current element; true the first time the element names that plan. */
    protected final boolean counted(UUID id) {
        elementPlans++;
        if (!elementPlanIds.add(id)) {
            repeatsPlan = true;
            return false;
        }
        return true;
    }

    /**
     * Counts a plan into the batch. A batch is sent at the end of a base plan element once full (so a base plan's
     * row goes with its plans); a base plan with more plans than several batches hold is written early, without a
     * fingerprint, and the batch sent.
     */
    protected final void planAdded() throws SQLException {
        if (++batchPlans >= ELEMENT_BATCHES * batchSize) {
            if (basePlan != null && !basePlanWritten) {
                writeBasePlan(basePlan, null);
                basePlanWritten = true;
            }
            flush();
        }
    }

    private static final int ELEMENT_BATCHES = 4;

    /** Sends what is buffered. */
    protected final void flush() throws SQLException {
        batchPlans = 0;
        pipeline.send(batch().parts());
    }

    /** Sends a batch of other rows. */
    protected final void send(CopyPipeline.Batch batch) throws SQLException {
        pipeline.send(batch.parts());
    }

    /** Sends the last batch and waits until everything is written. */
    void finish() throws SQLException {
        flush();
        pipeline.finish();
    }

    void abort() {
        pipeline.abort();
    }
}
