package io.eventsearch.search;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** events.search.scope=ever-seen: every plan ever seen online stays searchable after it leaves the feed. */
@QuarkusTest
@TestProfile(EverSeenScopeTest.EverSeen.class)
class EverSeenScopeTest {

    public static class EverSeen implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("events.search.scope", "ever-seen");
        }
    }

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @BeforeEach
    void setUp() {
        db.reset();
    }

    @Test
    void plansThatLeftTheFeedAreStillReturned() {
        CatalogueLoader.Provider provider = loader.provider("sample");
        provider.sync(Feeds.planList(1));
        provider.sync(Feeds.planList(2));
        given().get("/search").then().statusCode(200)
                .body("data.events.title", contains("Pantomima Full", "Pantomima Full", "Camela en concierto", "Los Morancos"));
        // v2 has the same scope
        given().get("/v2/search?starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T00:00:00Z&limit=3").then().statusCode(200)
                .body("data.events.title", contains("Pantomima Full", "Pantomima Full", "Camela en concierto"));
    }

    @Test
    void aBasePlanNeverSeenOnlineStaysHidden() {
        CatalogueLoader.Provider provider = loader.provider("sample");
        String plan = "<plan plan_id=\"1\" plan_start_date=\"2030-01-01T20:00:00\" plan_end_date=\"2030-01-01T22:00:00\"/>";
        provider.sync("<planList><output><base_plan base_plan_id=\"1\" sell_mode=\"online\" title=\"Was on sale\">" + plan
                + "</base_plan><base_plan base_plan_id=\"2\" sell_mode=\"offline\" title=\"Never on sale\">" + plan
                + "</base_plan></output></planList>");
        // later the first goes offline too: it was seen online once, so it stays
        provider.sync("<planList><output><base_plan base_plan_id=\"1\" sell_mode=\"offline\" title=\"Was on sale\">" + plan
                + "</base_plan><base_plan base_plan_id=\"2\" sell_mode=\"offline\" title=\"Never on sale\">" + plan
                + "</base_plan></output></planList>");
        given().get("/search").then().statusCode(200).body("data.events.title", contains("Was on sale"));
    }
}
