package io.eventsearch.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.eventsearch.search.cache.RedisAnswerCache;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Redis as a readiness detail: search works without it (in-process cache and PostgreSQL), so a Redis outage
 * degrades this check's data but never takes the instance out of the load balancer.
 */
@Readiness
@ApplicationScoped
public class RedisCacheHealthCheck implements AsyncHealthCheck {

    private static final String NAME = "search-cache";
    private final RedisAnswerCache redis;

    public RedisCacheHealthCheck(RedisAnswerCache redis) {
        this.redis = redis;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (!redis.enabled()) {
            return Uni.createFrom().item(HealthCheckResponse.named(NAME).up().withData("redis", "disabled").build());
        }
        return redis.ping()
                .map(ok -> HealthCheckResponse.named(NAME).up().withData("redis", "up").build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).up()
                        .withData("redis", "down")
                        .withData("degraded", "answers come from the in-process cache and PostgreSQL")
                        .build());
    }
}
