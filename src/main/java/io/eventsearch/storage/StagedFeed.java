package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneId;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.catalogue.Zone;

/**
 * A feed of a provider that has rows, staged for the merge: only what may differ from its scope. The base plans
 * whose element was claimed by fingerprint ({@link BasePlanScope}) are not even parsed. Each plan of the others is
 * compared with the {@link ScopeIndex} as it is parsed; an in-scope plan with the same content hash is only counted
 * as seen, every other one (new, changed, back in the feed, or repeated after a staged occurrence) is staged with its
 * zones. Every parsed base plan is staged (with its element's fingerprint). Once parsed, the in-scope plans and base
 * plans the feed did not contain are staged as gone, and {@link #dropCheck} measures how much of the scope the feed
 * keeps.
 */
final class StagedFeed extends FeedRows {

    private static final String CREATE = """
            CREATE TEMP TABLE stage_base_plans (
                seq integer, base_plan_id text, title text, sell_mode text, organizer_company_id text, content_hash bigint,
                feed_fingerprint bigint, feed_plan_elements integer, feed_zone_elements integer, feed_plans integer,
                feed_skips text
            ) ON COMMIT DROP;
            CREATE TEMP TABLE stage_plans (
                seq integer, id uuid, base_plan_id text, plan_id text, starts_at timestamptz, ends_at timestamptz,
                start_local timestamp, end_local timestamp, sell_from timestamp, sell_to timestamp, sold_out boolean,
                zone_count integer, min_price numeric(12,2), max_price numeric(12,2), content_hash bigint, known boolean
            ) ON COMMIT DROP;
            CREATE TEMP TABLE stage_zones (
                plan_seq integer, position integer, zone_id text, name text, capacity integer, price numeric(12,2),
                numbered boolean
            ) ON COMMIT DROP;
            CREATE TEMP TABLE stage_gone (id uuid) ON COMMIT DROP;
            CREATE TEMP TABLE stage_base_gone (base_plan_id text) ON COMMIT DROP;
            """;

    private static final String COPY_BASE_PLANS = "COPY stage_base_plans FROM STDIN (FORMAT binary)";
    private static final String COPY_PLANS = "COPY stage_plans FROM STDIN (FORMAT binary)";
    private static final String COPY_ZONES = "COPY stage_zones FROM STDIN (FORMAT binary)";
    private static final String COPY_GONE = "COPY stage_gone FROM STDIN (FORMAT binary)";
    private static final String COPY_BASE_GONE = "COPY stage_base_gone FROM STDIN (FORMAT binary)";

    /**
     * The last occurrence of a plan wins; the others are counted as duplicates. The staging tables themselves are
     * read once and never analysed; the winners are (a few milliseconds), so that the merge's joins with the whole
     * catalogue look rows up by key rather than scan it.
     */
    private static final String PICK_WINNERS = """
            CREATE TEMP TABLE winners ON COMMIT DROP AS
                SELECT DISTINCT ON (id) * FROM stage_plans ORDER BY id, seq DESC;
            CREATE UNIQUE INDEX ON winners (id);
            CREATE TEMP TABLE base_winners ON COMMIT DROP AS
                SELECT DISTINCT ON (base_plan_id) seq, base_plan_id, title, sell_mode, organizer_company_id, content_hash,
                       -- a base plan in several elements: its rows are no one element's, so no fingerprint
                       CASE WHEN single THEN feed_fingerprint END AS feed_fingerprint,
                       CASE WHEN single THEN feed_plan_elements END AS feed_plan_elements,
                       CASE WHEN single THEN feed_zone_elements END AS feed_zone_elements,
                       CASE WHEN single THEN feed_plans END AS feed_plans,
                       CASE WHEN single THEN feed_skips END AS feed_skips
                FROM (SELECT *, count(*) OVER (PARTITION BY base_plan_id) = 1 AS single FROM stage_base_plans) s
                ORDER BY base_plan_id, seq DESC;
            CREATE UNIQUE INDEX ON base_winners (base_plan_id);
            ANALYZE winners, base_winners;
            """;

