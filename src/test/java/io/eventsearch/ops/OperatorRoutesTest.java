package io.eventsearch.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.net.URL;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Operator endpoints: on the management interface, never on the public port. */
@QuarkusTest
class OperatorRoutesTest {

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    String base;
    CatalogueLoader.Provider provider;

    @BeforeEach
    void setUp() {
        db.reset();
        // the management root path is /q; operator routes live at the interface's root
        base = "http://" + management.getHost() + ":" + management.getPort();
        provider = loader.provider("ops-sample");
        provider.sync(Feeds.planList(1));
    }

    @Test
    void listsProvidersWithStateBreakerLeadershipAndRecentRuns() {
        given().post(base + "/ops/providers/ops-sample/sync").then().statusCode(200)
                .body("outcome", equalTo("unchanged"));
        given().get(base + "/ops/providers").then().statusCode(200)
                .body("providers.name", hasItem("ops-sample"))
                .body("providers.find { it.name == 'ops-sample' }.circuit", equalTo("closed"))
                .body("providers.find { it.name == 'ops-sample' }.leader_here", equalTo(true))
                .body("providers.find { it.name == 'ops-sample' }.paused", equalTo(false))
                .body("providers.find { it.name == 'ops-sample' }.plans_in_scope", equalTo(4))
                .body("providers.find { it.name == 'ops-sample' }.recent_runs[0].outcome", equalTo("unchanged"))
                .body("providers.find { it.name == 'ops-sample' }.recent_runs[1].outcome", equalTo("succeeded"))
                .body("providers.find { it.name == 'ops-sample' }.recent_runs[1].plans_inserted", equalTo(4))
                .body("providers.find { it.name == 'ops-sample' }.current_seen_at", notNullValue());
        given().get(base + "/ops/providers/ops-sample").then().statusCode(200).body("name", equalTo("ops-sample"));
    }

    @Test
    void pauseStopsSyncsUntilResumed() {
        given().post(base + "/ops/providers/ops-sample/pause").then().statusCode(200).body("paused", equalTo(true));
        given().post(base + "/ops/providers/ops-sample/sync").then().statusCode(409).body("error.code", equalTo("paused"));
        given().get(base + "/ops/providers/ops-sample").then().body("paused", equalTo(true));
        given().post(base + "/ops/providers/ops-sample/resume").then().statusCode(200).body("paused", equalTo(false));
        given().post(base + "/ops/providers/ops-sample/sync").then().statusCode(200);
    }

    @Test
    void unknownProvidersAreNotFound() {
        given().get(base + "/ops/providers/nope").then().statusCode(404).body("error.code", equalTo("not_found"));
        given().post(base + "/ops/providers/nope/sync").then().statusCode(404);
        given().post(base + "/ops/providers/nope/pause").then().statusCode(404);
        given().post(base + "/ops/providers/ops-sample/circuit/reset").then().statusCode(200)
                .body("circuit", equalTo("closed"));
    }

    @Test
    void anOperatorRejectsOrConfirmsAHeldFeed() {
        given().post(base + "/ops/providers/ops-sample/hold/confirm").then().statusCode(409)
                .body("error.code", equalTo("not_held"));
        provider.sync("<planList><output/></planList>");
        given().get(base + "/ops/providers/ops-sample").then().statusCode(200)
                .body("held_reason", equalTo("empty_feed")).body("held_feeds", equalTo(1))
                .body("held_since", notNullValue()).body("hold_confirmed", equalTo(false));
        given().get("/search").then().body("data.events.size()", equalTo(4));

        // rejected: the hold ends, nothing is applied
        given().post(base + "/ops/providers/ops-sample/hold/reject").then().statusCode(200)
                .body("hold", equalTo("rejected"));
        given().get(base + "/ops/providers/ops-sample").then().body("held_reason", nullValue())
                .body("held_feeds", equalTo(0));
        given().get("/search").then().body("data.events.size()", equalTo(4));

        // held again, then confirmed: the provider still sends that feed, and the sync started here applies it
        provider.sync("<planList><output/></planList>");
        given().post(base + "/ops/providers/ops-sample/hold/confirm").then().statusCode(200)
                .body("hold", equalTo("confirmed")).body("outcome", equalTo("succeeded"))
                .body("plans_gone_stale", equalTo(4));
        given().get(base + "/ops/providers/ops-sample").then().body("held_reason", nullValue())
                .body("plans_in_scope", equalTo(0));
        given().get("/search").then().body("data.events.size()", equalTo(0));
        given().post(base + "/ops/providers/nope/hold/reject").then().statusCode(404);
    }

    @Test
    void notOnThePublicPort() {
        given().get("/ops/providers").then().statusCode(404);
        given().post("/ops/providers/ops-sample/sync").then().statusCode(404);
    }
}
