package io.eventsearch.storage;

import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.UUID;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.catalogue.Zone;

/**
 * One sync of one provider as one PostgreSQL transaction. Records are staged into temporary tables with COPY in
 * batches while the feed is parsed, then merged into the catalogue with a handful of set-based statements:
 * upserts that rewrite content only where the content hash changed, zones replaced only for changed plans, and
 * the provider's scope marker moved so that everything this feed did not contain leaves the search scope.
 * Closing without {@link #commit} rolls everything back.
 */
public final class CatalogueTransaction implements AutoCloseable {

    private static final String CREATE_STAGE = """
            CREATE TEMP TABLE stage_base_plans (
                seq integer, base_plan_id text, title text, sell_mode text, organizer_company_id text, content_hash bigint
            ) ON COMMIT DROP;
            CREATE TEMP TABLE stage_plans (
                seq integer, id uuid, base_plan_id text, plan_id text, starts_at timestamptz, ends_at timestamptz,
                start_local timestamp, end_local timestamp, sell_from timestamp, sell_to timestamp, sold_out boolean,
                zone_count integer, min_price numeric(12,2), max_price numeric(12,2), content_hash bigint
            ) ON COMMIT DROP;
            CREATE TEMP TABLE stage_zones (
                plan_seq integer, position integer, zone_id text, name text, capacity integer, price numeric(12,2),
                numbered boolean
            ) ON COMMIT DROP;
            """;

    private static final String COPY_BASE_PLANS = "COPY stage_base_plans FROM STDIN";
    private static final String COPY_PLANS = "COPY stage_plans FROM STDIN";
    private static final String COPY_ZONES = "COPY stage_zones FROM STDIN";

    private static final String LOCK_PROVIDER = """
            SELECT current_seen_at, held_since, held_reason, held_feeds, held_digest, confirmed_digest,
                   (extract(epoch FROM now() - held_since) * 1000)::bigint
            FROM providers WHERE id = ? FOR UPDATE
            """;

    /** The last occurrence of a plan in the feed wins; the others are counted as duplicates. */
    private static final String PICK_WINNERS = """
            ANALYZE stage_base_plans;
            ANALYZE stage_plans;
            ANALYZE stage_zones;
            CREATE TEMP TABLE winners ON COMMIT DROP AS
                SELECT DISTINCT ON (id) * FROM stage_plans ORDER BY id, seq DESC;
            CREATE UNIQUE INDEX ON winners (id);
            ANALYZE winners;
            """;

    private static final String COUNT_DUPLICATES = """
            SELECT (SELECT count(*) FROM stage_plans) - (SELECT count(*) FROM winners), (SELECT count(*) FROM winners)
            """;

    /** How much of the in-scope catalogue this feed still contains. */
    private static final String DROP_CHECK = """
            SELECT count(*), count(w.id) FROM plans p LEFT JOIN winners w ON w.id = p.id
            WHERE p.provider_id = ? AND p.last_seen_at = ?
            """;

    private static final String UPSERT_BASE_PLANS = """
            CREATE TEMP TABLE base_written (base_plan_id text, inserted boolean, touched boolean) ON COMMIT DROP;
            WITH src AS (
                SELECT DISTINCT ON (base_plan_id) * FROM stage_base_plans ORDER BY base_plan_id, seq DESC
            ), up AS (
                INSERT INTO base_plans AS b (provider_id, base_plan_id, title, sell_mode, organizer_company_id,
                                             ever_online, content_hash, first_seen_at, last_seen_at, updated_at)
                SELECT ?, base_plan_id, title, sell_mode, organizer_company_id, sell_mode = 'online', content_hash,
                       now(), now(), now()
                FROM src
                ON CONFLICT (provider_id, base_plan_id) DO UPDATE SET
                    title = EXCLUDED.title,
                    sell_mode = EXCLUDED.sell_mode,
                    organizer_company_id = EXCLUDED.organizer_company_id,
                    ever_online = b.ever_online OR EXCLUDED.ever_online,
                    content_hash = EXCLUDED.content_hash,
                    last_seen_at = EXCLUDED.last_seen_at,
                    updated_at = CASE WHEN b.content_hash = EXCLUDED.content_hash THEN b.updated_at ELSE now() END
                RETURNING base_plan_id, first_seen_at = now() AS inserted, updated_at = now() AS touched
            )
            INSERT INTO base_written SELECT base_plan_id, inserted, touched FROM up;
            """;

