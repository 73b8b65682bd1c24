package io.eventsearch.search.ratelimit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.net.URL;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.storage.CatalogueVersion;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** The rate limit over HTTP, with a bucket of 3 that does not refill during the test. */
@QuarkusTest
@TestProfile(RateLimitHttpTest.TinyBuckets.class)
class RateLimitHttpTest {

    public static class TinyBuckets implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("events.rate-limit.capacity", "3",
                    "events.rate-limit.refill-per-second", "0.001",
                    // generous on a loaded test machine: this test is about sharing through Redis
                    "events.rate-limit.redis-timeout", "2s");
        }
    }

    @Inject
    RedisDataSource redis;

    @Inject
    CatalogueVersion catalogue;

    @Inject
    RateLimiter limiter;

    @TestHTTPResource(value = "/health/live", management = true)
    URL live;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @BeforeEach
    void emptyTheBucketsOfThisDatabase() {
        emptyBuckets(limiter, redis, catalogue);
    }

    /** Drops this database's shared buckets and, first, this instance's leases of them. */
    static void emptyBuckets(RateLimiter limiter, RedisDataSource redis, CatalogueVersion catalogue) {
        limiter.forgetLeases();
        for (String key : redis.key().keys("es:rl:" + catalogue.epoch() + ":*")) {
            redis.key().del(key);
        }
    }

    @Test
    void aClientOverItsBucketGets429WithTheContractsBodyAndRetryAfter() {
        String key = "alpha-" + UUID.randomUUID();
        given().header("X-API-Key", key).get("/search").then().statusCode(200);
        given().header("X-API-Key", key).get("/v2/search?starts_at=2030-01-01T00:00:00Z&ends_at=2030-02-01T00:00:00Z")
                .then().statusCode(200);
        given().header("X-API-Key", key).get("/search").then().statusCode(200);
        given().header("X-API-Key", key).get("/v2/search").then().statusCode(429)
                .contentType(ContentType.JSON)
                .body("data", nullValue())
                .body("error.code", equalTo("rate_limited"))
                .body("error.message", not(equalTo("")))
                .header("Retry-After", matchesPattern("[1-9]\\d*"))
                .header("Cache-Control", equalTo("no-store"))
                .header("ETag", nullValue());
        // about one token per 1000 s: the client is told to come back then, not at once
        int retryAfter = Integer.parseInt(given().header("X-API-Key", key).get("/search").header("Retry-After"));
        assertThat(retryAfter).isBetween(900, 1000);
        // another key is another client
        given().header("X-API-Key", "beta-" + UUID.randomUUID()).get("/search").then().statusCode(200);
        // the bucket lives in Redis, keyed by a hash of the key (never the key itself)
        assertThat(redis.key().keys("es:rl:" + catalogue.epoch() + ":k:*")).hasSize(2)
                .noneSatisfy(k -> assertThat(k).contains(key));
    }

    @Test
    void withoutAKeyTheRemoteAddressIsTheClientAndForwardedHeadersAreNotTrusted() {
        for (int i = 0; i < 3; i++) {
            given().header("X-Forwarded-For", "192.0.2." + i).header("Forwarded", "for=192.0.2." + i)
                    .get("/search").then().statusCode(200);
        }
        given().header("X-Forwarded-For", "192.0.2.99").get("/search").then().statusCode(429);
        assertThat(redis.key().keys("es:rl:" + catalogue.epoch() + ":a:*")).containsExactly(
                "es:rl:" + catalogue.epoch() + ":a:127.0.0.1");
    }

    @Test
    void decisionsAreCounted() {
        given().header("X-API-Key", "gamma-" + UUID.randomUUID()).get("/search");
        given().get(metrics).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("events_rate_limit_total{result=\"allowed\"}"))
                .body(org.hamcrest.Matchers.containsString("events_rate_limit_total{result=\"denied\"}"));
    }

    @Test
    void onlyTheSearchApisAreLimited() {
        for (int i = 0; i < 4; i++) {
            given().get("/search");
        }
        given().get("/search").then().statusCode(429);
        for (int i = 0; i < 5; i++) {
            given().get("/q/openapi").then().statusCode(200);
            given().get(live).then().statusCode(200);
        }
    }
}
