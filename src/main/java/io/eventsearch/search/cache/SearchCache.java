package io.eventsearch.search.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.storage.DataVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.smallrye.mutiny.Uni;

/**
 * Search answers in two layers in front of PostgreSQL: an in-process near cache (Caffeine, bounded by bytes) and
 * Redis. Keys carry the data version, so an answer is valid for as long as it is kept and a sync makes the old
 * ones unreachable at once. Concurrent misses for one key on this instance share one load (no stampede): the
 * near cache holds the in-flight future.
 */
@ApplicationScoped
public class SearchCache {

    /**
     * An answer: the bytes, the data version they show (for ETag and freshness headers), and whether they may be
     * kept (false for an answer read from a snapshot other than the key's, such as a lagging replica's).
     */
    public static final class Loaded {
        private final byte[] body;
        private final ResponseBody.Composed composed;
        private final DataVersion version;
        private final boolean cacheable;
        /** Set at the second answer with these bytes: from then on they are written without a copy. */
        private volatile ResponseBody.Shared shared;
        private volatile boolean answeredOnce;

        public Loaded(byte[] body, DataVersion version, boolean cacheable) {
            this(body, null, version, cacheable);
        }

        private Loaded(byte[] body, ResponseBody.Composed composed, DataVersion version, boolean cacheable) {
            this.body = body;
            this.composed = composed;
            this.version = version;
            this.cacheable = cacheable;
        }

        /** An answer made in memory, written straight into the response buffer (no byte array of its own). */
        public static Loaded composed(ResponseBody.Composed body, DataVersion version) {
            return new Loaded(null, body, version, true);
        }

        public byte[] body() {
            return body != null ? body : composed.bytes();
        }

        public DataVersion version() {
            return version;
        }

        public boolean cacheable() {
            return cacheable;
        }

        int size() {
            return body != null ? body.length : composed.size();
        }

        /** The same answer as bytes of its own, to be kept. */
        Loaded kept() {
            return body != null ? this : new Loaded(composed.bytes(), version, cacheable);
        }

        /**
         * What to write as the response body: the bytes the first time (RESTEasy copies them into a pooled
         * buffer), then one read-only off-heap copy shared by every later answer, which the server writes to the
         * socket without copying it again (a cached answer is typically sent thousands of times). An answer made
         * for one request is written straight into its response buffer.
         */
        public Object entity() {
            if (composed != null) {
                return composed;
            }
            ResponseBody.Shared s = shared;
            if (s != null) {
                return s;
            }
            if (!answeredOnce || !cacheable) {
                answeredOnce = true;
                return body;
            }
            synchronized (this) {
                if (shared == null) {
                    shared = ResponseBody.Shared.of(body);
                }
                return shared;
            }
        }
    }

    /** Answers made in memory are kept only from their second request on, and only up to this size. */
    private static final int KEEP_AT_MOST = 1 << 20;

    private final AsyncCache<String, Loaded> near;
    private final Doorkeeper askedOnce = new Doorkeeper(1 << 14);
    private final RedisAnswerCache redis;
    private final Counter nearHits;
    private final Counter nearMisses;
    private final Counter redisHits;
    private final Counter redisMisses;
    private final Counter databaseLoads;

    public SearchCache(EventSearchConfig config, RedisAnswerCache redis, MeterRegistry registry) {
        EventSearchConfig.Search.Cache cache = config.search().cache();
        this.redis = redis;
        this.near = Caffeine.newBuilder()
                .expireAfterWrite(cache.ttl().toMillis(), TimeUnit.MILLISECONDS)
                .maximumWeight(cache.nearMaxSize().asLongValue())
                .weigher((String key, Loaded value) -> key.length() + value.size())
                .recordStats()
                .buildAsync();
        CaffeineCacheMetrics.monitor(registry, near, "search-near");
        this.nearHits = counter(registry, "near", "hit");
        this.nearMisses = counter(registry, "near", "miss");
        this.redisHits = counter(registry, "redis", "hit");
        this.redisMisses = counter(registry, "redis", "miss");
        this.databaseLoads = counter(registry, "database", "load");
    }

    static Counter counter(MeterRegistry registry, String layer, String result) {
        return Counter.builder("events.search.cache").description("Search cache lookups by layer and result")
                .tags("layer", layer, "result", result).register(registry);
    }

    /**
     * The answer under {@code key}, which must carry {@code version}: from the near cache, Redis (whose bytes are
     * then known to show {@code version}) or the database loader.
     */
    public Uni<Loaded> get(String key, DataVersion version, Supplier<Uni<Loaded>> database) {
        return get(key, () -> fromRedisOrDatabase(key, version, database));
    }