    private static final String COUNT_BASE_WRITTEN = """
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE touched AND NOT inserted),
                   count(*) FILTER (WHERE NOT touched)
            FROM base_written
            """;

    /** The change set of this sync: every plan whose visibility or content it changes (see catalogue_changes). */
    private static final String CREATE_CHANGED = "CREATE TEMP TABLE changed (id uuid) ON COMMIT DROP";

    /** Plans back in the scope with the content they have: changed without a content write. */
    private static final String CHANGED_RETURNING = """
            INSERT INTO changed SELECT w.id FROM winners w JOIN plans p ON p.id = w.id
            WHERE p.provider_id = ? AND p.last_seen_at <> ? AND p.content_hash = w.content_hash
            """;

    private static final String COUNT_BASE_RETURNING = """
            SELECT count(*) FROM (SELECT DISTINCT ON (base_plan_id) base_plan_id, content_hash
                                  FROM stage_base_plans ORDER BY base_plan_id, seq DESC) s
            JOIN base_plans b ON b.provider_id = ? AND b.base_plan_id = s.base_plan_id
            WHERE b.last_seen_at <> ? AND b.content_hash = s.content_hash
            """;

    /** Plans whose own row is unchanged but whose base plan changed (title, sell mode): they render anew. */
    private static final String CHANGED_BY_BASE_PLAN = """
            INSERT INTO changed SELECT p.id FROM base_written bw
            JOIN plans p ON p.provider_id = ? AND p.base_plan_id = bw.base_plan_id
            WHERE bw.touched AND NOT bw.inserted
            """;

    /** Plans in the scope before this feed that it does not contain: they leave the scope (and are counted so). */
    private static final String CHANGED_GONE_STALE = """
            INSERT INTO changed SELECT id FROM plans WHERE provider_id = ? AND last_seen_at = ?
            """;

    private static final String COUNT_BASE_STALE = """
            SELECT count(*) FROM base_plans WHERE provider_id = ? AND last_seen_at = ?
            """;

    /** Versions whose change sets are kept; an instance further behind loads its model whole. */
    static final int CHANGES_KEPT = 200;

    private static final String RECORD_CHANGES = """
            INSERT INTO catalogue_changes (data_version, plan_id) SELECT DISTINCT ?, id FROM changed;
            """;

    private static final String PRUNE_CHANGES = """
            DELETE FROM catalogue_changes WHERE data_version <= ?;
            UPDATE catalogue_state SET changes_from = greatest(changes_from, ?);
            """;

    /** New plans get their identity row first (zones and plans refer to it). Key order keeps the index writes local. */
    private static final String INSERT_IDENTITIES = """
            INSERT INTO plan_identities (id, provider_id, base_plan_id, plan_id)
            SELECT id, ?, base_plan_id, plan_id FROM winners ORDER BY id
            ON CONFLICT (id) DO NOTHING
            """;

    /** A plan whose start moved is moved to its new partition first (its zones refer to its id only). */
    private static final String MOVE_PLANS = """
            UPDATE plans p SET starts_at = w.starts_at, ends_at = w.ends_at, start_local = w.start_local, end_local = w.end_local
            FROM winners w
            WHERE p.id = w.id AND p.provider_id = ? AND p.starts_at <> w.starts_at
            """;

    private static final String UPSERT_PLANS = """
            CREATE TEMP TABLE written ON COMMIT DROP AS SELECT id, starts_at, true AS inserted FROM winners LIMIT 0;
            WITH up AS (
                INSERT INTO plans AS p (id, provider_id, base_plan_id, plan_id, starts_at, ends_at, start_local, end_local,
                                        sell_from, sell_to, sold_out, zone_count, min_price, max_price, content_hash,
                                        first_seen_at, last_seen_at, updated_at)
                SELECT id, %d, base_plan_id, plan_id, starts_at, ends_at, start_local, end_local,
                       sell_from, sell_to, sold_out, zone_count, min_price, max_price, content_hash, now(), now(), now()
                FROM winners
                ORDER BY id
                ON CONFLICT (id, starts_at) DO UPDATE SET
                    base_plan_id = EXCLUDED.base_plan_id,
                    plan_id = EXCLUDED.plan_id,
                    ends_at = EXCLUDED.ends_at,
                    start_local = EXCLUDED.start_local,
                    end_local = EXCLUDED.end_local,
                    sell_from = EXCLUDED.sell_from,
                    sell_to = EXCLUDED.sell_to,
                    sold_out = EXCLUDED.sold_out,
                    zone_count = EXCLUDED.zone_count,
                    min_price = EXCLUDED.min_price,
                    max_price = EXCLUDED.max_price,
                    content_hash = EXCLUDED.content_hash,
                    last_seen_at = EXCLUDED.last_seen_at,
                    updated_at = CASE WHEN p.content_hash = EXCLUDED.content_hash THEN p.updated_at ELSE now() END
                RETURNING p.id, p.starts_at, p.first_seen_at = now() AS inserted, p.updated_at = now() AS touched
            )
            INSERT INTO written SELECT id, starts_at, inserted FROM up WHERE touched;
            """;

