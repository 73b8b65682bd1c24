package io.eventsearch.search;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.eventsearch.search.sql.SearchPool;
import io.eventsearch.storage.CatalogueVersion;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.ReplicaDatabase;
import io.eventsearch.support.TestDatabase;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With a replica configured, search reads it and ingestion writes the primary. A replica behind the primary's data
 * version is served (with its own version in the headers) but not cached; once it has caught up, its answers are.
 */
@QuarkusTest
@TestProfile(ReplicaRoutingTest.WithReplica.class)
class ReplicaRoutingTest {

    public static class WithReplica implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ReplicaDatabase.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // the SQL path's handling of a lagging replica is under test
            return Map.of("events.search.read-model.enabled", "false");
        }
    }

    private static final String YEAR_2030 = "?starts_at=2030-01-01T00:00:00Z&ends_at=2030-12-31T00:00:00Z";

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Inject
    SearchPool pool;

    @Inject
    CatalogueVersion catalogue;

    @Inject
    RedisDataSource redis;

    @io.quarkus.test.common.http.TestHTTPResource(value = "/health/ready", management = true)
    java.net.URL ready;

    /** On the replica: only one plan, titled as given, at the given data version. */
    private static void replicaShows(String title, long version) {
        ReplicaDatabase.execute(
                "TRUNCATE zones, plans, plan_identities, base_plans, sync_runs, providers RESTART IDENTITY CASCADE",
                "INSERT INTO providers (name, current_seen_at) VALUES ('sample', '2029-12-01T00:00:00Z')",
                "INSERT INTO base_plans VALUES (1, 'r', '" + title + "', 'online', NULL, true, 0,"
                        + " '2029-12-01T00:00:00Z', 'infinity', '2029-12-01T00:00:00Z')",
                "INSERT INTO plan_identities (id, provider_id, base_plan_id, plan_id)"
                        + " VALUES ('00000000-0000-5000-8000-000000000001', 1, 'r', 'r')",
                "INSERT INTO plans (id, provider_id, base_plan_id, plan_id, starts_at, ends_at, start_local, end_local,"
                        + " sold_out, zone_count, content_hash, first_seen_at, last_seen_at, updated_at)"
                        + " VALUES ('00000000-0000-5000-8000-000000000001', 1, 'r', 'r', '2030-01-01T20:00:00Z',"
                        + " '2030-01-01T22:00:00Z', '2030-01-01T20:00:00', '2030-01-01T22:00:00', false, 0, 0,"
                        + " '2029-12-01T00:00:00Z', 'infinity', '2029-12-01T00:00:00Z')",
                "UPDATE catalogue_state SET data_version = " + version + ", changed_at = '2029-12-01T00:00:00Z'");
    }

    private static void replicaRenames(String title) {
        ReplicaDatabase.execute("UPDATE base_plans SET title = '" + title + "'");
    }

    @Test
    void searchReadsTheReplicaAndIngestionWritesThePrimary() {
        assertThat(pool.replica()).isTrue();
        db.reset();
        loader.provider("sample").sync(Feeds.planList(1));
        long version = db.count("SELECT data_version FROM catalogue_state");
        assertThat(catalogue.current().version()).isEqualTo(version);
        // ingestion wrote the primary only
        assertThat(db.count("SELECT count(*) FROM plans")).isEqualTo(4);
        replicaShows("On the lagging replica", version - 1);
        assertThat(ReplicaDatabase.count("SELECT count(*) FROM plans")).isEqualTo(1);

        // search reads the replica: not the primary's four plans
        given().get("/search" + YEAR_2030).then().statusCode(200)
                .body("data.events.title", contains("On the lagging replica"))
                // the headers tell the version shown, and a CDN must revalidate it
                .header("ETag", startsWith("\"" + catalogue.epoch() + "-" + (version - 1) + "-"))
                .header("X-Data-Synced-At", equalTo("2029-12-01T00:00:00Z"))
                .header("Cache-Control", equalTo("public, no-cache"));
        given().get("/v2/search" + YEAR_2030).then().statusCode(200)
                .body("data.events.title", contains("On the lagging replica"))
                .body("meta.data_version", equalTo((int) (version - 1)));
        given().get("/search").then().body("data.events.title", contains("On the lagging replica"));

        // the lagging answer was not kept: the next request reads the replica again
        replicaRenames("Still lagging");
        given().get("/search" + YEAR_2030).then().body("data.events.title", contains("Still lagging"));
        given().get("/v2/search" + YEAR_2030).then().body("data.events.title", contains("Still lagging"));
        assertThat(redis.key().keys("es:search:v1:latest:" + catalogue.epoch() + ":" + version + ":*")).isEmpty();

        // caught up: the answer is cached under the version, and stays until the next sync
        replicaShows("Caught up", version);
        given().get("/search" + YEAR_2030).then().body("data.events.title", contains("Caught up"))
                .header("Cache-Control", startsWith("public, max-age="));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !redis.key()
                .keys("es:search:v1:latest:" + catalogue.epoch() + ":" + version + ":*").isEmpty());
        replicaRenames("Changed behind the cache");
        given().get("/search" + YEAR_2030).then().body("data.events.title", contains("Caught up"));
        assertThat(db.count("SELECT count(*) FROM plans")).as("the primary is untouched").isEqualTo(4);
    }

    @Test
    void theReplicaIsAReadinessDetailNotACondition() {
        given().get(ready).then().statusCode(200)
                .body("checks.find { it.name == 'search-replica' }.data.replica", equalTo("up"))
                // excluded from Quarkus' datasource check: a replica outage must not take the instance out
                .body("checks.find { it.name == 'Reactive PostgreSQL connections health check' }.data.replica",
                        nullValue());
    }
}
