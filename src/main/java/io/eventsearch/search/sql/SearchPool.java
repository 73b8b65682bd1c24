package io.eventsearch.search.sql;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.resilience.DependencyGate;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Where search reads: the {@code replica} reactive datasource when one is configured (its URL set, see
 * docs/architecture.md "Read replicas"), else the primary. Ingestion, migrations, the data version and leadership
 * always use the primary. A lagging replica is safe: the search queries return the data version of the snapshot
 * they read, and an answer older than the version in its cache key is served but not cached.
 *
 * <p>A replica that fails a query the primary then answers (unreachable, restarting, a recovery conflict, or no
 * answer within {@code events.search.replica-timeout}) is left alone for {@code events.search.replica-retry-after}
 * (its {@link DependencyGate}, named {@value #GATE}): search reads the primary meanwhile, then one statement tries
 * the replica again. So a replica outage costs capacity on the primary, never answers.
 */
@ApplicationScoped
public class SearchPool {

    public static final String REPLICA = "replica";
    /** The replica's gate: the {@code method} tag of its {@code ft.*} metrics. */
    public static final String GATE = "search-replica";
    private static final Logger LOG = Logger.getLogger(SearchPool.class);

    private final Pool primary;
    private final Pool replica;
    private final Duration timeout;
    private final String snapshotSettings;
    private final DependencyGate gate;

    public SearchPool(Pool primary, @ReactiveDataSource(REPLICA) InjectableInstance<Pool> replica,
            EventSearchConfig config) {
        // an inactive datasource (no URL configured) is not listed: static injection of it would fail start-up
        List<Pool> active = replica.listActive();
        this.primary = primary;
        this.replica = active.isEmpty() ? null : active.get(0);
        this.timeout = config.search().replicaTimeout();
        // a statement of the read model that runs away (a plan gone wrong on tables not analysed yet) fails, and the
        // model tries again, instead of holding a connection, and the process's shutdown, for as long as it runs
        this.snapshotSettings = "SET LOCAL statement_timeout = " + config.search().readModel().statementTimeout().toMillis();
        this.gate = new DependencyGate(GATE, "search: the read replica", "reading from the primary",
                config.search().replicaRetryAfter());
        LOG.infof("search reads from %s", this.replica != null ? "the read replica (datasource 'replica')" : "the primary");
    }

    /** Runs a search statement on the replica (or the primary, without one or while the replica is failing). */
    public Uni<RowSet<Row>> query(String sql, Tuple params) {
        if (replica == null || gate.backingOff()) {
            return primary.preparedQuery(sql).execute(params);
        }
        // a replica that hangs (no refusal, no answer) must not hold requests: give up and ask the primary
        return gate.callOr(timeout, () -> replica.preparedQuery(sql).execute(params),
                () -> primary.preparedQuery(sql).execute(params));
    }

    /**
     * Runs several statements on one snapshot (a read-only REPEATABLE READ transaction, each statement bounded by
     * {@code events.search.read-model.statement-timeout}) of the replica, or of the primary without one or while
     * the replica fails: how the read model loads and moves on.
     */
    public <T> Uni<T> inSnapshot(Function<SqlConnection, Uni<T>> work) {
        if (replica == null || gate.backingOff()) {
            return snapshotOn(primary, work);
        }
        return gate.callOr(timeout.multipliedBy(10), () -> snapshotOn(replica, work), () -> snapshotOn(primary, work));
    }

    private <T> Uni<T> snapshotOn(Pool pool, Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute().flatMap(ignored -> conn.query(snapshotSettings).execute())
                .flatMap(ignored -> work.apply(conn)));
    }

    /** Probes the replica (health checks): true when it answers a trivial query; the gate is left as it is. */
    public Uni<Boolean> replicaReachable() {
        if (replica == null) {
            return Uni.createFrom().item(false);
        }
        return gate.timed(timeout, () -> replica.query("SELECT 1").execute()).map(rows -> true)
                .onFailure().recoverWithItem(false);
    }

    public boolean replica() {
        return replica != null;
    }

    /** Whether search currently reads the replica: configured, and not failing. */
    public boolean readingReplica() {
        return replica != null && gate.up();
    }
}
