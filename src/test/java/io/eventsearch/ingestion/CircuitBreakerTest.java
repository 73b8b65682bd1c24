package io.eventsearch.ingestion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.provider.ProviderGuards;
import io.eventsearch.provider.ProviderSettings;
import io.eventsearch.storage.SyncRun;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.ProviderStub;
import io.eventsearch.support.ProviderStub.Answer;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/** A dead provider is not hammered: its breaker opens, the state shows in metrics and health, and it recovers. */
@QuarkusTest
@TestProfile(CircuitBreakerTest.QuickBreaker.class)
class CircuitBreakerTest {

    public static class QuickBreaker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "events.ingestion.retry.max-retries", "1",
                    "events.ingestion.retry.initial-delay", "10ms",
                    "events.ingestion.retry.max-delay", "20ms",
                    "events.ingestion.retry.jitter", "5ms",
                    "events.ingestion.circuit-breaker.request-volume", "4",
                    "events.ingestion.circuit-breaker.failure-ratio", "0.75",
                    "events.ingestion.circuit-breaker.delay", "12s");
        }
    }

    @Inject
    SyncService sync;
    @Inject
    ProviderRegistry registry;
    @Inject
    ProviderGuards guards;
    @Inject
    TestDatabase db;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    ProviderStub stub;
    RegisteredProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        db.reset();
        stub = new ProviderStub();
        guards.reset("dead");
        provider = registry.register(ProviderSettings.of("dead", stub.uri()));
    }

    @AfterEach
    void tearDown() {
        stub.close();
    }

    private SyncRun syncNow() {
        return sync.sync(provider).await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void opensAfterRepeatedFailuresStopsAskingAndClosesWhenTheProviderRecovers() {
        stub.always(Answer.status(503));
        SyncRun first = syncNow(); // 2 attempts
        SyncRun second = syncNow(); // 2 more: 4 failures in 4 requests opens the breaker
        assertThat(first.failureReason).isEqualTo("http_503");
        assertThat(second.failureReason).isEqualTo("http_503");
        assertThat(guards.state("dead")).isEqualTo(CircuitBreakerState.OPEN);
        int asked = stub.requests();
        assertThat(asked).isEqualTo(4);

        SyncRun third = syncNow();
        assertThat(third.outcome).isEqualTo(SyncRun.Outcome.FAILED);
        assertThat(third.failureReason).isEqualTo("circuit_open");
        assertThat(stub.requests()).as("an open breaker does not ask the provider").isEqualTo(asked);

        given().get(metrics).then().statusCode(200)
                .body(containsString("events_provider_circuit_state{provider=\"dead\"} 2.0"));
        given().get(ready).then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'providers' }.data.dead", containsString("circuit open"));

        // after the breaker's delay it lets one download through (half-open); a good answer closes it
        stub.always(Answer.ok(Feeds.planList(1)));
        Awaitility.await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
                .until(() -> guards.state("dead") == CircuitBreakerState.HALF_OPEN);
        assertThat(syncNow().outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(guards.state("dead")).isEqualTo(CircuitBreakerState.CLOSED);
        given().get(metrics).then().body(containsString("events_provider_circuit_state{provider=\"dead\"} 0.0"));
    }
}
