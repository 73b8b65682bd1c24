package io.eventsearch.search;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.eventsearch.search.json.EventSummary;
import io.eventsearch.storage.PlanIds;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.RawHttp;
import io.eventsearch.support.TestDatabase;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The v1 contract of GET /search, against real PostgreSQL and Redis. */
@QuarkusTest
class SearchResourceTest {

    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Inject
    RedisDataSource redis;

    CatalogueLoader.Provider provider;

    @BeforeEach
    void setUp() {
        db.reset();
        provider = loader.provider("sample");
    }

    @Test
    void returnsTheEnvelopeWithEveryFieldInItsFormat() {
        provider.sync(Feeds.planList(1));
        given().when().get("/search")
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("error", nullValue())
                .body("data.events", hasSize(4))
                .body("data.events.id", everyItem(matchesPattern(UUID)))
                .body("data.events.start_date", everyItem(matchesPattern("\\d{4}-\\d{2}-\\d{2}")))
                .body("data.events.end_date", everyItem(matchesPattern("\\d{4}-\\d{2}-\\d{2}")))
                .body("data.events.start_time", everyItem(matchesPattern("\\d{2}:\\d{2}:\\d{2}")))
                .body("data.events.end_time", everyItem(matchesPattern("\\d{2}:\\d{2}:\\d{2}")))
                // ordered by start, then id
                .body("data.events.title", contains("Pantomima Full", "Pantomima Full", "Camela en concierto", "Los Morancos"))
                .body("data.events[2].id", equalTo(PlanIds.of("sample", "291", "291").toString()))
                .body("data.events[2].start_date", equalTo("2021-06-30"))
                .body("data.events[2].start_time", equalTo("21:00:00"))
                .body("data.events[2].end_date", equalTo("2021-06-30"))
                .body("data.events[2].end_time", equalTo("22:00:00"))
                .body("data.events[2].min_price", equalTo(15.00f))
                .body("data.events[2].max_price", equalTo(30.00f))
                .body("data.events[3].min_price", equalTo(65.00f))
                .body("data.events[3].max_price", equalTo(75.00f));
        // exact keys, nothing more (the contract's EventSummary)
        Map<String, Object> first = given().get("/search").jsonPath().getMap("data.events[0]");
        assertThat(first).containsOnlyKeys("id", "title", "start_date", "start_time", "end_date", "end_time", "min_price",
                "max_price");
        assertThat(given().get("/search").asString()).contains("\"min_price\":55.00");
    }

    @Test
    void anEmptyCatalogueIsAnEmptyList() {
        given().get("/search").then().statusCode(200).body("data.events", empty()).body("error", nullValue());
    }

    @ParameterizedTest
    @CsvSource({
            // both bounds inclusive: exactly Camela (21:00 to 22:00)
            "2021-06-30T21:00:00Z, 2021-06-30T22:00:00Z, Camela en concierto",
            // the same instants with another offset
            "2021-06-30T23:00:00+02:00, 2021-07-01T00:00:00+02:00, Camela en concierto",
            // no offset is UTC; a fraction is fine
            "2021-06-30T21:00:00, 2021-06-30T22:00:00.000Z, Camela en concierto",
            // one second short of the end: nothing
            "2021-06-30T21:00:00Z, 2021-06-30T21:59:59Z, ''",
            // only a lower bound
            "2021-07-01T00:00:00Z, '', Los Morancos",
    })
    void filtersByStartAndEndInclusive(String startsAt, String endsAt, String expected) {
        provider.sync(Feeds.planList(1));
        var request = given().queryParam("starts_at", startsAt);
        if (!endsAt.isEmpty()) {
            request = request.queryParam("ends_at", endsAt);
        }
        List<String> titles = request.get("/search").then().statusCode(200).extract().jsonPath().getList("data.events.title");
        assertThat(titles).isEqualTo(expected.isEmpty() ? List.of() : List.of(expected));
    }

