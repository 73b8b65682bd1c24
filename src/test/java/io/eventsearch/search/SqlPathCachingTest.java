package io.eventsearch.search;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.SqlPath;
import io.eventsearch.support.TestDatabase;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** The SQL path's shared cache: answers in Redis under the data version, and a sync seen at once all the same. */
@QuarkusTest
@TestProfile(SqlPath.class)
class SqlPathCachingTest {

    private static final String YEAR_2021 = "starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T23:59:59Z";

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

    private JsonPath page(String query) {
        return given().urlEncodingEnabled(false).get("/v2/search?" + query).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aSyncInvalidatesCachedAnswersAtOnce() {
        provider.sync(Feeds.planList(1));
        given().get("/search").then().body("data.events", hasSize(4));
        given().get("/search").then().body("data.events", hasSize(4));
        // the answer is cached in Redis under the current data version
        List<String> keys = redis.key().keys("es:search:v1:*");
        assertThat(keys).anySatisfy(k -> assertThat(k).endsWith(":-:-"));

        provider.sync(Feeds.planList(2));
        // no waiting for a TTL: the next request sees the new catalogue
        given().get("/search").then().body("data.events", hasSize(2));
    }

    @Test
    void pagesAreCachedUnderTheirOwnKeys() {
        provider.sync(Feeds.planList(1));
        page(YEAR_2021 + "&limit=2");
        long version = db.count("SELECT data_version FROM catalogue_state");
        // written behind the answer (fire and forget), under the data version and the normalised query
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                redis.key().keys("es:search:v2:latest:*")).anySatisfy(k -> assertThat(k)
                        .endsWith(":" + version + ":1609459200000:1640995199000|-|-|-|-|2|-")));
        // a second identical request is the same bytes
        String once = given().urlEncodingEnabled(false).get("/v2/search?" + YEAR_2021 + "&limit=2").asString();
        assertThat(given().urlEncodingEnabled(false).get("/v2/search?" + YEAR_2021 + "&limit=2").asString()).isEqualTo(once);
        // and a sync is seen at once
        provider.sync(Feeds.planList(2));
        assertThat(page(YEAR_2021 + "&limit=2").getList("data.events.title")).containsExactly("Camela en concierto",
                "Los Morancos");
    }

}
