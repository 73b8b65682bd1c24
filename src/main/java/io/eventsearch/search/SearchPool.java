package io.eventsearch.search;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Where search reads: the {@code replica} reactive datasource when one is configured (its URL set, see
 * docs/architecture.md "Read replicas"), else the primary. Ingestion, migrations, the data version and leadership
 * always use the primary. A lagging replica is safe: the search queries return the data version of the snapshot
 * they read, and an answer older than the version in its cache key is served but not cached.
 *
 * <p>A replica that fails a query the primary then answers (unreachable, restarting, a recovery conflict, or no
 * answer within {@code events.search.replica-timeout}) is left alone for {@code events.search.replica-retry-after}: search reads the primary meanwhile, then tries the replica
 * again. So a replica outage costs capacity on the primary, never answers.
 */
@ApplicationScoped
public class SearchPool {

    public static final String REPLICA = "replica";
    private static final Logger LOG = Logger.getLogger(SearchPool.class);

    private final Pool primary;
    private final Pool replica;
    private final long retryAfterMillis;
    private final Duration timeout;
    private volatile long replicaRetryAt;
    private volatile boolean replicaDown;

    public SearchPool(Pool primary, @ReactiveDataSource(REPLICA) InjectableInstance<Pool> replica,
            EventSearchConfig config) {
        // an inactive datasource (no URL configured) is not listed: static injection of it would fail start-up
        List<Pool> active = replica.listActive();
        this.primary = primary;
        this.replica = active.isEmpty() ? null : active.get(0);
        this.retryAfterMillis = config.search().replicaRetryAfter().toMillis();
        this.timeout = config.search().replicaTimeout();
        LOG.infof("search reads from %s", this.replica != null ? "the read replica (datasource 'replica')" : "the primary");
    }

    /** Runs a search statement on the replica (or the primary, without one or while the replica is failing). */
    public Uni<RowSet<Row>> query(String sql, Tuple params) {
        if (replica == null || System.currentTimeMillis() < replicaRetryAt) {
            return primary.preparedQuery(sql).execute(params);
        }
        return replica.preparedQuery(sql).execute(params)
                // a replica that hangs (no refusal, no answer) must not hold requests: give up and ask the primary
                .ifNoItem().after(timeout).fail()
                .invoke(this::replicaAnswered)
                .onFailure().recoverWithUni(failure -> primary.preparedQuery(sql).execute(params)
                        .invoke(rows -> replicaFailed(failure)));
    }

    private void replicaAnswered() {
        // a statement begun before an outage may answer late: the replica is back only once its back-off is over
        if (replicaDown && System.currentTimeMillis() >= replicaRetryAt) {
            replicaDown = false;
            LOG.info("search: the read replica answers again; reading from it");
        }
    }

    /** Only once the primary has answered the same statement: then the failure was the replica's own. */
    private void replicaFailed(Throwable failure) {
        replicaRetryAt = System.currentTimeMillis() + retryAfterMillis;
        if (!replicaDown) {
            replicaDown = true;
            LOG.warnf("search: the read replica failed (%s); reading from the primary, trying the replica again every %s",
                    failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage(),
                    Duration.ofMillis(retryAfterMillis));
        }
    }

    /**
     * Runs several statements on one snapshot (a read-only REPEATABLE READ transaction) of the replica, or of the
     * primary without one or while the replica fails: how the read model loads and moves on.
     */
    public <T> Uni<T> inSnapshot(java.util.function.Function<io.vertx.mutiny.sqlclient.SqlConnection, Uni<T>> work) {
        if (replica == null || System.currentTimeMillis() < replicaRetryAt) {
            return snapshotOn(primary, work);
        }
        return snapshotOn(replica, work)
                .ifNoItem().after(timeout.multipliedBy(10)).fail()
                .invoke(this::replicaAnswered)
                .onFailure().recoverWithUni(failure -> snapshotOn(primary, work).invoke(rows -> replicaFailed(failure)));
    }

    private static <T> Uni<T> snapshotOn(Pool pool,
            java.util.function.Function<io.vertx.mutiny.sqlclient.SqlConnection, Uni<T>> work) {
        return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute().flatMap(ignored -> work.apply(conn)));
    }

    /** Probes the replica (health checks): true when it answers a trivial query. */
    public Uni<Boolean> replicaReachable() {
        if (replica == null) {
            return Uni.createFrom().item(false);
        }
        return replica.query("SELECT 1").execute().map(rows -> true)
                .ifNoItem().after(timeout).recoverWithItem(false)
                .onFailure().recoverWithItem(false);
    }

    public boolean replica() {
        return replica != null;
    }

    /** Whether search currently reads the replica: configured, and not failing. */
    public boolean readingReplica() {
        return replica != null && !replicaDown;
    }
}
