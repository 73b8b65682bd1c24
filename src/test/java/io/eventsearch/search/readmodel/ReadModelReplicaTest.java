package io.eventsearch.search.readmodel;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.eventsearch.storage.CatalogueVersion;
import io.eventsearch.storage.DataVersion;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.ReplicaDatabase;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With a replica configured, the read model is loaded from the replica and moved by the replica's change sets: the
 * primary, which ingestion writes, is not read by search at all.
 */
@QuarkusTest
@TestProfile(ReadModelReplicaTest.WithReplica.class)
class ReadModelReplicaTest {

    public static class WithReplica implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ReplicaDatabase.class));
        }
    }

    private static final String YEAR_2030 = "?starts_at=2030-01-01T00:00:00Z&ends_at=2030-12-31T00:00:00Z";
    private static final long REPLICA_VERSION = 900_000;

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Inject
    ReadModel model;

    @Inject
    CatalogueVersion clock;

    private static String plan(int n, String title) {
        String id = "00000000-0000-5000-8000-00000000000" + n;
        return "INSERT INTO base_plans VALUES (1, 'r" + n + "', '" + title + "', 'online', NULL, true, 0,"
                + " '2029-12-01T00:00:00Z', 'infinity', '2029-12-01T00:00:00Z');"
                + "INSERT INTO plan_identities (id, provider_id, base_plan_id, plan_id) VALUES ('" + id + "', 1, 'r" + n
                + "', 'r" + n + "');"
                + "INSERT INTO plans (id, provider_id, base_plan_id, plan_id, starts_at, ends_at, start_local, end_local,"
                + " sold_out, zone_count, content_hash, first_seen_at, last_seen_at, updated_at) VALUES ('" + id
                + "', 1, 'r" + n + "', 'r" + n + "', '2030-01-0" + n + "T20:00:00Z', '2030-01-0" + n + "T22:00:00Z',"
                + " '2030-01-0" + n + "T20:00:00', '2030-01-0" + n + "T22:00:00', false, 0, 0, '2029-12-01T00:00:00Z',"
                + " 'infinity', '2029-12-01T00:00:00Z')";
    }

    private void awaitModelAt(long version) {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> model.serving() != null && model.serving().version().version() == version);
    }

    @Test
    void theModelIsLoadedFromTheReplicaAndMovedByItsChangeSets() {
        db.reset();
        // the replica holds one plan, at a version whose changes before it are not kept: a model must load it whole
        ReplicaDatabase.execute(
                "TRUNCATE zones, plans, plan_identities, base_plans, sync_runs, providers, catalogue_changes"
                        + " RESTART IDENTITY CASCADE",
                "INSERT INTO providers (name, current_seen_at) VALUES ('sample', '2029-12-01T00:00:00Z')",
                plan(1, "On the replica"),
                "UPDATE catalogue_state SET data_version = " + REPLICA_VERSION + ", changes_from = " + REPLICA_VERSION
                        + ", changed_at = '2029-12-01T00:00:00Z'");
        // a sync of the primary announces a newer version than the model's: the model reads the replica, not it
        loader.provider("sample").sync(Feeds.planList(1));
        assertThat(db.count("SELECT count(*) FROM plans")).as("ingestion wrote the primary").isEqualTo(4);
        awaitModelAt(REPLICA_VERSION);
        assertThat(model.serving().size()).isEqualTo(1);
        given().get("/search" + YEAR_2030).then().statusCode(200)
                .body("data.events.title", contains("On the replica"));
        given().get("/v2/search" + YEAR_2030).then().statusCode(200)
                .body("data.events.title", contains("On the replica"))
                .body("meta.data_version", equalTo((int) REPLICA_VERSION));

        // the replica replays the next sync: one more plan and its change set; the notification carries the version
        ReplicaDatabase.execute(plan(2, "Replicated next"),
                "INSERT INTO catalogue_changes VALUES (" + (REPLICA_VERSION + 1) + ", '00000000-0000-5000-8000-000000000002')",
                "UPDATE catalogue_state SET data_version = " + (REPLICA_VERSION + 1));
        clock.advance(new DataVersion(REPLICA_VERSION + 1, Instant.parse("2029-12-02T00:00:00Z")));
        awaitModelAt(REPLICA_VERSION + 1);
        given().get("/search" + YEAR_2030).then().statusCode(200)
                .body("data.events.title", contains("On the replica", "Replicated next"));
        given().get("/v2/search" + YEAR_2030).then()
                .body("meta.data_version", equalTo((int) (REPLICA_VERSION + 1)));
    }
}
