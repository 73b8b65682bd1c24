package io.eventsearch.search.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.resilience.DependencyGate;
import io.eventsearch.storage.DataVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The catalogue by UTC day, in process, for windows no longer than {@code events.search.slices.max-window}: a
 * window never asked before is assembled from the days it touches instead of being a query. Each day is read
 * once per data version (concurrent misses share one read), so a spread of distinct windows costs at most one
 * small query per day per sync on each instance. Keys carry the database epoch and the data version, like every
 * other cached answer; a day read from another version (a lagging replica, a sync not heard of yet) is not kept,
 * and the caller answers that window with its own query instead.
 */
@ApplicationScoped
public class DaySliceCache {

    private record Key(String epoch, long version, long day) {
    }

    /** Longest window allowed for {@code max-window}: a window's days are all held at once while it is assembled. */
    static final Duration MAX_WINDOW_LIMIT = Duration.ofDays(92);
    /** After a day read at another version, windows are one query each for this long (the gate's retry-after). */
    private static final Duration MISMATCH_BACK_OFF = Duration.ofSeconds(1);
    /** The gate's name: the {@code method} tag of its {@code ft.*} metrics. */
    public static final String GATE = "search-day-slices";

    private final boolean enabled;
    private final Duration maxWindow;
    private final AsyncCache<Key, DaySlice> days;
    private final Counter hits;
    private final Counter misses;
    private final Counter databaseLoads;
    private final AtomicLong newestVersion = new AtomicLong(Long.MIN_VALUE);
    private final DependencyGate gate;

    public DaySliceCache(EventSearchConfig config, MeterRegistry registry) {
        EventSearchConfig.Search.Slices slices = config.search().slices();
        this.enabled = slices.enabled();
        this.maxWindow = slices.maxWindow();
        if (maxWindow.compareTo(MAX_WINDOW_LIMIT) > 0) {
            throw new IllegalArgumentException("events.search.slices.max-window must be at most " + MAX_WINDOW_LIMIT.toDays()
                    + "d, got " + maxWindow);
        }
        this.days = Caffeine.newBuilder()
                .maximumWeight(slices.maxSize().asLongValue())
                .weigher((Key key, DaySlice slice) -> slice.weight())
                .recordStats()
                .buildAsync();
        CaffeineCacheMetrics.monitor(registry, days, "search-day-slices");
        this.hits = SearchCache.counter(registry, "slices", "hit");
        this.misses = SearchCache.counter(registry, "slices", "miss");
        this.databaseLoads = SearchCache.counter(registry, "database", "load");
        // a lagging replica is expected and heals itself: its gate logs at debug level only
        this.gate = new DependencyGate(GATE, "search: day slices", "windows are one query each", MISMATCH_BACK_OFF, true);
    }

    /**
     * Whether windows from {@code lower} to {@code upper} are answered from day slices: short enough, and no day
     * was read at another version than its key's in the last second (a lagging replica: its windows are then one
     * query each, instead of a query per day and one more for the window; the back-off is a {@link DependencyGate}
     * named {@value #GATE}).
     */
    public boolean covers(Instant lower, Instant upper) {
        return enabled && Duration.between(lower, upper).compareTo(maxWindow) <= 0
                && !gate.backingOff();
    }

    /**
     * The slices of the days {@code firstDay..lastDay}, every one read at {@code version}; empty when one was
     * read at another version (or, after one was, while the one window that tries slices again is under way).
     *
     * @param load reads one day (days since the epoch, UTC) from the database
     */
    public Uni<Optional<List<DaySlice>>> days(String epoch, DataVersion version, long firstDay, long lastDay,
            LongFunction<Uni<DaySlice>> load) {
        if (lastDay < firstDay) {
            return Uni.createFrom().item(Optional.of(List.of())); // an empty window inside one microsecond
        }
        dropOlderThan(version.version());
        int count = (int) (lastDay - firstDay + 1);
        // a day read at another version fails the call through the gate: slices are left alone for a while
        return gate.call(() -> {
            List<CompletableFuture<DaySlice>> pending = new ArrayList<>(count);
            for (long day = firstDay; day <= lastDay; day++) {
                pending.add(day(new Key(epoch, version.version(), day), load));
            }
            return Uni.createFrom().completionStage(CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)))
                    .map(done -> {
                        List<DaySlice> slices = new ArrayList<>(count);
                        for (CompletableFuture<DaySlice> slice : pending) {
                            if (slice.join().version().version() != version.version()) {
                                throw new VersionMismatch(slice.join().version().version(), version.version());
                            }
                            slices.add(slice.join());
                        }
                        return Optional.of(slices);
                    });
        }).onFailure(failure -> failure instanceof VersionMismatch || failure instanceof CircuitBreakerOpenException)
                .recoverWithItem(Optional.empty());
    }

    /** A day was read at another version than its key's (a lagging replica, a sync not heard of yet). */
    private static final class VersionMismatch extends RuntimeException {
        VersionMismatch(long read, long wanted) {
            super("a day read at version " + read + " instead of " + wanted, null, false, false);
        }
    }

    private CompletableFuture<DaySlice> day(Key key, LongFunction<Uni<DaySlice>> load) {
        CompletableFuture<DaySlice> present = days.getIfPresent(key);
        if (present != null) {
            hits.increment();
            return present;
        }
        misses.increment();
        CompletableFuture<DaySlice> loading = days.get(key, (k, executor) -> {
            databaseLoads.increment();
            return load.apply(k.day()).subscribeAsCompletionStage();
        });
        loading.thenAccept(slice -> {
            if (slice.version().version() != key.version()) {
                days.asMap().remove(key, loading);
            }
        });
        return loading;
    }

    /**
     * Once per new data version: the days of older versions can never be asked again, so they go now rather than
     * by eviction (which, frequency-based, would keep long-used old days and turn new ones away).
     */
    private void dropOlderThan(long version) {
        long newest = newestVersion.get();
        if (version > newest && newestVersion.compareAndSet(newest, version)) {
            days.asMap().keySet().removeIf(key -> key.version() < version);
        }
    }

    /** Drops every slice (tests, operators). */
    public void clear() {
        days.synchronous().invalidateAll();
    }
}