    /** Staged occurrences and distinct plans among those that were not in scope. */
    private static final String COUNT_NEW = """
            SELECT (SELECT count(*) FROM stage_plans WHERE NOT known), (SELECT count(*) FROM winners WHERE NOT known)
            """;

    private final ScopeIndex scope;
    private final BasePlanScope basePlans;
    private final CopyRows basePlanRows = new CopyRows();
    private final CopyRows planRows = new CopyRows();
    private final CopyRows zoneRows = new CopyRows();
    private int seq;
    private int basePlanSeq;

    StagedFeed(Connection connection, int providerId, String providerName, ZoneId timeZone, int batchSize,
            CopyPipeline pipeline, BasePlanScope basePlans, ScopeIndex scope) throws SQLException {
        super(providerId, providerName, timeZone, batchSize, pipeline);
        this.basePlans = basePlans;
        this.scope = scope;
        try (Statement st = connection.createStatement()) {
            st.execute(CREATE);
        }
    }

    @Override
    protected void started(BasePlan basePlan) throws SQLException {
        if (!basePlans.parsed(basePlan.basePlanId())) {
            throw new CatalogueTransaction.ClaimConflict(basePlan.basePlanId());
        }
        basePlanSeq = ++seq;
    }

    @Override
    protected void writeBasePlan(BasePlan basePlan, FeedElement element) {
        basePlanRows.int4(basePlanSeq).text(basePlan.basePlanId()).text(basePlan.title()).text(basePlan.sellMode())
                .text(basePlan.organizerCompanyId()).int8(basePlan.contentHash());
        elementColumns(basePlanRows, element).endRow();
    }

    @Override
    void add(BasePlan basePlan, Plan plan) throws SQLException {
        int planSeq = ++seq;
        Facts f = facts(basePlan, plan);
        counted(f.id());
        int index = scope.find(f.id());
        boolean known = index >= 0;
        if (known && !scope.occurrence(index, f.hash())) {
            return;
        }
        planColumns(planRows.int4(planSeq).uuid(f.id()), basePlan, plan, f).int8(f.hash()).bool(known).endRow();
        int position = 0;
        for (Zone zone : plan.zones()) {
            zoneColumns(zoneRows.int4(planSeq), position++, zone);
        }
        planAdded();
    }

    @Override
    protected CopyPipeline.Batch batch() {
        return new CopyPipeline.Batch().add(COPY_BASE_PLANS, basePlanRows).add(COPY_PLANS, planRows)
                .add(COPY_ZONES, zoneRows);
    }

    /** Stages the plans that leave the scope (in chunks), then sends everything and waits for it. */
    @Override
    void finish() throws SQLException {
        flush();
        CopyRows gone = new CopyRows();
        SQLException[] failed = new SQLException[1];
        scope.forEachGone(id -> {
            gone.uuid(id).endRow();
            if (gone.rows() >= GONE_CHUNK && failed[0] == null) {
                try {
                    send(new CopyPipeline.Batch().add(COPY_GONE, gone));
                } catch (SQLException e) {
                    failed[0] = e;
                }
            }
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        send(new CopyPipeline.Batch().add(COPY_GONE, gone));
        CopyRows baseGone = new CopyRows();
        basePlans.forEachGone(id -> baseGone.text(id).endRow());
        send(new CopyPipeline.Batch().add(COPY_BASE_GONE, baseGone));
        super.finish();
    }

    private static final int GONE_CHUNK = 10_000;

    /** Picks the winners and measures the drop. Called after {@link #finish}. */
    CatalogueTransaction.DropCheck dropCheck(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(PICK_WINNERS);
        }
        long newStaged;
        long newWinners;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(COUNT_NEW)) {
            rs.next();
            newStaged = rs.getLong(1);
            newWinners = rs.getLong(2);
        }
        int duplicates = (int) (scope.duplicates() + newStaged - newWinners);
        // the plans of claimed base plans are all in scope and all in the feed
        long claimed = basePlans.claimedPlans();
        long feedPlans = claimed + scope.seen() + newWinners;
        return new CatalogueTransaction.DropCheck(claimed + scope.size(), claimed + scope.seen(), feedPlans, duplicates);
    }
}
