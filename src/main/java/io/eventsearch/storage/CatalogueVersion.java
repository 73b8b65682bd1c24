package io.eventsearch.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * This instance's view of the catalogue's data version, which is part of every search cache key. It moves forward
 * when this instance commits a sync, when PostgreSQL notifies a commit by another instance (LISTEN), and, as a
 * safety net for a missed notification, when a periodic check or a search answer shows a newer version.
 */
@ApplicationScoped
public class CatalogueVersion {

    public static final String CHANNEL = "catalogue_changed";
    private static final Logger LOG = Logger.getLogger(CatalogueVersion.class);
    private static final String CURRENT = "SELECT data_version, changed_at, epoch FROM catalogue_state";
    /** The safety net for a missed notification: how often the database's version is read. */
    private static final Duration POLL = Duration.ofSeconds(1);

    private final AtomicReference<DataVersion> current = new AtomicReference<>(new DataVersion(0, Instant.EPOCH));
    private final java.util.List<java.util.function.Consumer<DataVersion>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Pool pool;
    private final Vertx vertx;
    private final DirectConnections connections;
    private volatile String epoch = "";
    private PgSubscriber subscriber;
    private long pollTimer = -1;

    public CatalogueVersion(Pool pool, Vertx vertx, DirectConnections connections) {
        this.pool = pool;
        this.vertx = vertx;
        this.connections = connections;
    }

    void start(@Observes StartupEvent event) {
        refresh().await().atMost(Duration.ofSeconds(30));
        subscriber = PgSubscriber.subscriber(vertx, connections.options("event-search-listen"))
                .reconnectPolicy(retries -> 1000L);
        subscriber.channel(CHANNEL).handler(payload -> {
            try {
                advance(DataVersion.decode(payload));
            } catch (RuntimeException e) {
                LOG.warnf("ignoring malformed %s notification '%s'", CHANNEL, payload);
            }
        });
        subscriber.closeHandler(() -> LOG.warn("catalogue change notifications stopped; relying on periodic checks"));
        subscriber.connect().subscribe().with(
                ok -> LOG.debug("listening for catalogue changes"),
                failure -> LOG.warnf("cannot LISTEN for catalogue changes (%s); relying on periodic checks",
                        failure.getMessage()));
        pollTimer = vertx.setPeriodic(POLL.toMillis(), id -> refresh().subscribe().with(v -> {
        }, failure -> LOG.debugf("catalogue version check failed: %s", failure.getMessage())));
    }

    @PreDestroy
    void stop() {
        if (pollTimer >= 0) {
            vertx.cancelTimer(pollTimer);
        }
        if (subscriber != null) {
            subscriber.closeAndForget();
        }
    }

    public DataVersion current() {
        return current.get();
    }

    /** Identifies the database the versions count in (fixed at its creation); part of cache keys. */
    public String epoch() {
        return epoch;
    }

    /** Moves forward only; an older or equal version is ignored. Listeners hear of each newer version. */
    public void advance(DataVersion version) {
        DataVersion before = current.getAndAccumulate(version,
                (now, candidate) -> candidate.version() > now.version() ? candidate : now);
        if (version.version() > before.version()) {
            listeners.forEach(listener -> listener.accept(version));
        }
    }

    /** What shows a version to searches (the read model), when one does: see {@link #awaitShown}. */
    public interface Shower {
        /** Blocks until searches show at least {@code version}, or for at most {@code max}. */
        void awaitShown(long version, Duration max);
    }

    private volatile Shower shower;

    public void shownBy(Shower value) {
        shower = value;
    }

    /**
     * Blocking (worker threads only): returns once this instance's searches show {@code version} or a newer one,
     * or after {@code max}. A sync waits for it, so what it committed is what the next search here sees.
     */
    public void awaitShown(long version, Duration max) {
        Shower s = shower;
        if (s != null) {
            s.awaitShown(version, max);
        }
    }

    /** Called with every newer version this instance learns of (its own commits, notifications, checks). */
    public void onAdvance(java.util.function.Consumer<DataVersion> listener) {
        listeners.add(listener);
    }

    /** Reads the version from the database and advances to it. */
    public Uni<DataVersion> refresh() {
        return pool.query(CURRENT).execute().map(rows -> {
            Row row = rows.iterator().next();
            epoch = row.getUUID(2).toString().substring(0, 8);
            advance(new DataVersion(row.getLong(0), row.getOffsetDateTime(1).toInstant()));
            return current();
        });
    }
}
