package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The change set of one sync: the temp table {@code changed} collects every plan whose visibility or content the
 * sync changes (came, changed, came back, left, or whose base plan changed); a sync that changed anything visible
 * bumps the data version, records the set in {@code catalogue_changes} under it (the read models move by it),
 * prunes old sets, and notifies the other instances.
 */
final class ChangeLog {

    /** Versions whose change sets are kept; an instance further behind loads its model whole. */
    static final int CHANGES_KEPT = 200;

    private static final String CREATE = "CREATE TEMP TABLE changed (id uuid) ON COMMIT DROP";

    private static final String BUMP_VERSION = """
            UPDATE catalogue_state SET data_version = data_version + 1, changed_at = now()
            RETURNING data_version, changed_at
            """;

    private static final String RECORD_CHANGES = """
            INSERT INTO catalogue_changes (data_version, plan_id) SELECT DISTINCT ?, id FROM changed;
            """;

    /** A provider's first feed: every plan it has entered the scope (ids are unique there already). */
    private static final String RECORD_ALL = """
            INSERT INTO catalogue_changes (data_version, plan_id) SELECT ?, id FROM plan_identities WHERE provider_id = ?
            """;

    private static final String PRUNE_CHANGES = """
            DELETE FROM catalogue_changes WHERE data_version <= ?;
            UPDATE catalogue_state SET changes_from = greatest(changes_from, ?);
            """;

    private static final String NOTIFY = "SELECT pg_notify('" + CatalogueVersion.CHANNEL + "', ?)";

    private ChangeLog() {
    }

    static void open(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(CREATE);
        }
    }

    /**
     * A new data version carrying the plans in {@code changed} or, with {@code freshProvider} (not null), every plan
     * of that provider.
     */
    static DataVersion record(Connection connection, Integer freshProvider) throws SQLException {
        DataVersion version;
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(BUMP_VERSION)) {
            rs.next();
            version = new DataVersion(rs.getLong(1), rs.getTimestamp(2).toInstant());
        }
        try (PreparedStatement st = connection.prepareStatement(freshProvider == null ? RECORD_CHANGES : RECORD_ALL)) {
            st.setLong(1, version.version());
            if (freshProvider != null) {
                st.setInt(2, freshProvider);
            }
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
}
