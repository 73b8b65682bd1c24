package io.eventsearch.search;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.storage.PlanIds;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** HTTP caching of /search and /v2/search for a CDN in front: validators, 304s, Cache-Control, freshness. */
@QuarkusTest
class HttpCachingTest {

    private static final String WINDOW = "?starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T00:00:00Z";

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Inject
    MeterRegistry metrics;

    CatalogueLoader.Provider provider;

    @BeforeEach
    void setUp() {
        db.reset();
        provider = loader.provider("sample");
        provider.sync(Feeds.planList(1));
    }

    private Instant changedAt() {
        return (Instant) db.value("SELECT changed_at FROM catalogue_state");
    }

    @Test
    void everyAnswerCarriesValidatorsCacheControlAndFreshness() {
        for (String path : new String[] { "/search", "/search" + WINDOW, "/v2/search" + WINDOW }) {
            Response response = given().get(path);
            response.then().statusCode(200)
                    .header("ETag", matchesPattern("\"[0-9a-f]{8}-\\d+-[0-9a-f]+\""))
                    .header("Cache-Control", equalTo("public, max-age=5, stale-while-revalidate=10, stale-if-error=300"))
                    .header("X-Data-Synced-At", equalTo(changedAt().toString()));
            Instant lastModified = ZonedDateTime.parse(response.header("Last-Modified"), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            assertThat(lastModified).as(path).isEqualTo(changedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            assertThat(response.header("Last-Modified")).as("IMF-fixdate").matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
        }
        // the body's freshness (v2) is the header's
        given().get("/v2/search" + WINDOW).then().body("meta.synced_at", equalTo(changedAt().toString()));
    }

    @Test
    void anAnswerSentAgainFromTheSharedOffHeapCopyIsTheSameBytesAndHeaders() {
        for (String path : new String[] { "/search" + WINDOW, "/v2/search" + WINDOW + "&include=zones" }) {
            // the first answer is written from the heap bytes, every later one from the shared copy
            Response first = given().get(path);
            for (int i = 0; i < 3; i++) {
                Response again = given().get(path);
                again.then().statusCode(200).contentType("application/json");
                assertThat(again.asByteArray()).as(path).isEqualTo(first.asByteArray());
                assertThat(again.header("Content-Length")).as(path)
                        .isEqualTo(Integer.toString(first.asByteArray().length));
                assertThat(again.header("ETag")).isEqualTo(first.header("ETag"));
            }
        }
    }

    @Test
    void theV1BodyIsExactlyTheContractsWithHeadersOnTop() {
        String camela = PlanIds.of("sample", "291", "291").toString();
        String body = given().queryParam("starts_at", "2021-06-30T21:00:00Z").queryParam("ends_at", "2021-06-30T22:00:00Z")
                .get("/search").then().statusCode(200).header("ETag", not(emptyString())).extract().asString();
        assertThat(body).isEqualTo("{\"data\":{\"events\":[{\"id\":\"" + camela + "\",\"title\":\"Camela en concierto\","
                + "\"start_date\":\"2021-06-30\",\"start_time\":\"21:00:00\",\"end_date\":\"2021-06-30\",\"end_time\":\"22:00:00\","
                + "\"min_price\":15.00,\"max_price\":30.00}]},\"error\":null}");
    }

    @Test
    void aMatchingIfNoneMatchIs304WithoutTouchingCacheOrDatabase() {
        for (String path : new String[] { "/search" + WINDOW, "/v2/search" + WINDOW + "&limit=2" }) {
            String etag = given().get(path).then().statusCode(200).extract().header("ETag");
            double lookups = nearLookups();
            Response notModified = given().header("If-None-Match", etag).get(path);
            notModified.then().statusCode(304)
                    .header("ETag", equalTo(etag))
                    .header("Cache-Control", not(emptyString()))
                    .header("X-Data-Synced-At", equalTo(changedAt().toString()));
            assertThat(notModified.asByteArray()).as(path).isEmpty();
            // weak comparison, lists and * match too
            given().header("If-None-Match", "\"other\", W/" + etag).get(path).then().statusCode(304);
            given().header("If-None-Match", "*").get(path).then().statusCode(304);
            assertThat(nearLookups()).as("304s were answered before any cache lookup").isEqualTo(lookups);
            // a stale validator gets the full answer
            given().header("If-None-Match", "\"other\"").get(path).then().statusCode(200).header("ETag", equalTo(etag));
        }
    }

    @Test
    void aSyncChangesTheEtagSoOldValidatorsGetTheNewAnswer() {
        String etag = given().get("/search").then().extract().header("ETag");
        provider.sync(Feeds.planList(2));
        given().header("If-None-Match", etag).get("/search").then().statusCode(200)
                .header("ETag", not(equalTo(etag)))
                .header("X-Data-Synced-At", equalTo(changedAt().toString()))
                .body("data.events.title", org.hamcrest.Matchers.contains("Camela en concierto", "Los Morancos"));
    }

    @Test
    void theEtagIsThatOfTheNormalisedQuery() {
        String utc = given().get("/search" + WINDOW).then().extract().header("ETag");
        String offset = given().queryParam("starts_at", "2021-01-01T01:00:00+01:00")
                .queryParam("ends_at", "2021-12-30T19:00:00-05:00").get("/search").then().extract().header("ETag");
        assertThat(offset).isEqualTo(utc);
        assertThat(given().get("/search").then().extract().header("ETag")).isNotEqualTo(utc);
        assertThat(given().get("/v2/search" + WINDOW).then().extract().header("ETag")).as("v2 is another resource")
                .isNotEqualTo(utc);
        assertThat(given().get("/v2/search" + WINDOW + "&limit=3").then().extract().header("ETag"))
                .isNotEqualTo(given().get("/v2/search" + WINDOW + "&limit=2").then().extract().header("ETag"));
    }

    @Test
    void ifModifiedSinceIsHonouredWhenThereIsNoIfNoneMatch() {
        String lastModified = given().get("/search").then().extract().header("Last-Modified");
        given().header("If-Modified-Since", lastModified).get("/search").then().statusCode(304);
        given().header("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT").get("/search").then().statusCode(200);
        given().header("If-Modified-Since", "not a date").get("/search").then().statusCode(200);
        // If-None-Match wins over If-Modified-Since
        given().header("If-Modified-Since", lastModified).header("If-None-Match", "\"other\"").get("/search")
                .then().statusCode(200);
    }

    @Test
    void errorsAreNotCacheable() {
        given().get("/search?starts_at=yesterday").then().statusCode(400)
                .header("ETag", nullValue())
                .header("Cache-Control", nullValue());
    }

    private double nearLookups() {
        return metrics.counter("events.search.cache", "layer", "near", "result", "hit").count()
                + metrics.counter("events.search.cache", "layer", "near", "result", "miss").count();
    }
}
