package io.eventsearch.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Plain JDBC to the test database, for tests that run the service as separate processes. */
public final class ItDatabase {

    private ItDatabase() {
    }

    public static Connection connect() throws SQLException {
        String db = System.getenv().getOrDefault("EVENT_SEARCH_TEST_DB", "event_search_test");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "");
    }

    public static long count(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Empties the catalogue if the schema exists (the first instance to start migrates it). */
    public static void reset() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DO $$ BEGIN IF to_regclass('public.providers') IS NOT NULL THEN "
                    + "TRUNCATE zones, plans, plan_identities, base_plans, sync_runs, providers CASCADE; "
                    + "UPDATE catalogue_state SET data_version = data_version + 1, changed_at = now(); END IF; "
                    // no change set covers a reset: read models load again whole
                    + "IF to_regclass('public.catalogue_changes') IS NOT NULL THEN TRUNCATE catalogue_changes; "
                    + "UPDATE catalogue_state SET changes_from = data_version; END IF; END $$");
        }
    }
}
