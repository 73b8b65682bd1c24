package io.eventsearch.search.readmodel;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Over its memory budget the read model lets go: the service says so and answers from SQL, correctly. */
@QuarkusTest
@TestProfile(ReadModelBudgetTest.TinyBudget.class)
class ReadModelBudgetTest {

    public static class TinyBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // room for about two plans: the samples' four do not fit
            return Map.of("events.search.read-model.max-size", "800", "events.search.read-model.retry-after", "1s");
        }
    }

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Inject
    ReadModel model;

    @Inject
    MeterRegistry metrics;

    @Test
    void overBudgetTheServiceAnswersFromSqlAndSaysSo() {
        db.reset();
        loader.provider("budget").sync(Feeds.planList(1));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> model.status().overBudget());
        assertThat(model.serving()).isNull();
        assertThat(metrics.find("events.search.read.model.serving").gauge().value()).isZero();
        String base = "http://" + management.getHost() + ":" + management.getPort();
        given().get(base + "/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'read-model' }.data.state", equalTo("over budget: searches are answered from SQL"));
        given().get("/search").then().statusCode(200).body("data.events", hasSize(4));
        given().get("/v2/search?starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T00:00:00Z&limit=3").then().statusCode(200)
                .body("data.events", hasSize(3));
    }
}
