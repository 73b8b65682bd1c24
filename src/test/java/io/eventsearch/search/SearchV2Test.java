package io.eventsearch.search;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.eventsearch.storage.PlanIds;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** GET /v2/search: keyset pages, filters, zones, freshness, errors. */
@QuarkusTest
class SearchV2Test {

    private static final String YEAR_2021 = "starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T23:59:59Z";
    private static final String YEAR_2030 = "starts_at=2030-01-01T00:00:00Z&ends_at=2030-12-31T23:59:59Z";

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

    static String days(int... days) {
        return Feeds.daysOf2030(days);
    }

    private static String id(int day) {
        return PlanIds.of("sample", "b", Integer.toString(day)).toString();
    }

    private static JsonPath page(String query) {
        return given().urlEncodingEnabled(false).get("/v2/search?" + query).then().statusCode(200)
                .contentType(ContentType.JSON).body("error", nullValue()).extract().jsonPath();
    }

    @Test
    void pagesWalkTheWholeWindowInOrderWithoutDuplicatesOrGaps() {
        provider.sync(days(IntStream.rangeClosed(1, 11).toArray()));
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonPath page = page(YEAR_2030 + "&limit=4" + (cursor == null ? "" : "&cursor=" + cursor));
            seen.addAll(page.getList("data.events.id"));
            cursor = page.getString("data.next_cursor");
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(IntStream.rangeClosed(1, 11).mapToObj(SearchV2Test::id).toList());
        // exactly a page's worth: the last full page says there is no more
        db.reset();
        loader.provider("four").sync(days(1, 2, 3, 4));
        assertThat(page(YEAR_2030 + "&limit=4").getString("data.next_cursor")).isNull();
        assertThat(page(YEAR_2030 + "&limit=3").getString("data.next_cursor")).isNotNull();
    }

    @Test
    void aSyncBetweenPagesNeitherRepeatsNorSkips() {
        provider.sync(days(2, 4, 6, 8, 10, 12, 14));
        JsonPath first = page(YEAR_2030 + "&limit=3");
        assertThat(first.getList("data.events.id", String.class)).containsExactly(id(2), id(4), id(6));
        String cursor = first.getString("data.next_cursor");
        long versionBefore = first.getLong("meta.data_version");

        // a sync between pages: before the cursor, 1 appears and 4 leaves; after it, 9 appears and 10 leaves
        provider.sync(days(1, 2, 6, 8, 9, 12, 14));

        List<String> rest = new ArrayList<>();
        long versionAfter = -1;
        while (cursor != null) {
            JsonPath page = page(YEAR_2030 + "&limit=3&cursor=" + cursor);
            rest.addAll(page.getList("data.events.id"));
            cursor = page.getString("data.next_cursor");
            versionAfter = page.getLong("meta.data_version");
        }
        assertThat(versionAfter).isGreaterThan(versionBefore);
        // the rest is exactly the new version's list after the cursor's position: nothing twice, nothing skipped
        assertThat(rest).containsExactly(id(8), id(9), id(12), id(14));
        List<String> all = new ArrayList<>(first.getList("data.events.id"));
        all.addAll(rest);
        assertThat(new LinkedHashSet<>(all)).hasSameSizeAs(all);
    }

    @Test
    void theDefaultPageIsFiftyAndTheMaximumFiveHundred() {
        provider.sync(days(IntStream.rangeClosed(1, 60).toArray()));
        JsonPath byDefault = page(YEAR_2030);
        assertThat(byDefault.getList("data.events")).hasSize(50);
        assertThat(byDefault.getString("data.next_cursor")).isNotNull();
        assertThat(page(YEAR_2030 + "&cursor=" + byDefault.getString("data.next_cursor")).getList("data.events")).hasSize(10);
        JsonPath all = page(YEAR_2030 + "&limit=500");
        assertThat(all.getList("data.events")).hasSize(60);
        assertThat(all.getString("data.next_cursor")).isNull();
        assertThat(page(YEAR_2030 + "&limit=1").getList("data.events")).hasSize(1);
    }

