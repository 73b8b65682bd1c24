package io.eventsearch.search.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.search.cache.RedisGate;
import io.eventsearch.storage.CatalogueVersion;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Token buckets per client, shared by every instance through Redis: one atomic Lua script refills and takes a
 * token in one step, on Redis' clock. Redis is an optimisation here too: a call slower than the timeout, or any
 * failure, is decided by a local bucket instead, Redis is left alone for a while (the same back-off as the search
 * cache), and one log line says when it goes and one when it comes back. Local buckets are per instance, so while
 * Redis is out a client may get up to one capacity per instance.
 */
@ApplicationScoped
public class RateLimiter {

    /**
     * KEYS[1]: the bucket (a hash: tokens, last refill in ms). ARGV: capacity, refill per ms. Returns {allowed,
     * ms until one token}. A missing bucket is a full one; the key expires once it would be full again.
     */
    static final String SCRIPT = """
            local capacity = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2])
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(state[1])
            local at = tonumber(state[2])
            if tokens == nil or at == nil then
              tokens = capacity
              at = now
            end
            tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
            local allowed = 0
            local wait = 0
            if tokens >= 1 then
              tokens = tokens - 1
              allowed = 1
            else
              wait = math.ceil((1 - tokens) / rate)
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.min(math.ceil((capacity - tokens) / rate) + 1000, 604800000))
            return {allowed, wait}
            """;
    static final String SCRIPT_SHA = sha1(SCRIPT);

    /** What a limiter needs to know; from {@code events.rate-limit.*}. */
    public record Settings(int capacity, double refillPerSecond, boolean redis, Duration redisTimeout,
            Duration redisRetryAfter, int localMaxClients) {

        public Settings {
            if (capacity < 1 || !(refillPerSecond > 0)) {
                throw new IllegalArgumentException("events.rate-limit: capacity must be >= 1 and refill-per-second > 0");
            }
        }

        static Settings of(EventSearchConfig.RateLimit config) {
            return new Settings(config.capacity(), config.refillPerSecond(), config.redis(), config.redisTimeout(),
                    config.redisRetryAfter(), config.localMaxClients());
        }
    }

    /** A client's request is allowed, or denied with the time until a token is back. */
    public record Decision(boolean allowed, long retryAfterMillis) {
        static final Decision ALLOWED = new Decision(true, 0);

        static Decision denied(long retryAfterMillis) {
            return new Decision(false, retryAfterMillis);
        }
    }

    private final Redis redis;
    private final Settings settings;
    private final Supplier<String> namespace;
    private final LocalBuckets local;
    private final String capacityArg;
    private final String ratePerMilliArg;
    private final RedisGate gate;
    private volatile String keyPrefix;

    @Inject
    public RateLimiter(Redis redis, EventSearchConfig config, CatalogueVersion catalogue) {
        // the database epoch keeps the buckets of deployments (or test databases) sharing one Redis apart
        this(redis, Settings.of(config.rateLimit()), catalogue::epoch);
    }

    public RateLimiter(Redis redis, Settings settings, Supplier<String> namespace) {
        this.redis = redis;
        this.settings = settings;
        this.namespace = namespace;
        this.local = new LocalBuckets(settings);
        this.gate = new RedisGate("rate limit", "deciding with local buckets", settings.redisRetryAfter());
        this.capacityArg = Integer.toString(settings.capacity());
        this.ratePerMilliArg = String.format(Locale.ROOT, "%.12f", settings.refillPerSecond() / 1000.0);
    }

    /** Takes a token for the client (an opaque, bounded identity such as {@code a:127.0.0.1}). */
    public Uni<Decision> acquire(String client) {
        if (!settings.redis() || !gate.tryEnter()) {
            return Uni.createFrom().item(local.acquire(client));
        }
        String key = keyPrefix() + client;
        return redis.send(script(Command.EVALSHA, SCRIPT_SHA, key))
                // the script is not cached on this server yet (first call, restart, failover): send it whole once
                .onFailure(RateLimiter::noScript).recoverWithUni(() -> redis.send(script(Command.EVAL, SCRIPT, key)))
                .ifNoItem().after(settings.redisTimeout()).fail()
                .map(response -> {
                    gate.succeeded();
                    return response.get(0).toInteger() == 1 ? Decision.ALLOWED
                            : Decision.denied(Math.max(1, response.get(1).toLong()));
                })
                .onFailure().recoverWithItem(failure -> {
                    gate.failed(failure);
                    return local.acquire(client);
                });
    }

    /** Whether Redis decides right now (configured and not in a failure back-off). */
    public boolean usingRedis() {
        return settings.redis() && gate.up();
    }

    private Request script(Command command, String script, String key) {
        return Request.cmd(command).arg(script).arg(1).arg(key).arg(capacityArg).arg(ratePerMilliArg);
    }

    private String keyPrefix() {
        String prefix = keyPrefix;
        if (prefix == null) {
            String ns = namespace.get();
            prefix = "es:rl:" + ns + ':';
            if (!ns.isEmpty()) {
                keyPrefix = prefix;
            }
        }
        return prefix;
    }

    private static boolean noScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
