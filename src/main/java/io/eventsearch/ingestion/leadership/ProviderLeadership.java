package io.eventsearch.ingestion.leadership;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.eventsearch.storage.AdvisoryLocks;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Which providers this instance leads. Leadership of a provider is a PostgreSQL session advisory lock
 * {@code (LEADER, provider_id)} held on one dedicated, unpooled connection: a pooled connection would carry the
 * lock back into the pool. When that connection closes or breaks, every leadership is dropped at once (the server
 * releases the locks when the session ends, so another instance can take them at its next tick).
 *
 * <p>Leadership is sticky between ticks, and shared fairly: an instance takes a provider only while it leads fewer
 * than its share ({@code ceil(providers / live instances)}), and gives one back per tick while it leads more, so
 * N instances converge on sharing M providers. Live instances are counted from the leader connections'
 * {@code application_name} in {@code pg_stat_activity}.
 *
 * <p>The sync itself is also fenced by a transaction lock (see {@link AdvisoryLocks#SYNC_FENCE}), so even a leader
 * that lost its session without noticing yet cannot write at the same time as its successor.
 */
public class ProviderLeadership {

    private static final Logger LOG = Logger.getLogger(ProviderLeadership.class);
    /** Kept short: PostgreSQL truncates application_name at 63 bytes. */
    public static final String APPLICATION_PREFIX = "es-leader/";

    private static final String TRY_LOCK = "SELECT pg_try_advisory_lock($1, $2)";
    private static final String UNLOCK = "SELECT pg_advisory_unlock($1, $2)";
    private static final String STILL_HELD = """
            SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
                           AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 2 AND granted)
            """;
    private static final String LIVE_INSTANCES = """
            SELECT count(DISTINCT application_name) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'es-leader/%'
            """;

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final String instanceId;
    private final Set<Integer> held = ConcurrentHashMap.newKeySet();
    private volatile PgConnection connection;
    private Uni<PgConnection> connecting;

    public ProviderLeadership(Vertx vertx, PgConnectOptions options, String instanceId) {
        this.vertx = vertx;
        this.options = options;
        this.instanceId = instanceId;
    }

    /** What happened at a leadership check. */
    public enum Decision {
        /** This instance led the provider already and still does. */
        KEPT,
        /** This instance just became the provider's leader. */
        ACQUIRED,
        /** Another instance leads it, or this instance is at its fair share. */
        NOT_LEADER,
        /** This instance led it and gave it back to rebalance. */
        RELEASED
    }

    /**
     * Checks or takes leadership of a provider. {@code providers} is how many providers the fleet shares, for the
     * fair-share rule. Fails when the database is unreachable (then this instance leads nothing).
     */
    public Uni<Decision> check(int providerId, int providers) {
        return connection().flatMap(conn -> {
            if (held.contains(providerId)) {
                return conn.preparedQuery(STILL_HELD).execute(Tuple.of(AdvisoryLocks.LEADER, providerId))
                        .flatMap(rows -> {
                            if (!rows.iterator().next().getBoolean(0)) {
                                held.remove(providerId);
                                LOG.warnf("lost leadership of provider %d", providerId);
                                return Uni.createFrom().item(Decision.NOT_LEADER);
                            }
                            return fairShare(conn, providers).flatMap(share -> held.size() > share
                                    ? release(providerId).replaceWith(Decision.RELEASED)
                                    : Uni.createFrom().item(Decision.KEPT));
                        });
            }
            return fairShare(conn, providers).flatMap(share -> {
                if (held.size() >= share) {
                    return Uni.createFrom().item(Decision.NOT_LEADER);
                }
                return conn.preparedQuery(TRY_LOCK).execute(Tuple.of(AdvisoryLocks.LEADER, providerId)).map(rows -> {
                    if (rows.iterator().next().getBoolean(0)) {
                        held.add(providerId);
                        LOG.infof("instance %s now leads provider %d", instanceId, providerId);
                        return Decision.ACQUIRED;
                    }
                    return Decision.NOT_LEADER;
                });
            });
        });
    }

    public boolean leads(int providerId) {
        return held.contains(providerId);
    }

    public Set<Integer> held() {
        return Set.copyOf(held);
    }

    public String instanceId() {
        return instanceId;
    }

    public Uni<Void> release(int providerId) {
        PgConnection conn = connection;
        if (!held.remove(providerId) || conn == null) {
            return Uni.createFrom().voidItem();
        }
        LOG.infof("instance %s gives up leadership of provider %d", instanceId, providerId);
        return conn.preparedQuery(UNLOCK).execute(Tuple.of(AdvisoryLocks.LEADER, providerId)).replaceWithVoid()
                .onFailure().recoverWithUni(e -> close());
    }

    /** Gives up every leadership: closing the session releases all its locks at once. */
    public Uni<Void> close() {
        PgConnection conn = connection;
        connection = null;
        if (!held.isEmpty()) {
            LOG.infof("instance %s releases leadership of providers %s", instanceId, held);
        }
        held.clear();
        return conn == null ? Uni.createFrom().voidItem() : conn.close().onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Integer> fairShare(PgConnection conn, int providers) {
        return conn.query(LIVE_INSTANCES).execute().map(rows -> {
            long instances = Math.max(1, rows.iterator().next().getLong(0));
            return (int) Math.max(1, (providers + instances - 1) / instances);
        });
    }

    private synchronized Uni<PgConnection> connection() {
        PgConnection current = connection;
        if (current != null) {
            return Uni.createFrom().item(current);
        }
        if (connecting == null) {
            PgConnectOptions named = new PgConnectOptions(options);
            named.getProperties().put("application_name", APPLICATION_PREFIX + instanceId);
            connecting = PgConnection.connect(vertx, named)
                    .invoke(conn -> {
                        conn.closeHandler(() -> onClosed(conn));
                        conn.exceptionHandler(e -> LOG.warnf("leader connection error: %s", e.getMessage()));
                        synchronized (this) {
                            connection = conn;
                            connecting = null;
                        }
                    })
                    .onFailure().invoke(() -> {
                        synchronized (this) {
                            connecting = null;
                        }
                    })
                    .memoize().indefinitely();
        }
        return connecting;
    }

    private void onClosed(PgConnection conn) {
        synchronized (this) {
            if (connection != conn) {
                return;
            }
            connection = null;
        }
        if (!held.isEmpty()) {
            LOG.warnf("leader connection closed: instance %s no longer leads providers %s", instanceId, held);
        }
        held.clear();
    }
}