    @Test
    void eventsAreTheContractsSummariesWithFreshness() {
        provider.sync(Feeds.planList(1));
        JsonPath page = page(YEAR_2021);
        assertThat(page.getList("data.events.title")).containsExactly("Pantomima Full", "Pantomima Full",
                "Camela en concierto", "Los Morancos");
        Map<String, Object> camela = page.getMap("data.events[2]");
        assertThat(camela).containsOnlyKeys("id", "title", "start_date", "start_time", "end_date", "end_time", "min_price",
                "max_price");
        assertThat(camela).containsEntry("id", PlanIds.of("sample", "291", "291").toString())
                .containsEntry("start_date", "2021-06-30").containsEntry("start_time", "21:00:00")
                .containsEntry("min_price", 15.00f).containsEntry("max_price", 30.00f);
        assertThat(page.getString("data.next_cursor")).isNull();
        assertThat(page.getString("meta.synced_at")).isEqualTo(db.value("SELECT changed_at FROM catalogue_state").toString());
        assertThat(page.getLong("meta.data_version")).isEqualTo(db.count("SELECT data_version FROM catalogue_state"));
        assertThat(given().urlEncodingEnabled(false).get("/v2/search?" + YEAR_2021).asString()).contains("\"min_price\":55.00");
    }

    @Test
    void includeZonesListsEachPlansZonesInFeedOrder() {
        provider.sync(Feeds.planList(1));
        provider.sync(Feeds.planList(1)); // unchanged: zones are kept as they are
        JsonPath page = page(YEAR_2021 + "&include=zones");
        assertThat(page.getList("data.events[2].zones")).containsExactly(
                Map.of("zone_id", "40", "name", "Platea", "capacity", 243, "price", 20.00f, "numbered", true),
                Map.of("zone_id", "38", "name", "Grada 2", "capacity", 100, "price", 15.00f, "numbered", false),
                Map.of("zone_id", "30", "name", "A28", "capacity", 90, "price", 30.00f, "numbered", true));
        // a zone id repeated inside a plan is two zones
        assertThat(page.getList("data.events[3].zones.price")).containsExactly(75.00f, 65.00f);
        assertThat(given().urlEncodingEnabled(false).get("/v2/search?" + YEAR_2021 + "&include=zones").asString())
                .contains("\"price\":20.00");
        // without include, no zones key
        assertThat(page(YEAR_2021).getMap("data.events[0]")).doesNotContainKey("zones");
        // a plan without zones has an empty list
        loader.provider("other").sync("<planList><output><base_plan base_plan_id=\"1\" sell_mode=\"online\" title=\"No zones\">"
                + "<plan plan_id=\"1\" plan_start_date=\"2030-01-01T20:00:00\" plan_end_date=\"2030-01-01T22:00:00\"/>"
                + "</base_plan></output></planList>");
        given().urlEncodingEnabled(false).get("/v2/search?" + YEAR_2030 + "&include=zones").then()
                .body("data.events[0].zones", empty());
    }

    @Test
    void filtersByProviderAndPriceBounds() {
        provider.sync(Feeds.planList(1));
        loader.provider("other").sync(days(1, 2));
        given().urlEncodingEnabled(false).get("/v2/search?starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T00:00:00Z&provider=other")
                .then().statusCode(200).body("data.events", empty());
        assertThat(page(YEAR_2030 + "&provider=other").getList("data.events.title")).containsExactly("Daily", "Daily");
        assertThat(page(YEAR_2030 + "&provider=sample").getList("data.events")).isEmpty();
        assertThat(page(YEAR_2030 + "&provider=nobody").getList("data.events")).isEmpty();
        // bounds on the returned prices: min_price <= the cheapest ticket, the dearest <= max_price
        assertThat(page(YEAR_2021 + "&min_price=50").getList("data.events.title"))
                .containsExactly("Pantomima Full", "Pantomima Full", "Los Morancos");
        assertThat(page(YEAR_2021 + "&max_price=30").getList("data.events.title")).containsExactly("Camela en concierto");
        assertThat(page(YEAR_2021 + "&min_price=20&max_price=60").getList("data.events.title"))
                .containsExactly("Pantomima Full", "Pantomima Full");
        assertThat(page(YEAR_2021 + "&min_price=15.00&max_price=30.0").getList("data.events.title"))
                .containsExactly("Camela en concierto");
        // filters and a cursor go together
        JsonPath first = page(YEAR_2021 + "&min_price=50&limit=2");
        assertThat(first.getList("data.events.title")).hasSize(2);
        assertThat(page(YEAR_2021 + "&min_price=50&limit=2&cursor=" + first.getString("data.next_cursor"))
                .getList("data.events.title")).containsExactly("Los Morancos");
    }