    private static final String COUNT_WRITTEN = """
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
            """;

    private static final String REPLACE_ZONES = """
            DELETE FROM zones z USING written w WHERE NOT w.inserted AND z.plan_id = w.id;
            INSERT INTO zones (plan_id, position, zone_id, name, capacity, price, numbered)
            SELECT w.id, z.position, z.zone_id, z.name, z.capacity, z.price, z.numbered
            FROM written w
            JOIN winners s ON s.id = w.id
            JOIN stage_zones z ON z.plan_seq = s.seq
            ORDER BY w.id, z.position;
            """;

    private static final String MARK_APPLIED = """
            UPDATE providers SET current_seen_at = now(), last_confirmed_at = now(), feed_digest = ?, feed_etag = ?,
                                 feed_last_modified = ?, held_since = NULL, held_reason = NULL, held_feeds = 0,
                                 held_digest = NULL, confirmed_digest = NULL
            WHERE id = ?
            RETURNING current_seen_at
            """;

    /** One more held feed in a row; the hold began with the first of them. */
    private static final String MARK_HELD = """
            UPDATE providers SET held_since = coalesce(held_since, now()), held_reason = ?, held_feeds = held_feeds + 1,
                                 held_digest = ?
            WHERE id = ?
            """;

    private static final String BUMP_VERSION = """
            UPDATE catalogue_state SET data_version = data_version + 1, changed_at = now()
            RETURNING data_version, changed_at
            """;

    private static final String NOTIFY = "SELECT pg_notify('" + CatalogueVersion.CHANNEL + "', ?)";

    private final Connection connection;
    private final CopyManager copy;
    private final int providerId;
    private final String providerName;
    private final long zoneSalt;
    private final ZoneId timeZone;
    private final int batchSize;
    private final PlanIds planIds = new PlanIds();

    private final CopyRows basePlanRows = new CopyRows();
    private final CopyRows planRows = new CopyRows();
    private final CopyRows zoneRows = new CopyRows();
    private int seq;
    private Instant previousSeenAt;
    private Hold hold = Hold.NONE;
    private boolean committed;

    CatalogueTransaction(Connection connection, int providerId, String providerName, ZoneId timeZone, int batchSize)
            throws SQLException {
        this.connection = connection;
        this.providerId = providerId;
        this.providerName = providerName;
        this.timeZone = timeZone;
        this.zoneSalt = timeZone.getId().hashCode() * 0x9E3779B97F4A7C15L;
        this.batchSize = batchSize;
        connection.setAutoCommit(false);
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
    }

