package io.eventsearch.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.search.cache.SearchCache;
import io.eventsearch.storage.CatalogueVersion;

/** Direct access to the test database: resets and plain queries for assertions. */
@ApplicationScoped
public class TestDatabase {

    private final DataSource dataSource;
    private final CatalogueVersion version;
    private final SearchCache cache;

    public TestDatabase(DataSource dataSource, CatalogueVersion version, SearchCache cache) {
        this.dataSource = dataSource;
        this.version = version;
        this.cache = cache;
    }

    /** Empties the catalogue and moves the data version on, so no cached answer survives. */
    public void reset() {
        // Identities are not restarted: a provider id is never reused, so a leader lock left by another test's
        // instance can never stand for a different provider.
        update("TRUNCATE zones, plans, plan_identities, base_plans, sync_runs, providers, catalogue_changes CASCADE");
        // no change set covers a reset: read models load again whole
        update("UPDATE catalogue_state SET data_version = data_version + 1, changed_at = now(), changes_from = data_version + 1");
        version.refresh().await().indefinitely();
        version.awaitShown(version.current().version(), java.time.Duration.ofSeconds(10));
        cache.clearNear();
    }

    public int update(String sql) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            return st.executeUpdate(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public List<Map<String, Object>> rows(String sql) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            List<Map<String, Object>> out = new ArrayList<>();
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= columns; i++) {
                    Object value = rs.getObject(i);
                    row.put(rs.getMetaData().getColumnLabel(i),
                            value instanceof java.sql.Timestamp ts ? ts.toInstant() : value);
                }
                out.add(row);
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public long count(String sql) {
        Object value = rows(sql).get(0).values().iterator().next();
        return ((Number) value).longValue();
    }

    /**
     * Waits until a writing transaction of this database runs a statement like {@code statementLike} (an ILIKE
     * pattern), then kills its backend: a sync that dies mid-way. Fails the test when none comes within 20 s.
     */
    public void killWriterRunning(String statementLike) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .pollInterval(java.time.Duration.ofMillis(5)).until(() -> count("""
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL
                          AND query ILIKE '%s'
                        """.formatted(statementLike)) > 0);
    }

    public Object value(String sql) {
        List<Map<String, Object>> rows = rows(sql);
        return rows.isEmpty() ? null : rows.get(0).values().iterator().next();
    }
}
