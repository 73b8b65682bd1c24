package io.eventsearch.search.ratelimit;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.eventsearch.common.Digests;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.resilience.DependencyGate;
import io.eventsearch.storage.CatalogueVersion;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Token buckets per client, shared by every instance through Redis, without a Redis call per request. The bucket
 * lives in Redis; each instance takes tokens from it in leases (up to {@link Settings#lease()} at a time, by one
 * atomic Lua script on Redis' clock) and spends them locally with no I/O. When a client's local lease falls to
 * half, one renewal tops it up in the background; a request that finds the lease empty waits for that renewal
 * (at most the Redis timeout). A renewal that finds the shared bucket empty makes this instance deny the client
 * locally until the bucket has a token again. Tokens a client leaves unused on an instance (idle for
 * {@link Settings#leaseIdle()}, or evicted) go back to the shared bucket.
 *
 * <p>Bound: an instance never holds more than one lease of a client's tokens, and every token it spends came out
 * of the shared bucket, so over any period of t seconds a client gets at most capacity + refill x t + one lease
 * per instance. Redis is an optimisation here too: a call slower than the timeout, or any failure, leaves the
 * decision to a local bucket, Redis is left alone for a while (the same back-off as the search cache), and one log
 * line says when it goes and one when it comes back. While Redis is out a client may get up to one capacity plus
 * one lease per instance.
 */
@ApplicationScoped
public class RateLimiter {

    /**
     * KEYS[1]: the bucket (a hash: tokens, last refill in ms). ARGV: capacity, refill per ms, tokens wanted (a
     * negative number gives tokens back). Returns {tokens granted, ms until one token when none was}. A missing
     * bucket is a full one; the key expires once it would be full again.
     */
    static final String SCRIPT = """
            local capacity = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2])
            local want = tonumber(ARGV[3])
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
            local granted = 0
            local wait = 0
            if want < 0 then
              tokens = math.min(capacity, tokens - want)
            else
              granted = math.min(want, math.floor(tokens))
              tokens = tokens - granted
              if granted == 0 then
                wait = math.ceil((1 - tokens) / rate)
              end
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.min(math.ceil((capacity - tokens) / rate) + 1000, 604800000))
            return {granted, wait}
            """;
    static final String SCRIPT_SHA = Digests.sha1Hex(SCRIPT);
    /**
     * Renewals a request waits for before it gives up (each grants up to a lease, shared by the requests waiting
     * on it; the wait ends sooner, with a denial, once the shared bucket is empty): a safety bound only.
     */
    private static final int MAX_WAITS = 64;
    /** The gate's name: the {@code method} tag of its {@code ft.*} metrics. */
    public static final String GATE = "redis-rate-limit";
    /** What a renewal completes with when the gate skipped Redis (no call made). */
    private static final long SKIPPED = -2;
    private static final AtomicLong UNNAMED = new AtomicLong();

    /** What a limiter needs to know; from {@code events.rate-limit.*}. */
    public record Settings(int capacity, double refillPerSecond, boolean redis, Duration redisTimeout,
            Duration redisRetryAfter, int localMaxClients, int lease, Duration leaseIdle) {

        public Settings {
            if (capacity < 1 || !(refillPerSecond > 0)) {
                throw new IllegalArgumentException("events.rate-limit: capacity must be >= 1 and refill-per-second > 0");
            }
            if (lease < 1 || lease > capacity) {
                throw new IllegalArgumentException("events.rate-limit: the lease must be between 1 and the capacity");
            }
        }

        /** The lease a share of the capacity gives: at least one token. */
        public static int lease(int capacity, double share) {
            if (!(share > 0) || share > 1) {
                throw new IllegalArgumentException("events.rate-limit.lease-share must be in (0, 1]");
            }
            return (int) Math.max(1, Math.min(capacity, Math.floor(capacity * share)));
        }

        static Settings of(EventSearchConfig.RateLimit config) {
            return new Settings(config.capacity(), config.refillPerSecond(), config.redis(), config.redisTimeout(),
                    config.redisRetryAfter(), config.localMaxClients(), lease(config.capacity(), config.leaseShare()),
                    config.leaseIdle());
        }
    }

    /** A client's request is allowed, or denied with the time until a token is back. */
    public record Decision(boolean allowed, long retryAfterMillis) {
        static final Decision ALLOWED = new Decision(true, 0);

        static Decision denied(long retryAfterMillis) {
            return new Decision(false, retryAfterMillis);
        }
    }

    /** This instance's share of one client's shared bucket. */
    static final class Lease {
        /** Tokens taken from Redis and not spent yet: never more than one lease. */
        final AtomicLong tokens = new AtomicLong();
        /** The renewal in flight (one per client), completed with the tokens granted, or -1 when Redis failed. */
        final AtomicReference<CompletableFuture<Long>> renewal = new AtomicReference<>();
        /** System.nanoTime() before which the shared bucket is known to be empty (0: not known). */
        volatile long emptyUntil;
    }

    private static final Uni<Decision> ALLOWED = Uni.createFrom().item(Decision.ALLOWED);

    private final Redis redis;
    private final Settings settings;
    private final Supplier<String> namespace;
    private final LocalBuckets local;
    private final Cache<String, Lease> leases;
    private final String capacityArg;
    private final String ratePerMilliArg;
    private final long lowWater;
    private final DependencyGate gate;
    private final AtomicLong redisCalls = new AtomicLong();
    private volatile String keyPrefix;

    @Inject
    public RateLimiter(Redis redis, EventSearchConfig config, CatalogueVersion catalogue) {
        // the database epoch keeps the buckets of deployments (or test databases) sharing one Redis apart
        this(redis, Settings.of(config.rateLimit()), catalogue::epoch, GATE);
    }

    /** A limiter of its own (tests): its gate is named {@value #GATE}-n, breaker names being unique. */
    public RateLimiter(Redis redis, Settings settings, Supplier<String> namespace) {
        this(redis, settings, namespace, GATE + '-' + UNNAMED.incrementAndGet());
    }

    private RateLimiter(Redis redis, Settings settings, Supplier<String> namespace, String gateName) {
        this.redis = redis;
        this.settings = settings;
        this.namespace = namespace;
        this.local = new LocalBuckets(settings);
        this.gate = new DependencyGate(gateName, "rate limit (Redis)", "deciding with local buckets",
                settings.redisRetryAfter());
        this.capacityArg = Integer.toString(settings.capacity());
        this.ratePerMilliArg = String.format(Locale.ROOT, "%.12f", settings.refillPerSecond() / 1000.0);
        this.lowWater = settings.lease() / 2;
        this.leases = Caffeine.newBuilder()
                .maximumSize(settings.localMaxClients())
                .expireAfterAccess(settings.leaseIdle())
                .scheduler(Scheduler.systemScheduler())
                .removalListener((String client, Lease lease, RemovalCause cause) -> giveBack(client, lease))
                .build();
    }

    /** Takes a token for the client (an opaque, bounded identity such as {@code a:127.0.0.1}). */
    public Uni<Decision> acquire(String client) {
        Decision now = decideNow(client);
        if (now == Decision.ALLOWED) {
            return ALLOWED;
        }
        if (now != null) {
            return Uni.createFrom().item(now);
        }
        return awaitRenewal(client, leases.get(client, k -> new Lease()), MAX_WAITS);
    }

    /**
     * The decision when it needs no I/O: a token of the local lease, the shared bucket known to be empty, or the
     * local bucket while Redis is not used; null when the client's lease must be renewed first.
     */
    public Decision decideNow(String client) {
        if (!settings.redis()) {
            return local.acquire(client);
        }
        Lease lease = leases.get(client, k -> new Lease());
        Decision decision = fromLease(client, lease);
        if (decision != null || gate.up()) {
            return decision;
        }
        // Redis is out: the lease is spent, a local bucket decides (the one probe goes through a renewal)
        return renew(client, lease) == null ? local.acquire(client) : null;
    }

    private Decision fromLease(String client, Lease lease) {
        AtomicLong tokens = lease.tokens;
        long left;
        while ((left = tokens.get()) > 0) {
            if (tokens.compareAndSet(left, left - 1)) {
                if (left - 1 <= lowWater && lease.renewal.get() == null) {
                    renew(client, lease);
                }
                return Decision.ALLOWED;
            }
        }
        long emptyUntil = lease.emptyUntil;
        if (emptyUntil != 0) {
            long wait = emptyUntil - System.nanoTime();
            if (wait > 0) {
                return Decision.denied(Math.max(1, wait / 1_000_000));
            }
        }
        return null;
    }

    private Uni<Decision> awaitRenewal(String client, Lease lease, int waits) {
        CompletableFuture<Long> renewal = renew(client, lease);
        if (renewal == null) {
            // Redis is skipped (back-off, or the probe is someone else's)
            Decision decision = fromLease(client, lease);
            return Uni.createFrom().item(decision != null ? decision : local.acquire(client));
        }
        return Uni.createFrom().completionStage(renewal).flatMap(granted -> {
            if (granted == null || granted < 0) {
                Decision decision = fromLease(client, lease);
                return Uni.createFrom().item(decision != null ? decision : local.acquire(client));
            }
            Decision decision = fromLease(client, lease);
            if (decision != null) {
                return Uni.createFrom().item(decision);
            }
            if (waits > 1) {
                // other requests spent the tokens granted first: wait for the next renewal
                return awaitRenewal(client, lease, waits - 1);
            }
            return Uni.createFrom().item(Decision.denied(Math.max(1, (long) Math.ceil(1000 / settings.refillPerSecond()))));
        });
    }

    /**
     * The client's renewal in flight, starting one (topping the lease up to its size) if there is none; null when
     * Redis is not to be called now.
     */
    private CompletableFuture<Long> renew(String client, Lease lease) {
        CompletableFuture<Long> current = lease.renewal.get();
        if (current != null) {
            return current;
        }
        CompletableFuture<Long> mine = new CompletableFuture<>();
        if (!lease.renewal.compareAndSet(null, mine)) {
            CompletableFuture<Long> other = lease.renewal.get();
            return other != null ? other : renew(client, lease);
        }
        long want = settings.lease() - lease.tokens.get();
        if (want <= 0) {
            lease.renewal.set(null);
            mine.complete(0L);
            return mine;
        }
        if (gate.backingOff()) {
            lease.renewal.set(null);
            mine.complete(SKIPPED);
            return null;
        }
        call(keyPrefix() + client, want).subscribe().with(response -> {
            long granted = response.get(0).toLong();
            if (granted > 0) {
                lease.tokens.addAndGet(granted);
                lease.emptyUntil = 0;
            } else {
                lease.emptyUntil = System.nanoTime() + Math.max(1, response.get(1).toLong()) * 1_000_000;
            }
            lease.renewal.set(null);
            mine.complete(granted);
        }, failure -> {
            lease.renewal.set(null);
            // skipped (the probe is someone else's) or failed: both leave the decision to the local bucket
            mine.complete(failure instanceof CircuitBreakerOpenException ? SKIPPED : -1L);
        });
        // a call the gate skipped fails at once, before anything is sent
        return mine.getNow(0L) == SKIPPED ? null : mine;
    }

    /** Unused tokens of a lease this instance drops (idle client, or evicted) go back to the shared bucket. */
    private void giveBack(String client, Lease lease) {
        if (lease == null || client == null) {
            return;
        }
        long unused = lease.tokens.getAndSet(0);
        if (unused <= 0 || !gate.up()) {
            return;
        }
        call(keyPrefix() + client, -unused).subscribe().with(RateLimiter::ignore, RateLimiter::ignore);
    }

    private Uni<Response> call(String key, long want) {
        String wantArg = Long.toString(want);
        return gate.call(settings.redisTimeout(), () -> {
            redisCalls.incrementAndGet();
            return redis.send(script(Command.EVALSHA, SCRIPT_SHA, key, wantArg))
                    // the script is not cached on this server yet (first call, restart, failover): send it whole once
                    .onFailure(RateLimiter::noScript)
                    .recoverWithUni(() -> redis.send(script(Command.EVAL, SCRIPT, key, wantArg)));
        });
    }

    /** Whether Redis decides right now (configured and not in a failure back-off). */
    public boolean usingRedis() {
        return settings.redis() && gate.up();
    }

    /** Tokens of the client this instance holds and has not spent (for tests and diagnostics). */
    long leased(String client) {
        Lease lease = leases.getIfPresent(client);
        return lease == null ? 0 : lease.tokens.get();
    }

    /** Calls made to Redis so far (leases taken and given back). */
    long redisCalls() {
        return redisCalls.get();
    }

    /** Drops every local lease without giving tokens back: for tests that empty the shared buckets. */
    public void forgetLeases() {
        leases.asMap().values().forEach(lease -> lease.tokens.set(0));
        leases.invalidateAll();
    }

    private Request script(Command command, String script, String key, String want) {
        return Request.cmd(command).arg(script).arg(1).arg(key).arg(capacityArg).arg(ratePerMilliArg).arg(want);
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

    private static void ignore(Object ignored) {
    }

    private static boolean noScript(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }

}
