package io.eventsearch.search.cache;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.resilience.DependencyGate;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * The shared layer of the search cache: ready JSON bytes in Redis under keys that carry the data version, so the
 * fleet shares one database query per window per sync. Redis is an optimisation, never a dependency: a call
 * slower than the timeout is abandoned, and after a failure Redis is left alone for a while (the in-process
 * cache and PostgreSQL answer meanwhile; see {@link DependencyGate}, named {@value #GATE}).
 */
@ApplicationScoped
public class RedisAnswerCache {

    private static final Logger LOG = Logger.getLogger(RedisAnswerCache.class);
    /** The gate's name: the {@code method} tag of its {@code ft.*} metrics. */
    public static final String GATE = "redis-search-cache";

    private final Redis redis;
    private final boolean enabled;
    private final Duration timeout;
    private final String ttlMillis;
    private final String hosts;
    private final DependencyGate gate;

    public RedisAnswerCache(Redis redis, EventSearchConfig config,
            @ConfigProperty(name = "quarkus.redis.hosts", defaultValue = "redis://localhost:6379") String hosts) {
        EventSearchConfig.Search.Cache cache = config.search().cache();
        this.redis = redis;
        this.enabled = cache.redis();
        this.timeout = cache.redisTimeout();
        this.ttlMillis = Long.toString(cache.ttl().toMillis());
        this.hosts = hosts.replaceAll("//[^@/]*@", "//***@");
        this.gate = new DependencyGate(GATE, "search cache (Redis at " + this.hosts + ")",
                "answers come from the in-process cache and PostgreSQL", cache.redisRetryAfter());
    }

    void checkAtStartup(@Observes StartupEvent event) {
        if (!enabled) {
            LOG.info("search cache: in-process only (events.search.cache.redis=false)");
            return;
        }
        gate.call(Duration.ofSeconds(2), () -> redis.send(Request.cmd(Command.PING)))
                .subscribe().with(
                        ok -> LOG.infof("search cache: in-process near cache + Redis at %s", hosts),
                        RedisAnswerCache::ignore);
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean healthy() {
        return enabled && gate.up();
    }

    /** A lookup: the cached bytes, null on a miss, or {@link #SKIPPED} when Redis is not used right now. */
    public Uni<byte[]> get(String key) {
        if (!enabled || gate.backingOff()) {
            return Uni.createFrom().item(SKIPPED);
        }
        return gate.call(timeout, () -> redis.send(Request.cmd(Command.GET).arg(key)))
                .map(response -> response == null ? null : response.toBytes())
                .onFailure().recoverWithItem(SKIPPED);
    }

    /** What {@link #get} answers when Redis was not asked or did not answer in time (compare by identity). */
    public static final byte[] SKIPPED = new byte[0];

    /** Stores the bytes with the configured TTL; fire and forget. */
    public void put(String key, byte[] body) {
        if (!enabled || !gate.up()) {
            return;
        }
        gate.call(timeout.multipliedBy(4),
                () -> redis.send(Request.cmd(Command.SET).arg(key).arg(Buffer.buffer(body)).arg("PX").arg(ttlMillis)))
                .subscribe().with(RedisAnswerCache::ignore, RedisAnswerCache::ignore);
    }

    /** A round trip to Redis through the gate, for health checks: fails while the gate skips Redis. */
    public Uni<Response> ping() {
        return gate.call(Duration.ofSeconds(1), () -> redis.send(Request.cmd(Command.PING)));
    }

    private static void ignore(Object ignored) {
    }
}
