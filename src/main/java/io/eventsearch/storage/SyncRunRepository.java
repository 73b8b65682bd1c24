package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/** {@code sync_runs}: a row opened when a run starts and closed with its outcome. Blocking (JDBC). */
@ApplicationScoped
public class SyncRunRepository {

    private static final String START = """
            INSERT INTO sync_runs (provider_id, instance_id, started_at, outcome) VALUES (?, ?, clock_timestamp(), 'running')
            RETURNING id
            """;

    private static final String FINISH = """
            UPDATE sync_runs SET
                finished_at = greatest(clock_timestamp(), started_at),
                duration_ms = (extract(epoch FROM greatest(clock_timestamp(), started_at) - started_at) * 1000)::bigint,
                outcome = ?, failure_reason = ?, failure_detail = ?, http_status = ?, attempts = ?, feed_bytes = ?,
                base_plans_seen = ?, plans_seen = ?, zones_seen = ?,
                plans_inserted = ?, plans_updated = ?, plans_unchanged = ?, plans_gone_stale = ?,
                base_plans_inserted = ?, base_plans_updated = ?, base_plans_unchanged = ?, base_plans_gone_stale = ?,
                zones_written = ?, skipped_total = ?, skipped = ?::jsonb, plans_returned = ?, base_plans_returned = ?,
                base_plans_unread = ?
            WHERE id = ? AND outcome IN ('running', 'abandoned')
            """;

    /** Runs left open by a leader that died: whoever leads the provider now closes them. */
    private static final String ABANDON = """
            UPDATE sync_runs SET outcome = 'abandoned', finished_at = greatest(clock_timestamp(), started_at),
                   failure_reason = 'leader_lost', failure_detail = 'the instance running this sync lost leadership or died'
            WHERE provider_id = ? AND outcome = 'running' AND instance_id <> ?
            """;

    /** The newest runs of every provider (or of the one named), newest first. */
    private static final String RECENT = """
            SELECT r.provider_id, r.id, r.instance_id, r.started_at, r.finished_at, r.outcome, r.failure_reason,
                   r.failure_detail, r.http_status, r.attempts, r.feed_bytes, r.duration_ms, r.plans_seen,
                   r.plans_inserted, r.plans_updated, r.plans_unchanged, r.plans_gone_stale, r.skipped_total,
                   r.skipped::text AS skipped
            FROM providers p
            JOIN LATERAL (SELECT * FROM sync_runs WHERE provider_id = p.id ORDER BY id DESC LIMIT ?) r ON true
            WHERE ?::text IS NULL OR p.name = ?
            ORDER BY r.provider_id, r.id DESC
            """;

    private final DataSource dataSource;

    /** A run as operators see it; {@code skipped} is the JSON object of skip counts by reason. */
    public record RecentRun(int providerId, long id, String instance, Instant startedAt, Instant finishedAt,
            String outcome, String failureReason, String failureDetail, Integer httpStatus, Integer attempts,
            Long feedBytes, Long durationMs, Integer plansSeen, Integer plansInserted, Integer plansUpdated,
            Integer plansUnchanged, Integer plansGoneStale, Integer skippedTotal, String skipped) {
    }

    public SyncRunRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public long start(int providerId, String instanceId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(START)) {
            st.setInt(1, providerId);
            st.setString(2, instanceId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public void finish(long runId, SyncRun run) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(FINISH)) {
            int i = 1;
            st.setString(i++, run.outcome.code());
            st.setString(i++, run.failureReason);
            st.setString(i++, run.failureDetail);
            if (run.httpStatus == null) {
                st.setNull(i++, Types.INTEGER);
            } else {
                st.setInt(i++, run.httpStatus);
            }
            st.setInt(i++, run.attempts);
            if (run.feedBytes == null) {
                st.setNull(i++, Types.BIGINT);
            } else {
                st.setLong(i++, run.feedBytes);
            }
            for (long value : new long[] { run.basePlansSeen, run.plansSeen, run.zonesSeen, run.plansInserted,
                    run.plansUpdated, run.plansUnchanged, run.plansGoneStale, run.basePlansInserted, run.basePlansUpdated,
                    run.basePlansUnchanged, run.basePlansGoneStale, run.zonesWritten, run.skippedTotal() }) {
                st.setInt(i++, (int) Math.min(Integer.MAX_VALUE, value));
            }
            st.setString(i++, json(run.skipped));
            st.setInt(i++, (int) Math.min(Integer.MAX_VALUE, run.plansReturned));
            st.setInt(i++, (int) Math.min(Integer.MAX_VALUE, run.basePlansReturned));
            st.setInt(i++, (int) Math.min(Integer.MAX_VALUE, run.basePlansUnread));
            st.setLong(i, runId);
            st.executeUpdate();
        }
    }

    /** Up to {@code perProvider} newest runs of every provider, or only of the one named ({@code name} not null). */
    public List<RecentRun> recent(String name, int perProvider) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(RECENT)) {
            st.setInt(1, perProvider);
            st.setString(2, name);
            st.setString(3, name);
            List<RecentRun> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new RecentRun(rs.getInt("provider_id"), rs.getLong("id"), rs.getString("instance_id"),
                            instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("finished_at")),
                            rs.getString("outcome"), rs.getString("failure_reason"), rs.getString("failure_detail"),
                            rs.getObject("http_status", Integer.class), rs.getObject("attempts", Integer.class),
                            rs.getObject("feed_bytes", Long.class), rs.getObject("duration_ms", Long.class),
                            rs.getObject("plans_seen", Integer.class), rs.getObject("plans_inserted", Integer.class),
                            rs.getObject("plans_updated", Integer.class), rs.getObject("plans_unchanged", Integer.class),
                            rs.getObject("plans_gone_stale", Integer.class), rs.getObject("skipped_total", Integer.class),
                            rs.getString("skipped")));
                }
            }
            return out;
        }
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    public int abandonOpenRuns(int providerId, String instanceId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(ABANDON)) {
            st.setInt(1, providerId);
            st.setString(2, instanceId);
            return st.executeUpdate();
        }
    }

    /** The skip reasons are enum codes ([a-z_]), so no escaping is needed. */
    private static String json(Map<String, Long> counts) {
        return counts.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }
}