    /**
     * The answer under {@code key} from the near cache, or else from {@code local}: for answers an instance makes
     * more cheaply than a Redis round trip would fetch them (windows assembled from {@link DaySliceCache}).
     */
    public Uni<Loaded> getNear(String key, Supplier<Uni<Loaded>> local) {
        return get(key, local);
    }

    /**
     * An answer made in memory at once (the read model's): from the near cache, or else made now. It is kept only
     * when its key was asked for before (and it is at most {@link #KEEP_AT_MOST} bytes), so the popular answers
     * are kept and sent without a copy while one-off windows never fill the cache: they are written straight
     * into the response and leave nothing behind for the garbage collector to move.
     */
    public Loaded fromMemory(String key, Supplier<Loaded> make) {
        CompletableFuture<Loaded> present = near.getIfPresent(key);
        if (present != null && present.isDone() && !present.isCompletedExceptionally()) {
            nearHits.increment();
            return present.join();
        }
        nearMisses.increment();
        Loaded made = make.get();
        if (made.size() <= KEEP_AT_MOST && askedOnce.admit(key)) {
            Loaded kept = made.kept();
            near.put(key, CompletableFuture.completedFuture(kept));
            return kept;
        }
        return made;
    }

    /**
     * Remembers the keys asked for once, to admit a key at its second request: one hash per slot of a fixed table,
     * no allocation and no lock (a lost race or a collision only delays or hastens one admission). A one-off
     * window costs a hash and a store, where a cache of keys cost a map write per request.
     */
    static final class Doorkeeper {
        private final long[] seen;
        private final int mask;

        Doorkeeper(int slots) {
            seen = new long[slots];
            mask = slots - 1;
        }

        /** True when the key was seen before (it is forgotten then), else remembers it. */
        boolean admit(String key) {
            long hash = hash(key);
            int slot = (int) (hash >>> 40) & mask;
            if (seen[slot] == hash) {
                seen[slot] = 0;
                return true;
            }
            seen[slot] = hash;
            return false;
        }

        private static long hash(String key) {
            long h = 0x9E3779B97F4A7C15L;
            for (int i = 0; i < key.length(); i++) {
                h = (h ^ key.charAt(i)) * 0x100000001B3L;
            }
            return (h ^ (h >>> 29)) | 1; // never 0, the empty slot
        }
    }

    private Uni<Loaded> get(String key, Supplier<Uni<Loaded>> below) {
        CompletableFuture<Loaded> present = near.getIfPresent(key);
        if (present != null) {
            nearHits.increment();
            return present.isDone() && !present.isCompletedExceptionally()
                    ? Uni.createFrom().item(present.join())
                    : Uni.createFrom().completionStage(present);
        }
        nearMisses.increment();
        // The load starts outside the map's lock (an answer assembled from memory completes at once, and must not
        // run inside a compute); a concurrent miss finds this future and shares it.
        CompletableFuture<Loaded> loading = new CompletableFuture<>();
        CompletableFuture<Loaded> raced = near.asMap().putIfAbsent(key, loading);
        if (raced != null) {
            return Uni.createFrom().completionStage(raced);
        }
        Uni.createFrom().<Loaded>deferred(below::get).subscribe().with(loaded -> {
            if (!loaded.cacheable()) {
                near.asMap().remove(key, loading);
            }
            loading.complete(loaded);
        }, failure -> {
            near.asMap().remove(key, loading);
            loading.completeExceptionally(failure);
        });
        return Uni.createFrom().completionStage(loading);
    }

    private Uni<Loaded> fromRedisOrDatabase(String key, DataVersion version, Supplier<Uni<Loaded>> database) {
        return redis.get(key).flatMap(bytes -> {
            if (bytes == RedisAnswerCache.SKIPPED) {
                return load(key, database);
            }
            if (bytes != null) {
                redisHits.increment();
                return Uni.createFrom().item(new Loaded(bytes, version, true));
            }
            redisMisses.increment();
            return load(key, database);
        });
    }

    private Uni<Loaded> load(String key, Supplier<Uni<Loaded>> database) {
        databaseLoads.increment();
        return database.get().invoke(loaded -> {
            if (loaded.cacheable()) {
                redis.put(key, loaded.body());
            }
        });
    }

    /** Drops every in-process answer (tests, operators). Redis entries age out by TTL. */
    public void clearNear() {
        near.synchronous().invalidateAll();
    }
}