    /**
     * Takes this provider's sync fence for the life of the transaction. False means another sync of the provider is
     * writing right now; nothing may be done.
     */
    public boolean tryFence() throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(?, ?)")) {
            st.setInt(1, AdvisoryLocks.SYNC_FENCE);
            st.setInt(2, providerId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        try (PreparedStatement st = connection.prepareStatement(LOCK_PROVIDER)) {
            st.setInt(1, providerId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("provider " + providerName + " is not registered");
                }
                previousSeenAt = instant(rs.getTimestamp(1));
                Instant heldSince = instant(rs.getTimestamp(2));
                hold = heldSince == null ? Hold.NONE
                        : new Hold(heldSince, rs.getString(3), rs.getInt(4), rs.getString(5), rs.getString(6),
                                java.time.Duration.ofMillis(rs.getLong(7)));
            }
        }
        try (Statement st = connection.createStatement()) {
            st.execute(CREATE_STAGE);
        }
        return true;
    }

    /** The provider's hold: the feeds held in a row before this one, if any. */
    public Hold hold() {
        return hold;
    }

    public void add(BasePlan basePlan) throws SQLException {
        basePlanRows.number(++seq).text(basePlan.basePlanId()).text(basePlan.title()).text(basePlan.sellMode())
                .text(basePlan.organizerCompanyId()).number(basePlan.contentHash()).endRow();
    }

    public void add(BasePlan basePlan, Plan plan) throws SQLException {
        int planSeq = ++seq;
        UUID id = planIds.planId(providerName, basePlan.basePlanId(), plan.planId());
        BigDecimal min = null;
        BigDecimal max = null;
        int position = 0;
        for (Zone zone : plan.zones()) {
            BigDecimal price = zone.price();
            min = min == null || price.compareTo(min) < 0 ? price : min;
            max = max == null || price.compareTo(max) > 0 ? price : max;
            zoneRows.number(planSeq).number(position++).text(zone.zoneId()).text(zone.name()).number(zone.capacity())
                    .decimal(price).bool(zone.numbered()).endRow();
        }
        planRows.number(planSeq).uuid(id).text(basePlan.basePlanId()).text(plan.planId())
                .instant(plan.start().atZone(timeZone).toInstant())
                .instant(plan.end().atZone(timeZone).toInstant())
                .local(plan.start()).local(plan.end()).local(plan.sellFrom()).local(plan.sellTo())
                .bool(plan.soldOut()).number(plan.zones().size()).decimal(min).decimal(max)
                .number(plan.contentHash() ^ zoneSalt).endRow();
        if (planRows.rows() >= batchSize) {
            flush();
        }
    }

    /** Sends what is buffered: one COPY per staging table. */
    public void flush() throws SQLException {
        copyIn(COPY_BASE_PLANS, basePlanRows);
        copyIn(COPY_PLANS, planRows);
        copyIn(COPY_ZONES, zoneRows);
    }

    private void copyIn(String sql, CopyRows rows) throws SQLException {
        if (rows.rows() == 0) {
            return;
        }
        try {
            copy.copyIn(sql, new java.io.ByteArrayInputStream(rows.drain()));
        } catch (IOException e) {
            throw new SQLException("COPY failed: " + e.getMessage(), e);
        }
    }

    /** Everything is staged: decides which plan wins each id and measures how much of the catalogue is gone. */
    public DropCheck prepareMerge() throws SQLException {
        flush();
        try (Statement st = connection.createStatement()) {
            st.execute(PICK_WINNERS);
        }
        int duplicates;
        long feedPlans;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(COUNT_DUPLICATES)) {
            rs.next();
            duplicates = rs.getInt(1);
            feedPlans = rs.getLong(2);
        }
        if (previousSeenAt == null) {
            return new DropCheck(0, 0, feedPlans, duplicates);
        }
        try (PreparedStatement st = connection.prepareStatement(DROP_CHECK)) {
            st.setInt(1, providerId);
            st.setTimestamp(2, Timestamp.from(previousSeenAt));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new DropCheck(rs.getLong(1), rs.getLong(2), feedPlans, duplicates);
            }
        }
    }

    /** Applies the staged feed and records its change set. The caller commits. */
    public MergeResult merge(String feedDigest, String etag, String lastModified) throws SQLException {
        execute(CREATE_CHANGED);
        long plansReturned = 0;
        long basePlansReturned = 0;
        if (previousSeenAt != null) {
            plansReturned = update(CHANGED_RETURNING, providerId, previousSeenAt);
            basePlansReturned = count(COUNT_BASE_RETURNING, providerId, previousSeenAt);
        }
        try (PreparedStatement st = connection.prepareStatement(UPSERT_BASE_PLANS)) {
            st.setInt(1, providerId);
            st.execute();
        }
        long[] base;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(COUNT_BASE_WRITTEN)) {
            rs.next();
            base = new long[] { rs.getLong(1), rs.getLong(2), rs.getLong(3) };
        }
        try (PreparedStatement st = connection.prepareStatement(INSERT_IDENTITIES)) {
            st.setInt(1, providerId);
            st.executeUpdate();
        }
        try (PreparedStatement st = connection.prepareStatement(MOVE_PLANS)) {
            st.setInt(1, providerId);
            st.executeUpdate();
        }
        execute(UPSERT_PLANS.formatted(providerId));
        long inserted;
        long updated;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(COUNT_WRITTEN)) {
            rs.next();
            inserted = rs.getLong(1);
            updated = rs.getLong(2);
        }
        long zonesWritten;
        try (Statement st = connection.createStatement()) {
            st.execute(REPLACE_ZONES);
            st.getMoreResults();
            zonesWritten = Math.max(0, st.getUpdateCount());
        }
        execute("INSERT INTO changed SELECT id FROM written");
        update(CHANGED_BY_BASE_PLAN, providerId, null);
        long planSeen = singleLong("SELECT count(*) FROM winners");
        long stalePlans = 0;
        long staleBase = 0;
        if (previousSeenAt != null) {
            stalePlans = update(CHANGED_GONE_STALE, providerId, previousSeenAt);
            staleBase = count(COUNT_BASE_STALE, providerId, previousSeenAt);
        }
        try (PreparedStatement st = connection.prepareStatement(MARK_APPLIED)) {
            st.setString(1, feedDigest);
            st.setString(2, etag);
            st.setString(3, lastModified);
            st.setInt(4, providerId);
            st.executeQuery().close();
        }
        // Everything the merge did beyond moving last_seen_at of rows that stay in the scope changes what search
        // shows: rows that came, changed, came back or left.
        boolean visibleChange = inserted + updated + plansReturned + stalePlans
                + base[0] + base[1] + basePlansReturned + staleBase > 0;
        DataVersion version = visibleChange ? bumpVersion() : null;
        return new MergeResult(base[0], base[1], basePlansReturned, base[2] - basePlansReturned, staleBase, inserted,
                updated, plansReturned, planSeen - inserted - updated - plansReturned, stalePlans, zonesWritten, version);
    }

    private void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    /** An update with (provider id[, instant]) parameters; its row count. */
    private long update(String sql, int provider, Instant at) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setInt(1, provider);
            if (at != null) {
                st.setTimestamp(2, Timestamp.from(at));
            }
            return st.executeUpdate();
        }
    }

    private long count(String sql, int provider, Instant at) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setInt(1, provider);
            st.setTimestamp(2, Timestamp.from(at));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Records that a feed was held; nothing of it is applied. The caller commits. */
    public void markHeld(String reason, String feedDigest) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(MARK_HELD)) {
            st.setString(1, reason);
            st.setString(2, feedDigest);
            st.setInt(3, providerId);
            st.executeUpdate();
        }
    }

    /** Drops what was staged but keeps the transaction (and its fence) for bookkeeping. */
    public void discardStaged() throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("TRUNCATE stage_base_plans, stage_plans, stage_zones");
        }
    }

    private DataVersion bumpVersion() throws SQLException {
        DataVersion version;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(BUMP_VERSION)) {
            rs.next();
            version = new DataVersion(rs.getLong(1), rs.getTimestamp(2).toInstant());
        }
        try (PreparedStatement st = connection.prepareStatement(RECORD_CHANGES)) {
            st.setLong(1, version.version());
            st.executeUpdate();
        }
        try (PreparedStatement st = connection.prepareStatement(PRUNE_CHANGES)) {
            st.setLong(1, version.version() - CHANGES_KEPT);
            st.setLong(2, version.version() - CHANGES_KEPT);
            st.execute();
        }
        try (PreparedStatement st = connection.prepareStatement(NOTIFY)) {
            st.setString(1, version.encode());
            st.executeQuery().close();
        }
        return version;
    }

    public void commit() throws SQLException {
        connection.commit();
        committed = true;
    }

    @Override
    public void close() throws SQLException {
        try {
            if (!committed) {
                connection.rollback();
            }
        } finally {
            connection.setAutoCommit(true);
            connection.close();
        }
    }

    private long singleLong(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    /**
     * The provider's current hold: since when feeds are held, why (empty_feed or mass_drop), how many in a row,
     * the digest of the last one, the digest an operator confirmed (or null), and how long ago the hold began.
     */
    public record Hold(Instant since, String reason, int feeds, String digest, String confirmedDigest,
            java.time.Duration age) {
        public static final Hold NONE = new Hold(null, null, 0, null, null, java.time.Duration.ZERO);

        public boolean active() {
            return since != null;
        }
    }

    /**
     * How much of the provider's in-scope catalogue the staged feed still contains, and how many (valid, distinct)
     * plans it has.
     */
    public record DropCheck(long inScope, long stillPresent, long feedPlans, int duplicatePlans) {
        public long dropped() {
            return inScope - stillPresent;
        }

        /** A feed without a single valid plan, for a provider that has plans in scope. */
        public boolean empty() {
            return feedPlans == 0 && inScope > 0;
        }

        public double dropRatio() {
            return inScope == 0 ? 0 : (double) dropped() / inScope;
        }
    }

    /** What a merge changed. {@code version} is null when nothing visible changed. */
    public record MergeResult(
            long basePlansInserted, long basePlansUpdated, long basePlansReturned, long basePlansUnchanged,
            long basePlansGoneStale, long plansInserted, long plansUpdated, long plansReturned, long plansUnchanged,
            long plansGoneStale, long zonesWritten, DataVersion version) {
    }
}
