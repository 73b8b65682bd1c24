package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Brings the planner's statistics up to date after a load that outgrew them. A provider's first feed can multiply the
 * catalogue in one transaction; until autovacuum analyses the tables (a minute or more later, and never the
 * partitioned parent), the planner still believes them nearly empty and may choose plans that read every base plan
 * for every plan: the read model's first load of 100k plans ran for minutes that way instead of seconds. So a load
 * that adds more than a fifth of what the statistics count analyses the tables it wrote, in the sync's transaction.
 */
final class PlannerStatistics {

    /** A load adding more plans than this share of those the statistics know makes them stale. */
    private static final double OUTGROWN = 0.2;

    private PlannerStatistics() {
    }

    /** Analyses the catalogue tables when {@code plansAdded} outgrew their statistics; true when it did. */
    static boolean refreshIfOutgrown(Connection connection, long plansAdded) throws SQLException {
        try (Statement st = connection.createStatement()) {
            double known;
            // plan_identities has a row per plan and is not partitioned: its estimate stands for the catalogue's size
            try (ResultSet rs = st.executeQuery("SELECT reltuples FROM pg_class WHERE oid = 'plan_identities'::regclass")) {
                rs.next();
                known = Math.max(0, rs.getDouble(1)); // -1: never analysed
            }
            if (plansAdded <= known * OUTGROWN) {
                return false;
            }
            st.execute("ANALYZE base_plans, plan_identities, plans, zones");
            return true;
        }
    }
}
