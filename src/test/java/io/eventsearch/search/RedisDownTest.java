package io.eventsearch.search;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import java.net.URL;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With no Redis reachable the service runs on its in-process cache, stays ready, and syncs still show at once. */
@QuarkusTest
@TestProfile(RedisDownTest.NoRedis.class)
class RedisDownTest {

    public static class NoRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // nothing listens on port 1
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:1");
        }
    }

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @BeforeEach
    void setUp() {
        db.reset();
    }

    @Test
    void searchAnswersFromTheInProcessCacheAndPostgreSQL() {
        CatalogueLoader.Provider provider = loader.provider("sample");
        provider.sync(Feeds.planList(1));
        for (int i = 0; i < 3; i++) {
            given().get("/search").then().statusCode(200).body("data.events", hasSize(4));
        }
        provider.sync(Feeds.planList(2));
        given().get("/search").then().statusCode(200).body("data.events", hasSize(2));
        // v2 too, and the rate limit decides locally instead of failing requests
        for (int i = 0; i < 3; i++) {
            given().get("/v2/search?starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T00:00:00Z").then().statusCode(200)
                    .body("data.events", hasSize(2));
        }
    }

    @Test
    void readinessStaysUpAndReportsRedisDown() {
        given().get(ready).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'search-cache' }.data.redis", equalTo("down"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
    }
}
