package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
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
                zones_written = ?, skipped_total = ?, skipped = ?::jsonb, plans_returned = ?, base_plans_returned = ?
            WHERE id = ? AND outcome IN ('running', 'abandoned')
            """;

    /** Runs left open by a leader that died: whoever leads the provider now closes them. */
    private static final String ABANDON = """
            UPDATE sync_runs SET outcome = 'abandoned', finished_at = greatest(clock_timestamp(), started_at),
                   failure_reason = 'leader_lost', failure_detail = 'the instance running this sync lost leadership or died'
            WHERE provider_id = ? AND outcome = 'running' AND instance_id <> ?
            """;

    private final DataSource dataSource;

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
            st.setLong(i, runId);
            st.executeUpdate();
        }
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
