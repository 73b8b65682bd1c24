package io.eventsearch.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.net.URL;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.eventsearch.search.cache.RedisAnswerCache;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Probes and metrics on the management interface. */
@QuarkusTest
class HealthAndMetricsTest {

    @TestHTTPResource(value = "/health/live", management = true)
    URL live;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Test
    void livenessAndReadinessAreUpWithTheirDetails() {
        given().get(live).then().statusCode(200).body("status", equalTo("UP"));
        given().get(ready).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Reactive PostgreSQL connections health check", "search-cache", "providers"))
                .body("checks.find { it.name == 'search-cache' }.data.redis", equalTo("up"));
    }

    @Test
    void syncAndSearchFiguresAreExported() {
        db.reset();
        loader.provider("sample").sync(Feeds.planList(2));
        given().get("/search").then().statusCode(200);
        given().get(metrics).then().statusCode(200)
                .body(containsString("events_sync_runs_total{"))
                .body(containsString("outcome=\"succeeded\""))
                .body(containsString("events_sync_records_skipped_total{provider=\"sample\",reason=\"invalid_date\"}"))
                .body(containsString("events_search_cache_total{"))
                .body(containsString("http_server_requests_seconds_count{"));
    }

    @Test
    void dependencyGatesReportThroughFaultToleranceMetrics() {
        db.reset();
        loader.provider("sample").sync(Feeds.planList(2));
        given().get("/search?starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T00:00:00Z").then().statusCode(200);
        given().get(ready).then().statusCode(200);
        given().get(metrics).then().statusCode(200)
                .body(containsString("ft_circuitbreaker_state_current{"))
                .body(containsString("method=\"" + RedisAnswerCache.GATE + "\""))
                .body(containsString("ft_timeout_calls_total{"))
                .body(containsString("method=\"" + RedisAnswerCache.GATE + ".timeout\""));
    }

    @Test
    void healthIsNotOnThePublicPort() {
        given().get("/q/health").then().statusCode(404);
    }
}
