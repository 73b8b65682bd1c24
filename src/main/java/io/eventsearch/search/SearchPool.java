package io.eventsearch.search;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.arc.InjectableInstance;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Where search reads: the {@code replica} reactive datasource when one is configured (its URL set, see README
 * "Read replicas"), else the primary. Ingestion, migrations, the data version and leadership always use the
 * primary. A lagging replica is safe: the search query returns the data version of the snapshot it read, and an
 * answer older than the version in its cache key is served but not cached.
 */
@ApplicationScoped
public class SearchPool {

    public static final String REPLICA = "replica";
    private static final Logger LOG = Logger.getLogger(SearchPool.class);

    private final Pool pool;
    private final boolean replica;

    public SearchPool(Pool primary, @ReactiveDataSource(REPLICA) InjectableInstance<Pool> replica) {
        // an inactive datasource (no URL configured) is not listed: static injection of it would fail start-up
        List<Pool> active = replica.listActive();
        this.replica = !active.isEmpty();
        this.pool = this.replica ? active.get(0) : primary;
        LOG.infof("search reads from %s", this.replica ? "the read replica (datasource 'replica')" : "the primary");
    }

    public Pool pool() {
        return pool;
    }

    public boolean replica() {
        return replica;
    }
}
