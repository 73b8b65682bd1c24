package io.eventsearch.search.http;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.in;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.eventsearch.search.ratelimit.WarmUpPass;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Readiness waits for the warm-up; the warm-up's searches all pass a rate limit that would refuse all but three of
 * them, and once it is over its secret lifts the limit for nobody.
 */
@QuarkusTest
@TestProfile(ServingWarmUpTest.Warm.class)
class ServingWarmUpTest {

    public static class Warm implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("events.search.warm-up.duration", "6s", "events.search.warm-up.connections", "2",
                    "events.rate-limit.capacity", "3", "events.rate-limit.refill-per-second", "0.1",
                    "events.rate-limit.redis", "false");
        }
    }

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    ServingWarmUp warmUp;

    @Inject
    WarmUpPass pass;

    @Test
    void readinessWaitsForAWarmUpThatPassesTheRateLimit() {
        String ready = "http://" + management.getHost() + ":" + management.getPort() + "/q/health/ready";
        given().get(ready).then().statusCode(503)
                .body("checks.find { it.name == 'read-model' }.data.state", in(List.of("loading", "warming up")));

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(warmUp::done);
        assertThat(warmUp.requests()).as("searches sent in the warm-up").isGreaterThan(20);
        assertThat(warmUp.failed()).as("searches answered otherwise than expected (429s among them)").isZero();
        given().get(ready).then().statusCode(200)
                .body("checks.find { it.name == 'read-model' }.data.state", equalTo("serving"));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            statuses.add(given().header(WarmUpPass.HEADER, pass.secret())
                    .get("/search?starts_at=2021-01-01T00:00:00Z&ends_at=2021-02-01T00:00:00Z").statusCode());
        }
        assertThat(statuses).as("the secret no longer passes the limit").contains(429);
    }
}
