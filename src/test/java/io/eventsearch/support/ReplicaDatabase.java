package io.eventsearch.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.flywaydb.core.Flyway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A stand-in read replica: a second database copied from the test database ({@code CREATE DATABASE ... TEMPLATE}),
 * so it has the schema and the epoch of the primary but, from then on, none of its writes. Tests change it by hand
 * to play a replica that lags or catches up.
 */
public class ReplicaDatabase implements QuarkusTestResourceLifecycleManager {

    public static final String PRIMARY = System.getenv().getOrDefault("EVENT_SEARCH_TEST_DB", "event_search_test");
    public static final String NAME = PRIMARY + "_replica";
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

    @Override
    public Map<String, String> start() {
        // the copy needs the schema: migrate the primary first (the service would at start-up, too late for us)
        Flyway.configure().dataSource(SERVER + PRIMARY, "postgres", "").load().migrate();
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + NAME + " WITH (FORCE)");
            // a template must have no other session: end those an earlier test application of this run left
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + PRIMARY
                    + "' AND pid <> pg_backend_pid()");
            st.execute("CREATE DATABASE " + NAME + " TEMPLATE " + PRIMARY);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the replica database " + NAME, e);
        }
        return Map.of("quarkus.datasource.\"replica\".reactive.url", "postgresql://127.0.0.1:5432/" + NAME);
    }

    @Override
    public void stop() {
        try (Connection admin = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + NAME + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs statements on the replica, as replication (or its lag) would change it. */
    public static void execute(String... sql) {
        try (Connection replica = DriverManager.getConnection(SERVER + NAME, "postgres", "");
                Statement st = replica.createStatement()) {
            for (String statement : sql) {
                st.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long count(String sql) {
        try (Connection replica = DriverManager.getConnection(SERVER + NAME, "postgres", "");
                Statement st = replica.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
