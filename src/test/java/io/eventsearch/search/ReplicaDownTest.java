package io.eventsearch.search;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.net.URL;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.eventsearch.search.sql.SearchPool;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A configured replica that cannot be reached: search reads the primary instead (v1 through Redis, v1 from day
 * slices, v2), and the instance stays ready, with the replica reported down.
 */
@QuarkusTest
@TestProfile(ReplicaDownTest.UnreachableReplica.class)
class ReplicaDownTest {

    public static class UnreachableReplica implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // port 1: nothing listens, every connection is refused
            return Map.of("quarkus.datasource.\"replica\".reactive.url", "postgresql://127.0.0.1:1/event_search",
                    "events.search.replica-retry-after", "1h",
                    // the SQL path's replica handling is under test (the read model falls back the same way)
                    "events.search.read-model.enabled", "false");
        }
    }

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Inject
    SearchPool pool;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Test
    void searchReadsThePrimaryAndTheInstanceStaysReady() {
        assertThat(pool.replica()).isTrue();
        db.reset();
        loader.provider("sample").sync(Feeds.planList(1));

        given().get("/search").then().statusCode(200).body("data.events", hasSize(4));
        assertThat(pool.readingReplica()).as("the failure was the replica's own").isFalse();
        // within the back-off, straight to the primary: short windows (day slices) and v2 pages too
        given().get("/search?starts_at=2021-06-01T00:00:00Z&ends_at=2021-06-30T00:00:00Z").then().statusCode(200);
        given().get("/v2/search?starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T00:00:00Z").then().statusCode(200)
                .body("data.events", hasSize(4));

        given().get(ready).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'search-replica' }.data.replica", equalTo("down"));
    }
}
