package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * Merges a {@link StagedFeed} into the catalogue with a handful of set-based statements, each over the staged rows
 * only: what is new or changed is upserted (zones replaced), what came back returns to the scope, what is gone
 * leaves it with the time it was last seen. The rows that merely stay are not touched. Every plan whose visibility
 * or content changes goes into the temp table {@code changed}, and every count comes from the statement that did
 * the work.
 */
final class DeltaMerge {

    /** Plans back in the scope with the content they have: changed without a content write. */
    private static final String CHANGED_RETURNING = """
            INSERT INTO changed SELECT w.id FROM winners w JOIN plans p ON p.id = w.id AND p.starts_at = w.starts_at
            WHERE NOT w.known AND p.provider_id = ? AND p.last_seen_at <> %s AND p.content_hash = w.content_hash
            """.formatted(Scope.IN_SCOPE);

    private static final String COUNT_BASE_RETURNING = """
            SELECT count(*) FROM base_winners s
            JOIN base_plans b ON b.provider_id = ? AND b.base_plan_id = s.base_plan_id
            WHERE b.last_seen_at <> %s AND b.content_hash = s.content_hash
            """.formatted(Scope.IN_SCOPE);

    /**
     * New, changed and returning base plans, and those whose element's fingerprint changed (content the same, but
     * some plan of theirs changed); one that stays exactly as it is is not written.
     */
    private static final String UPSERT_BASE_PLANS = """
            CREATE TEMP TABLE base_written (base_plan_id text, inserted boolean, touched boolean) ON COMMIT DROP;
            WITH up AS (
                INSERT INTO base_plans AS b (provider_id, base_plan_id, title, sell_mode, organizer_company_id,
                                             ever_online, content_hash, first_seen_at, last_seen_at, updated_at,
                                             feed_fingerprint, feed_plan_elements, feed_zone_elements, feed_plans,
                                             feed_skips)
                SELECT %1$d, base_plan_id, title, sell_mode, organizer_company_id, sell_mode = 'online', content_hash,
                       now(), %2$s, now(), feed_fingerprint, feed_plan_elements, feed_zone_elements, feed_plans, feed_skips
                FROM base_winners
                ON CONFLICT (provider_id, base_plan_id) DO UPDATE SET
                    title = EXCLUDED.title,
                    sell_mode = EXCLUDED.sell_mode,
                    organizer_company_id = EXCLUDED.organizer_company_id,
                    ever_online = b.ever_online OR EXCLUDED.ever_online,
                    content_hash = EXCLUDED.content_hash,
                    last_seen_at = EXCLUDED.last_seen_at,
                    updated_at = CASE WHEN b.content_hash = EXCLUDED.content_hash THEN b.updated_at ELSE now() END,
                    feed_fingerprint = EXCLUDED.feed_fingerprint,
                    feed_plan_elements = EXCLUDED.feed_plan_elements,
                    feed_zone_elements = EXCLUDED.feed_zone_elements,
                    feed_plans = EXCLUDED.feed_plans,
                    feed_skips = EXCLUDED.feed_skips
                WHERE b.content_hash <> EXCLUDED.content_hash OR b.last_seen_at <> %2$s
                   OR b.feed_fingerprint IS DISTINCT FROM EXCLUDED.feed_fingerprint
                RETURNING base_plan_id, first_seen_at = now() AS inserted, updated_at = now() AS touched
            )
            INSERT INTO base_written SELECT base_plan_id, inserted, touched FROM up;
            """;

    private static final String COUNT_BASE_WRITTEN = """
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE touched AND NOT inserted),
                   (SELECT count(*) FROM base_winners)
            FROM base_written
            """;

    /** Plans whose own row is unchanged but whose base plan changed (title, sell mode): they render anew. */
    private static final String CHANGED_BY_BASE_PLAN = """
            INSERT INTO changed SELECT p.id FROM base_written bw
            JOIN plans p ON p.provider_id = ? AND p.base_plan_id = bw.base_plan_id
            WHERE bw.touched AND NOT bw.inserted
            """;

    /** New plans get their identity row first (zones and plans refer to it). Key order keeps the index writes local. */
    private static final String INSERT_IDENTITIES = """
            INSERT INTO plan_identities (id, provider_id, base_plan_id, plan_id)
            SELECT id, ?, base_plan_id, plan_id FROM winners WHERE NOT known ORDER BY id
            ON CONFLICT (id) DO NOTHING
            """;

    /** A plan whose start moved is moved to its new partition first (its zones refer to its id only). */
    private static final String MOVE_PLANS = """
            UPDATE plans p SET starts_at = w.starts_at, ends_at = w.ends_at, start_local = w.start_local, end_local = w.end_local
            FROM winners w
            WHERE p.id = w.id AND p.provider_id = ? AND p.starts_at <> w.starts_at
            """;

    /** New, changed and returning plans; a staged one that turns out unchanged and in scope is not written. */
    private static final String UPSERT_PLANS = """
            CREATE TEMP TABLE written ON COMMIT DROP AS SELECT id, starts_at, true AS inserted FROM winners LIMIT 0;
            WITH up AS (
                INSERT INTO plans AS p (id, provider_id, base_plan_id, plan_id, starts_at, ends_at, start_local, end_local,
                                        sell_from, sell_to, sold_out, zone_count, min_price, max_price, content_hash,
                                        first_seen_at, last_seen_at, updated_at)
                SELECT id, %1$d, base_plan_id, plan_id, starts_at, ends_at, start_local, end_local,
                       sell_from, sell_to, sold_out, zone_count, min_price, max_price, content_hash, now(), %2$s, now()
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
                WHERE p.content_hash <> EXCLUDED.content_hash OR p.last_seen_at <> %2$s
                RETURNING p.id, p.starts_at, p.first_seen_at = now() AS inserted, p.updated_at = now() AS touched
            )
            INSERT INTO written SELECT id, starts_at, inserted FROM up WHERE touched;
            """;

