package io.eventsearch.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.net.URL;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.ingestion.leadership.ProviderLeadership;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Operator endpoints: on the management interface, never on the public port; the actions (POST) need an operator's
 * HTTP basic credentials, the reads, probes and metrics do not.
 */
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

    /** A request with the test profile's operator credentials. */
    static RequestSpecification operator() {
        return given().auth().preemptive().basic("operator", "test-operator");
    }

    @Inject
    ProviderLeadership leadership;

    @BeforeEach
    void setUp() {
        // a lead kept from an earlier test's provider (gone with the reset) would count against the fair share
        for (Integer held : java.util.List.copyOf(leadership.held())) {
            leadership.release(held).await().indefinitely();
        }
        db.reset();
        // the management root path is /q; operator routes live at the interface's root
        base = "http://" + management.getHost() + ":" + management.getPort();
        provider = loader.provider("ops-sample");
        provider.sync(Feeds.planList(1));
    }

    @Test
    void listsProvidersWithStateBreakerLeadershipAndRecentRuns() {
        operator().post(base + "/ops/providers/ops-sample/sync").then().statusCode(200)
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
        operator().post(base + "/ops/providers/ops-sample/pause").then().statusCode(200).body("paused", equalTo(true));
        operator().post(base + "/ops/providers/ops-sample/sync").then().statusCode(409).body("error.code", equalTo("paused"));
        given().get(base + "/ops/providers/ops-sample").then().body("paused", equalTo(true));
        operator().post(base + "/ops/providers/ops-sample/resume").then().statusCode(200).body("paused", equalTo(false));
        operator().post(base + "/ops/providers/ops-sample/sync").then().statusCode(200);
    }

    @Test
    void unknownProvidersAreNotFound() {
        given().get(base + "/ops/providers/nope").then().statusCode(404).body("error.code", equalTo("not_found"));
        operator().post(base + "/ops/providers/nope/sync").then().statusCode(404);
        operator().post(base + "/ops/providers/nope/pause").then().statusCode(404);
        operator().post(base + "/ops/providers/ops-sample/circuit/reset").then().statusCode(200)
                .body("circuit", equalTo("closed"));
    }

    @Test
    void anOperatorRejectsOrConfirmsAHeldFeed() {
        operator().post(base + "/ops/providers/ops-sample/hold/confirm").then().statusCode(409)
                .body("error.code", equalTo("not_held"));
        provider.sync("<planList><output/></planList>");
        given().get(base + "/ops/providers/ops-sample").then().statusCode(200)
                .body("held_reason", equalTo("empty_feed")).body("held_feeds", equalTo(1))
                .body("held_since", notNullValue()).body("hold_confirmed", equalTo(false));
        given().get("/search").then().body("data.events.size()", equalTo(4));

        // rejected: the hold ends, nothing is applied
        operator().post(base + "/ops/providers/ops-sample/hold/reject").then().statusCode(200)
                .body("hold", equalTo("rejected"));
        given().get(base + "/ops/providers/ops-sample").then().body("held_reason", nullValue())
                .body("held_feeds", equalTo(0));
        given().get("/search").then().body("data.events.size()", equalTo(4));

        // held again, then confirmed: the provider still sends that feed, and the sync started here applies it
        provider.sync("<planList><output/></planList>");
        operator().post(base + "/ops/providers/ops-sample/hold/confirm").then().statusCode(200)
                .body("hold", equalTo("confirmed")).body("outcome", equalTo("succeeded"))
                .body("plans_gone_stale", equalTo(4));
        given().get(base + "/ops/providers/ops-sample").then().body("held_reason", nullValue())
                .body("plans_in_scope", equalTo(0));
        given().get("/search").then().body("data.events.size()", equalTo(0));
        operator().post(base + "/ops/providers/nope/hold/reject").then().statusCode(404);
    }

    @Test
    void withoutCredentialsAnActionGets401AndWithoutTheRole403AndChangesNothing() {
        String runs = "SELECT count(*) FROM sync_runs r JOIN providers p ON p.id = r.provider_id WHERE p.name = 'ops-sample'";
        long runsBefore = db.count(runs);
        for (String action : new String[] {"sync", "pause", "resume", "circuit/reset", "hold/confirm", "hold/reject"}) {
            given().post(base + "/ops/providers/ops-sample/" + action).then().statusCode(401)
                    .header("WWW-Authenticate", startsWith("Basic"))
                    .contentType(ContentType.JSON)
                    .body("data", nullValue())
                    .body("error.code", equalTo("unauthorized"))
                    .body("error.message", notNullValue());
        }
        assertThat(db.value("SELECT paused FROM providers WHERE name = 'ops-sample'")).isEqualTo(false);
        assertThat(db.count(runs)).as("no sync ran").isEqualTo(runsBefore);
        given().auth().preemptive().basic("operator", "wrong").post(base + "/ops/providers/ops-sample/pause").then()
                .statusCode(401).body("error.code", equalTo("unauthorized"));
        given().auth().preemptive().basic("someone", "test-operator").post(base + "/ops/providers/ops-sample/pause").then()
                .statusCode(401).body("error.code", equalTo("unauthorized"));
        assertThat(db.value("SELECT paused FROM providers WHERE name = 'ops-sample'")).isEqualTo(false);

        // authenticated, but without the operator role: 403 in the same envelope, and still nothing changes
        for (String action : new String[] {"sync", "pause", "resume", "circuit/reset", "hold/confirm", "hold/reject"}) {
            given().auth().preemptive().basic("auditor", "test-auditor").post(base + "/ops/providers/ops-sample/" + action)
                    .then().statusCode(403)
                    .contentType(ContentType.JSON)
                    .body("data", nullValue())
                    .body("error.code", equalTo("forbidden"))
                    .body("error.message", notNullValue());
        }
        given().auth().preemptive().basic("auditor", "test-auditor").get(base + "/ops/providers/ops-sample").then()
                .statusCode(200);
        assertThat(db.value("SELECT paused FROM providers WHERE name = 'ops-sample'")).isEqualTo(false);
        assertThat(db.count(runs)).as("no sync ran").isEqualTo(runsBefore);

        operator().post(base + "/ops/providers/ops-sample/pause").then().statusCode(200).body("paused", equalTo(true));
        assertThat(db.value("SELECT paused FROM providers WHERE name = 'ops-sample'")).isEqualTo(true);
        operator().post(base + "/ops/providers/ops-sample/resume").then().statusCode(200).body("paused", equalTo(false));
    }

    @Test
    void readsProbesAndMetricsStayOpen() {
        given().get(base + "/ops/providers").then().statusCode(200);
        given().get(base + "/ops/providers/ops-sample").then().statusCode(200);
        given().get(base + "/q/health/ready").then().statusCode(200);
        given().get(base + "/q/health/live").then().statusCode(200);
        given().get(base + "/q/metrics").then().statusCode(200);
        // the public port has no authentication: a stray Authorization header changes nothing there
        given().auth().preemptive().basic("operator", "wrong").get("/search").then().statusCode(200);
    }

    @Test
    void notOnThePublicPort() {
        given().get("/ops/providers").then().statusCode(404);
        given().post("/ops/providers/ops-sample/sync").then().statusCode(404);
    }
}