    @Test
    void aTamperedOrForeignCursorIsA400() {
        provider.sync(days(1, 2, 3));
        String cursor = page(YEAR_2030 + "&limit=1").getString("data.next_cursor");
        assertThat(cursor).matches("[A-Za-z0-9_-]+");
        // one bit flipped anywhere
        byte[] bytes = Base64.getUrlDecoder().decode(cursor);
        for (int i = 0; i < bytes.length; i++) {
            byte[] tampered = bytes.clone();
            tampered[i] ^= 0x04;
            given().get("/v2/search?" + YEAR_2030 + "&cursor=" + Base64.getUrlEncoder().withoutPadding().encodeToString(tampered))
                    .then().statusCode(400).body("error.code", equalTo("invalid_cursor"));
        }
        // truncated
        given().get("/v2/search?" + YEAR_2030 + "&cursor=" + cursor.substring(0, cursor.length() - 2))
                .then().statusCode(400).body("error.code", equalTo("invalid_cursor"));
        // issued for other filters
        given().get("/v2/search?" + YEAR_2030 + "&provider=sample&cursor=" + cursor)
                .then().statusCode(400).body("error.code", equalTo("invalid_cursor"));
        given().get("/v2/search?starts_at=2030-01-01T00:00:00Z&ends_at=2030-06-30T00:00:00Z&cursor=" + cursor)
                .then().statusCode(400).body("error.code", equalTo("invalid_cursor"));
        // another page size is fine
        given().get("/v2/search?" + YEAR_2030 + "&limit=5&cursor=" + cursor).then().statusCode(200)
                .body("data.events.id", contains(id(2), id(3)));
    }

    @Test
    void theServedOpenApiDocumentHasV2() {
        given().get("/q/openapi").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("operationId: searchEventsV2"))
                .body(org.hamcrest.Matchers.containsString("next_cursor"))
                .body(org.hamcrest.Matchers.containsString("TooManyRequests"));
    }

    @Test
    void theWindowIsBounded() {
        // v2: a window must be closed and at most the maximum (366 days in tests as by default)
        for (String query : List.of("limit=5", "starts_at=2030-01-01T00:00:00Z", "ends_at=2030-01-01T00:00:00Z",
                "starts_at=2030-01-01T00:00:00Z&ends_at=2031-01-02T00:00:01Z")) {
            given().get("/v2/search?" + query).then().statusCode(400)
                    .body("error.code", equalTo("window_too_large"))
                    .body("error.message", not(org.hamcrest.Matchers.emptyString()));
        }
        given().get("/v2/search?starts_at=2030-01-01T00:00:00Z&ends_at=2031-01-02T00:00:00Z").then().statusCode(200);
        // v1 has no bound: every valid window is answered, however long, as the contract says
        given().get("/search?starts_at=2030-01-01T00:00:00Z&ends_at=2031-01-02T00:00:01Z").then().statusCode(200);
        given().get("/search?starts_at=2030-01-01T00:00:00Z").then().statusCode(200);
        given().get("/search").then().statusCode(200).body("data.events", hasSize(0));
    }

    @Test
    void v1AnswersAWindowOfYearsWithEverythingInIt() {
        provider.sync(Feeds.planList(1));
        // two years, closed on both sides: the same events as the window left open at its end
        given().get("/search?starts_at=2021-01-01T00:00:00Z&ends_at=2022-12-31T23:59:59Z").then().statusCode(200)
                .body("error", nullValue()).body("data.events", hasSize(4));
        given().get("/search?starts_at=2021-01-01T00:00:00Z").then().statusCode(200).body("data.events", hasSize(4));
        given().get("/search?starts_at=1000-01-01T00:00:00Z&ends_at=9999-12-31T00:00:00Z").then().statusCode(200)
                .body("data.events", hasSize(4));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit=0 | invalid_parameter",
            "limit=501 | invalid_parameter",
            "limit=-1 | invalid_parameter",
            "limit=ten | invalid_parameter",
            "limit= | invalid_parameter",
            "limit=99999999999 | invalid_parameter",
            "limit=2&limit=3 | repeated_parameter",
            "cursor=garbage | invalid_cursor",
            "cursor= | invalid_cursor",
            "cursor=%25%25 | invalid_cursor",
            "provider=Not-A-Name | invalid_parameter",
            "min_price=-1 | invalid_parameter",
            "min_price=1.234 | invalid_parameter",
            "max_price=abc | invalid_parameter",
            "min_price=30&max_price=20 | invalid_range",
            "include=everything | invalid_parameter",
            "provider= | invalid_parameter",
            "include= | invalid_parameter",
            "ends_at=2021-12-31T00:00:00Z | repeated_parameter",
    })
    void badParametersAre400sWithTheContractsBody(String extra, String code) {
        given().urlEncodingEnabled(false).get("/v2/search?" + YEAR_2021 + "&" + extra)
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("data", nullValue())
                .body("error.code", equalTo(code))
                .body("error.message", notNullValue());
    }
}
