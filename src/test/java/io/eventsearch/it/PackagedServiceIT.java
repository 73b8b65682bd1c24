package io.eventsearch.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;

import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.Feeds;
import io.eventsearch.support.ProviderStub;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The packaged application (the same jar the container runs; a native executable with -Dnative), started as its
 * own process in the prod profile: packaging problems, missing resources or prod-only configuration show here.
 */
@QuarkusIntegrationTest
@TestProfile(PackagedServiceIT.Packaged.class)
@org.junit.jupiter.api.Order(Integer.MAX_VALUE) // its process lives to the end of the run: after the other ITs
class PackagedServiceIT {

    static {
        // a clean catalogue before the jar starts (the @QuarkusTests share this database)
        try {
            ItDatabase.reset();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A provider for the packaged service to sync, living in the test JVM. */
    static final ProviderStub PROVIDER = new ProviderStub().always(ProviderStub.Answer.ok(Feeds.planList(1)));
    /** The launched jar's management port, fixed here because integration tests do not map it for us. */
    static final int MANAGEMENT_PORT = freePort();

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static class Packaged implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String db = System.getenv().getOrDefault("EVENT_SEARCH_TEST_DB", "event_search_test");
            return Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/" + db,
                    "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/" + db,
                    "events.providers.packaged.url", PROVIDER.uri().toString(),
                    "events.providers.packaged.every", "2s",
                    "quarkus.management.port", Integer.toString(MANAGEMENT_PORT),
                    "quarkus.management.test-port", Integer.toString(MANAGEMENT_PORT),
                    "quarkus.shutdown.delay", "0s",
                    // the prod profile does not start without the operator password (a Secret in production)
                    "events.operator.password", ServiceProcess.OPERATOR_PASSWORD);
        }
    }

    private static String management(String path) {
        return "http://127.0.0.1:" + MANAGEMENT_PORT + path;
    }

    private final String ready = management("/q/health/ready");
    private final String started = management("/q/health/started");
    private final String metrics = management("/q/metrics");

    @Test
    void syncsItsProviderAndAnswersTheContract() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> given()
                .get("/search").jsonPath().getList("data.events.title").contains("Camela en concierto"));
        given().get("/search?starts_at=2021-06-30T21:00:00Z&ends_at=2021-06-30T22:00:00Z").then().statusCode(200)
                .body("data.events", hasSize(1))
                .body("data.events[0].id", matchesPattern("[0-9a-f-]{36}"))
                .header("X-Request-Id", matchesPattern("[0-9a-f]{16}"));
        given().get("/search?starts_at=nope").then().statusCode(400).body("error.code", equalTo("invalid_date_time"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("searchEvents"));
    }

    @Test
    void probesAndMetricsAreOnTheManagementInterface() {
        given().get("/search").then().statusCode(200);
        given().get(started).then().statusCode(200).body("status", equalTo("UP"));
        // readiness waits for the read model and the warm-up (events.search.warm-up.duration, 10 s in prod)
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().get(ready).statusCode() == 200);
        given().get(ready).then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems("catalogue", "providers", "search-cache"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> given().get(metrics).asString()
                .contains("events_provider_leader{provider=\"packaged\"} 1.0"));
        given().get(metrics).then().statusCode(200)
                .body(containsString("events_sync_runs_total{"))
                .body(containsString("events_provider_circuit_state{provider=\"packaged\"} 0.0"))
                .body(containsString("http_server_requests_seconds_bucket{"))
                .body(containsString("agroal_"))
                .body(containsString("sql_pool_usage_seconds"));
    }
}
