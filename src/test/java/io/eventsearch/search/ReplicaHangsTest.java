package io.eventsearch.search;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThan;

import java.net.URL;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.eventsearch.search.sql.SearchPool;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.SilentServer;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A replica that accepts connections and never answers: after events.search.replica-timeout search asks the
 * primary, then reads the primary alone; the readiness probe answers at once and stays UP.
 */
@QuarkusTest
@TestProfile(ReplicaHangsTest.SilentReplica.class)
class ReplicaHangsTest {

    public static class SilentReplica implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SilentServer.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // the SQL path's replica handling is under test (the read model falls back the same way)
            return Map.of("events.search.replica-timeout", "3s", "events.search.replica-retry-after", "1h",
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
    void searchGivesUpOnTheReplicaAndReadsThePrimary() {
        db.reset();
        loader.provider("sample").sync(Feeds.planList(1));

        // the first request waits out the timeout once, then the primary answers
        given().get("/search").then().statusCode(200).body("data.events", hasSize(4)).time(lessThan(10_000L));
        assertThat(pool.readingReplica()).isFalse();
        // within the back-off no request waits for the replica
        given().get("/v2/search?starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T00:00:00Z").then().statusCode(200)
                .body("data.events", hasSize(4)).time(lessThan(2_500L));

        given().get(ready).then().statusCode(200).time(lessThan(6_000L))
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'search-replica' }.data.replica", equalTo("down"));
    }
}