    private static final String COUNT_WRITTEN = """
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
            """;

    private static final String REPLACE_ZONES = """
            ANALYZE written;
            DELETE FROM zones z USING written w WHERE NOT w.inserted AND z.plan_id = w.id;
            INSERT INTO zones (plan_id, position, zone_id, name, capacity, price, numbered)
            SELECT w.id, z.position, z.zone_id, z.name, z.capacity, z.price, z.numbered
            FROM written w
            JOIN winners s ON s.id = w.id
            JOIN stage_zones z ON z.plan_seq = s.seq
            ORDER BY w.id, z.position;
            """;

    /** In-scope plans the feed did not contain leave the scope, keeping when they were last seen. */
    private static final String PLANS_GONE = """
            WITH gone AS (
                UPDATE plans p SET last_seen_at = coalesce(?::timestamptz, p.updated_at) FROM stage_gone g
                WHERE p.id = g.id AND p.provider_id = ? AND p.last_seen_at = %s
                RETURNING p.id
            )
            INSERT INTO changed SELECT id FROM gone
            """.formatted(Scope.IN_SCOPE);

    /** In-scope base plans the feed did not contain (neither claimed nor read) leave the scope. */
    private static final String BASE_PLANS_GONE = """
            UPDATE base_plans b SET last_seen_at = coalesce(?::timestamptz, b.updated_at) FROM stage_base_gone g
            WHERE b.provider_id = ? AND b.base_plan_id = g.base_plan_id AND b.last_seen_at = %s
            """.formatted(Scope.IN_SCOPE);

    private final Connection connection;
    private final int providerId;
    private final Instant previousSeenAt;
    /** What each step took, for the sync's log. */
    private final StringBuilder steps = new StringBuilder();
    private long stepStarted = System.nanoTime();

    DeltaMerge(Connection connection, int providerId, Instant previousSeenAt) {
        this.connection = connection;
        this.providerId = providerId;
        this.previousSeenAt = previousSeenAt;
    }

    /**
     * Applies the staged feed; {@code feedPlans} is the number of distinct valid plans the feed contains,
     * {@code claimedBasePlans} the base plans it holds unchanged without being read.
     */
    CatalogueTransaction.MergeResult merge(long feedPlans, long claimedBasePlans) throws SQLException {
        long plansReturned = update(CHANGED_RETURNING, false);
        long basePlansReturned = count(COUNT_BASE_RETURNING);
        step("returning");
        execute(UPSERT_BASE_PLANS.formatted(providerId, Scope.IN_SCOPE));
        long baseInserted;
        long baseUpdated;
        long baseStaged;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(COUNT_BASE_WRITTEN)) {
            rs.next();
            baseInserted = rs.getLong(1);
            baseUpdated = rs.getLong(2);
            baseStaged = rs.getLong(3);
        }
        step("base plans");
        update(INSERT_IDENTITIES, false);
        update(MOVE_PLANS, false);
        step("identities and moves");
        execute(UPSERT_PLANS.formatted(providerId, Scope.IN_SCOPE));
        long inserted;
        long updated;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(COUNT_WRITTEN)) {
            rs.next();
            inserted = rs.getLong(1);
            updated = rs.getLong(2);
        }
        step("plans");
        long zonesWritten;
        try (Statement st = connection.createStatement()) {
            st.execute(REPLACE_ZONES);
            st.getMoreResults();
            st.getMoreResults();
            zonesWritten = Math.max(0, st.getUpdateCount());
        }
        step("zones");
        execute("INSERT INTO changed SELECT id FROM written");
        update(CHANGED_BY_BASE_PLAN, false);
        step("change set");
        long stalePlans = update(PLANS_GONE, true);
        long staleBase = update(BASE_PLANS_GONE, true);
        step("gone");
        return new CatalogueTransaction.MergeResult(baseInserted, baseUpdated, basePlansReturned,
                claimedBasePlans + baseStaged - baseInserted - baseUpdated - basePlansReturned, staleBase, inserted, updated, plansReturned,
                feedPlans - inserted - updated - plansReturned, stalePlans, zonesWritten, null);
    }

    private void step(String name) {
        long now = System.nanoTime();
        steps.append(steps.length() == 0 ? "" : ", ").append(name).append(' ').append((now - stepStarted) / 1_000_000)
                .append(" ms");
        stepStarted = now;
    }

    /** What each step of the merge took. */
    String steps() {
        return steps.toString();
    }

    private void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    /** A statement with (provider id) or, {@code seen}, (previous seen at, provider id) parameters; its row count. */
    private long update(String sql, boolean seen) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            if (seen) {
                st.setTimestamp(1, SyncFence.timestamp(previousSeenAt));
                st.setInt(2, providerId);
            } else {
                st.setInt(1, providerId);
            }
            return st.executeUpdate();
        }
    }

    private long count(String sql) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setInt(1, providerId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