    @Test
    void onlyAnUpperBound() {
        provider.sync(Feeds.planList(1));
        given().queryParam("ends_at", "2021-02-11T21:30:00Z").get("/search").then().statusCode(200)
                .body("data.events.title", contains("Pantomima Full", "Pantomima Full"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "starts_at=yesterday | invalid_date_time",
            "starts_at=2021-02-30T00:00:00Z | invalid_date_time",
            "starts_at=2021-06-30 | invalid_date_time",
            "ends_at=2021-06-30T25:00:00Z | invalid_date_time",
            "starts_at= | invalid_date_time",
            "starts_at=2021-07-01T00:00:00Z&ends_at=2021-06-01T00:00:00Z | invalid_range",
            "starts_at=2021-07-01T00:00:00Z&starts_at=2021-07-02T00:00:00Z | repeated_parameter",
            "ends_at=2021-07-01T00:00:00Z&ends_at=2021-07-01T00:00:00Z | repeated_parameter",
            "starts_at=%E2%82%28 | invalid_date_time",
    })
    void malformedQueriesGetTheContractsErrorBody(String query, String code) {
        given().urlEncodingEnabled(false).get("/search?" + query)
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("data", nullValue())
                .body("error.code", equalTo(code))
                .body("error.message", not(empty()))
                .body("$", not(org.hamcrest.Matchers.hasKey("stack")));
    }

    @Test
    void anUndecodableQueryStringGetsTheContractsErrorBody() {
        for (String target : List.of("/search?starts_at=%zz", "/search?starts_at=2021-01-01T00:00:00Z%", "/sea%rch")) {
            RawHttp.Reply reply = RawHttp.get(io.restassured.RestAssured.port, target);
            assertThat(reply.status()).as(target).isEqualTo(400);
            assertThat(io.restassured.path.json.JsonPath.from(reply.body()).getString("error.code")).as(target)
                    .isEqualTo("invalid_query");
            assertThat(reply.body()).as(target).contains("\"data\":null");
        }
    }

    @Test
    void unknownRoutesAndMethodsGetTheEnvelopeToo() {
        given().get("/nowhere").then().statusCode(404).body("error.code", equalTo("not_found")).body("data", nullValue());
        given().post("/search").then().statusCode(405).body("error.code", equalTo("method_not_allowed"));
    }

    @Test
    void onlyOnlinePlansAreVisible() {
        provider.sync("""
                <planList><output>
                  <base_plan base_plan_id="1" sell_mode="online" title="On sale">
                    <plan plan_id="1" plan_start_date="2030-01-01T20:00:00" plan_end_date="2030-01-01T22:00:00"/>
                  </base_plan>
                  <base_plan base_plan_id="2" sell_mode="offline" title="Box office only">
                    <plan plan_id="1" plan_start_date="2030-01-02T20:00:00" plan_end_date="2030-01-02T22:00:00"/>
                  </base_plan>
                </output></planList>
                """);
        given().get("/search").then().statusCode(200)
                .body("data.events.title", contains("On sale"))
                // a plan without zones has no prices
                .body("data.events[0].min_price", nullValue())
                .body("data.events[0].max_price", nullValue());
        assertThat(db.count("SELECT count(*) FROM plans")).isEqualTo(2);
    }

    @Test
    void plansMissingFromTheLatestFeedLeaveTheScope() {
        provider.sync(Feeds.planList(1));
        given().get("/search").then().body("data.events.title", hasSize(4));
        provider.sync(Feeds.planList(2));
        // 322 (Pantomima) is gone from the feed, 444 is offline: Camela and Los Morancos remain
        given().get("/search").then().statusCode(200)
                .body("data.events.title", contains("Camela en concierto", "Los Morancos"))
                .body("data.events[1].end_time", equalTo("21:20:00"));
    }

    @Test
    void plansThatLeftTheScopeAndComeBackUnchangedAreShownAgainAtOnce() {
        // a provider whose empty feeds apply: the whole catalogue leaves the scope, then comes back as it was
        CatalogueLoader.Provider allowsEmpty = loader.provider("comeback", s -> s.withHold(
                new io.eventsearch.provider.ProviderSettings.HoldPolicy(true, 3, java.time.Duration.ofMinutes(5))));
        allowsEmpty.sync(Feeds.planList(1));
        given().get("/search").then().body("data.events", hasSize(4));
        assertThat(allowsEmpty.sync("<planList><output/></planList>").plansGoneStale).isEqualTo(4);
        given().get("/search").then().body("data.events", hasSize(0));
        String etagWhileEmpty = given().get("/search").header("ETag");

        io.eventsearch.storage.SyncRun back = allowsEmpty.sync(Feeds.planList(1));
        assertThat(back.plansReturned).isEqualTo(4);
        assertThat(back.plansInserted + back.plansUpdated).isZero();
        given().get("/search").then().body("data.events", hasSize(4));
        // the version moved: a client revalidating what it saw while the scope was empty gets the new answer
        given().header("If-None-Match", etagWhileEmpty).get("/search").then().statusCode(200)
                .body("data.events", hasSize(4));
    }

    @Test
    void aPartOfTheCatalogueThatComesBackUnchangedIsShownAgain() {
        String full = Feeds.text(Feeds.planList(1));
        // the same feed without base plan 322 (two plans): half the scope leaves, within the drop ratio
        String without322 = full.replaceAll("(?s)<base_plan base_plan_id=\"322\".*?</base_plan>", "");
        assertThat(without322).doesNotContain("base_plan_id=\"322\"");
        provider.sync(full);
        assertThat(provider.sync(without322).plansGoneStale).isEqualTo(2);
        given().get("/search").then().body("data.events", hasSize(2));
        io.eventsearch.storage.SyncRun back = provider.sync(full);
        assertThat(back.plansReturned).isEqualTo(2);
        assertThat(back.basePlansReturned).isEqualTo(1);
        given().get("/search").then().body("data.events", hasSize(4))
                .body("data.events.title", contains("Pantomima Full", "Pantomima Full", "Camela en concierto", "Los Morancos"));
    }

    @Test
    void plansOfOtherProvidersStayInScopeWhenOneProviderChanges() {
        provider.sync(Feeds.planList(1));
        CatalogueLoader.Provider other = loader.provider("other");
        other.sync(Feeds.sample("eventList", 1));
        given().get("/search").then().body("data.events", hasSize(7));
        other.sync("<eventList><output/></eventList>"); // held: a whole catalogue dropped at once
        given().get("/search").then().body("data.events", hasSize(7));
        provider.sync(Feeds.planList(2));
        given().get("/search").then().body("data.events", hasSize(5));
    }

    @Test
    void aFailedSyncLeavesTheAnswerAsItWas() {
        provider.sync(Feeds.planList(1));
        String before = given().get("/search").asString();
        try {
            provider.sync("<planList><output><base_plan base_plan_id=\"1\"");
        } catch (IllegalStateException expected) {
            assertThat(expected).hasMessageContaining("malformed_feed");
        }
        assertThat(given().get("/search").asString()).isEqualTo(before);
        db.reset();
        given().get("/search").then().body("data.events", empty());
    }

    @Test
    void theServedOpenApiDocumentIsTheContract() {
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("operationId: searchEvents"))
                .body(containsString("EventSummary"));
    }
}
