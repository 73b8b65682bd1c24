package io.eventsearch.search.ratelimit;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

/**
 * In-process token buckets (Bucket4j), one per client, for when Redis cannot decide: same capacity and refill as
 * the shared ones, but per instance. Bounded in number; a bucket idle long enough to be full again is dropped, as
 * a new one would be the same.
 */
final class LocalBuckets {

    private final Cache<String, Bucket> buckets;
    private final long capacity;
    private final Duration refillPeriod;

    LocalBuckets(RateLimiter.Settings settings) {
        this.capacity = settings.capacity();
        // greedy refill of the whole capacity over the time it takes at the configured rate: exactly that rate
        this.refillPeriod = Duration.ofNanos(Math.max(1L, Math.round(capacity * 1e9 / settings.refillPerSecond())));
        this.buckets = Caffeine.newBuilder()
                .maximumSize(settings.localMaxClients())
                .expireAfterAccess(refillPeriod.plusSeconds(1))
                .build();
    }

    RateLimiter.Decision acquire(String client) {
        ConsumptionProbe probe = buckets.get(client, k -> Bucket.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, refillPeriod))
                .build())
                .tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? RateLimiter.Decision.ALLOWED
                : RateLimiter.Decision.denied(Math.max(1, probe.getNanosToWaitForRefill() / 1_000_000));
    }
}
