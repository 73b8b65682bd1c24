package io.eventsearch.search.ratelimit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.storage.CatalogueVersion;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Behind a trusted proxy (Quarkus' proxy support on, as in deploy/kubernetes), the client is the address the proxy
 * forwards, not the proxy's own: each forwarded client has its own bucket.
 */
@QuarkusTest
@TestProfile(RateLimitBehindProxyTest.BehindAProxy.class)
class RateLimitBehindProxyTest {

    public static class BehindAProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("events.rate-limit.capacity", "2",
                    "events.rate-limit.refill-per-second", "0.001",
                    "events.rate-limit.redis-timeout", "2s",
                    "quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.allow-x-forwarded", "true",
                    "quarkus.http.proxy.trusted-proxies", "127.0.0.1");
        }
    }

    @Inject
    RedisDataSource redis;

    @Inject
    CatalogueVersion catalogue;

    @Inject
    RateLimiter limiter;

    @BeforeEach
    void emptyTheBucketsOfThisDatabase() {
        RateLimitHttpTest.emptyBuckets(limiter, redis, catalogue);
    }

    @Test
    void eachForwardedClientHasItsOwnBucket() {
        for (String client : new String[] { "192.0.2.1", "192.0.2.2" }) {
            given().header("X-Forwarded-For", client).get("/search").then().statusCode(200);
            given().header("X-Forwarded-For", client).get("/search").then().statusCode(200);
            given().header("X-Forwarded-For", client).get("/search").then().statusCode(429);
        }
        assertThat(redis.key().keys("es:rl:" + catalogue.epoch() + ":a:*")).containsExactlyInAnyOrder(
                "es:rl:" + catalogue.epoch() + ":a:192.0.2.1", "es:rl:" + catalogue.epoch() + ":a:192.0.2.2");
    }
}
