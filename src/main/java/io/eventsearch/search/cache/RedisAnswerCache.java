package io.eventsearch.search.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
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
 * cache and PostgreSQL answer meanwhile), with one log line when it goes and one when it comes back.
 */
@ApplicationScoped
public class RedisAnswerCache {

    private static final Logger LOG = Logger.getLogger(RedisAnswerCache.class);

    private final Redis redis;
    private final boolean enabled;
    private final Duration timeout;
    private final long retryAfterMillis;
    private final String ttlMillis;
    private final String hosts;
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile long retryAt;

    public RedisAnswerCache(Redis redis, EventSearchConfig config,
            @ConfigProperty(name = "quarkus.redis.hosts", defaultValue = "redis://localhost:6379") String hosts) {
        EventSearchConfig.Search.Cache cache = config.search().cache();
        this.redis = redis;
        this.enabled = cache.redis();
        this.timeout = cache.redisTimeout();
        this.retryAfterMillis = cache.redisRetryAfter().toMillis();
        this.ttlMillis = Long.toString(cache.ttl().toMillis());
        this.hosts = hosts.replaceAll("//[^@/]*@", "//***@");
    }

    void checkAtStartup(@Observes StartupEvent event) {
        if (!enabled) {
            LOG.info("search cache: in-process only (events.search.cache.redis=false)");
            return;
        }
        redis.send(Request.cmd(Command.PING)).ifNoItem().after(Duration.ofSeconds(2)).fail()
                .subscribe().with(
                        ok -> LOG.infof("search cache: in-process near cache + Redis at %s", hosts),
                        failure -> markDown(failure));
    }

    /** Whether Redis is being used right now (configured and not in a failure back-off). */
    public boolean available() {
        return enabled && (!down.get() || System.currentTimeMillis() >= retryAt);
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean healthy() {
        return enabled && !down.get();
    }

    /** The cached bytes, or null on a miss, when Redis is unavailable, or when it is too slow. */
    public Uni<byte[]> get(String key) {
        if (!available()) {
            return Uni.createFrom().nullItem();
        }
        return redis.send(Request.cmd(Command.GET).arg(key))
                .ifNoItem().after(timeout).fail()
                .map(response -> {
                    markUp();
                    return response == null ? null : response.toBytes();
                })
                .onFailure().recoverWithItem(failure -> {
                    markDown(failure);
                    return null;
                });
    }

    /** Stores the bytes with the configured TTL; fire and forget. */
    public void put(String key, byte[] body) {
        if (!available()) {
            return;
        }
        redis.send(Request.cmd(Command.SET).arg(key).arg(Buffer.buffer(body)).arg("PX").arg(ttlMillis))
                .ifNoItem().after(timeout.multipliedBy(4)).fail()
                .subscribe().with(RedisAnswerCache::ignore, this::markDown);
    }

    /** A round trip to Redis, for health checks. */
    public Uni<Response> ping() {
        return redis.send(Request.cmd(Command.PING)).ifNoItem().after(Duration.ofSeconds(1)).fail()
                .invoke(this::markUp).onFailure().invoke(this::markDown);
    }

    private void markDown(Throwable failure) {
        retryAt = System.currentTimeMillis() + retryAfterMillis;
        if (down.compareAndSet(false, true)) {
            LOG.warnf("Redis at %s unreachable (%s): search is served from the in-process cache and PostgreSQL; "
                    + "retrying every %d ms", hosts, failure.getMessage(), retryAfterMillis);
        }
    }

    private void markUp() {
        if (down.compareAndSet(true, false)) {
            LOG.infof("Redis at %s reachable again: shared search cache back in use", hosts);
        }
    }

    private static void ignore(Object ignored) {
    }
}
