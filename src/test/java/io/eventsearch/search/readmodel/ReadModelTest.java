package io.eventsearch.search.readmodel;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Random;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.search.api.PageQuery;
import io.eventsearch.search.api.SearchWindow;
import io.eventsearch.search.json.SearchJson;
import io.eventsearch.search.sql.SearchRepository;
import io.eventsearch.storage.CatalogueVersion;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.TestDatabase;
import io.eventsearch.tools.FeedGenerator;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.MultiMap;

/**
 * The read model answers every query shape byte for byte as the SQL path would, moves by change sets (a sync that
 * changes one plan reads one plan), catches a missed notification by its periodic check, and loads whole after a
 * reset.
 */
@QuarkusTest
class ReadModelTest {

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Inject
    SearchRepository repository;

    @Inject
    ReadModel model;

    @Inject
    CatalogueVersion clock;

    @Inject
    MeterRegistry metrics;

    CatalogueLoader.Provider provider;

    @BeforeEach
    void setUp() {
        db.reset();
        provider = loader.provider("model");
    }

    private byte[] feed(long seed) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FeedGenerator.write(out, FeedGenerator.Options.of(40, 8, 3).seed(seed).dirty(0.02)
                .span(LocalDateTime.of(2026, 3, 1, 0, 0), 120));
        return out.toByteArray();
    }

    private long dbVersion() {
        return (long) db.value("SELECT data_version FROM catalogue_state");
    }

    private void awaitModelAtDatabaseVersion() {
        long version = dbVersion();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> model.serving() != null
                && model.serving().version().version() == version);
    }

    private double counter(String name, String kind) {
        var search = metrics.find(name);
        if (kind != null) {
            search = search.tag("kind", kind);
        }
        return search.counter() == null ? 0 : search.counter().count();
    }

    @Test
    void everyShapeIsByteForByteTheSqlPathsAnswer() throws Exception {
        provider.sync(feed(7));
        awaitModelAtDatabaseVersion();
        assertThat(model.serving().size()).isGreaterThan(200);
        Random random = new Random(11);
        Instant first = Instant.parse("2026-02-20T00:00:00Z");
        for (int i = 0; i < 150; i++) {
            Instant from = first.plusSeconds(60L * random.nextInt(140 * 24 * 60));
            Instant to = from.plusSeconds(60L * random.nextInt(random.nextBoolean() ? 3 * 24 * 60 : 90 * 24 * 60));
            String query = switch (i % 4) {
                case 0 -> "?starts_at=" + from + "&ends_at=" + to;
                case 1 -> "?starts_at=" + from;
                case 2 -> "?ends_at=" + to;
                default -> "";
            };
            SearchWindow window = SearchWindow.parse(i % 4 == 2 || i % 4 == 3 ? List.of() : List.of(from.toString()),
                    i % 4 == 0 || i % 4 == 2 ? List.of(to.toString()) : List.of());
            byte[] sql = SearchJson.render(repository.find(window).await().indefinitely().events());
            byte[] served = given().get("/search" + query).then().statusCode(200).extract().asByteArray();
            assertThat(new String(served, StandardCharsets.UTF_8)).as("window %s", query)
                    .isEqualTo(new String(sql, StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 60; i++) {
            Instant from = first.plusSeconds(60L * random.nextInt(100 * 24 * 60));
            MultiMap params = MultiMap.caseInsensitiveMultiMap()
                    .add("starts_at", from.toString()).add("ends_at", from.plus(Duration.ofDays(1 + random.nextInt(60))).toString())
                    .add("limit", Integer.toString(1 + random.nextInt(40)));
            if (random.nextBoolean()) {
                params.add("include", "zones");
            }
            if (random.nextInt(3) == 0) {
                params.add("min_price", Integer.toString(random.nextInt(60)));
            }
            if (random.nextInt(3) == 0) {
                params.add("max_price", new BigDecimal(60 + random.nextInt(200)).toPlainString());
            }
            if (random.nextInt(4) == 0) {
                params.add("provider", random.nextBoolean() ? "model" : "other");
            }
            // walk three pages of each query
            String cursor = null;
            for (int page = 0; page < 3; page++) {
                MultiMap pageParams = MultiMap.caseInsensitiveMultiMap().addAll(params);
                if (cursor != null) {
                    pageParams.add("cursor", cursor);
                }
                PageQuery query = PageQuery.parse(pageParams, Duration.ofDays(366), 50, 500);
                byte[] sql = SearchJson.renderPage(repository.page(query).await().indefinitely(), query);
                StringBuilder url = new StringBuilder("/v2/search?");
                pageParams.forEach(e -> url.append(e.getKey()).append('=').append(e.getValue()).append('&'));
                byte[] served = given().urlEncodingEnabled(true).get(url.toString()).then().statusCode(200).extract().asByteArray();
                String sqlText = new String(sql, StandardCharsets.UTF_8);
                assertThat(new String(served, StandardCharsets.UTF_8)).as("page %s", url).isEqualTo(sqlText);
                int at = sqlText.indexOf("\"next_cursor\":\"");
                if (at < 0) {
                    break;
                }
                cursor = sqlText.substring(at + 15, sqlText.indexOf('"', at + 15));
            }
        }
    }

    @Test
    void aSyncThatChangesOnePlanMovesTheModelByThatPlanOnly() throws Exception {
        byte[] original = feed(3);
        provider.sync(original);
        awaitModelAtDatabaseVersion();
        double loads = counter("events.search.read.model.loads", "full");
        double deltaPlans = counter("events.search.read.model.delta.plans", null);
        int size = model.serving().size();

        // one base plan gets another title: its plans (8) render anew, nothing else is read
        String text = new String(original, StandardCharsets.UTF_8);
        int at = text.indexOf("title=\"") + 7;
        String changed = text.substring(0, at) + "Renamed " + text.substring(at);
        assertThat(provider.sync(changed).basePlansUpdated).isEqualTo(1);
        awaitModelAtDatabaseVersion();
        assertThat(counter("events.search.read.model.loads", "full")).isEqualTo(loads);
        assertThat(counter("events.search.read.model.delta.plans", null) - deltaPlans).isBetween(1.0, 8.0);
        assertThat(model.serving().size()).isEqualTo(size);
        assertThat(given().get("/search").then().extract().asString()).contains("\"title\":\"Renamed ");
    }

    @Test
    void aSyncThatChangesMostOfTheCatalogueLoadsTheModelWhole() throws Exception {
        provider.sync(feed(3));
        awaitModelAtDatabaseVersion();
        double loads = counter("events.search.read.model.loads", "full");
        double deltaPlans = counter("events.search.read.model.delta.plans", null);
        // another catalogue altogether: reading it in (start, id) order beats looking up each changed plan
        provider.sync(feed(11));
        awaitModelAtDatabaseVersion();
        assertThat(counter("events.search.read.model.loads", "full")).isGreaterThan(loads);
        assertThat(counter("events.search.read.model.delta.plans", null)).isEqualTo(deltaPlans);
        String window = "?starts_at=2026-03-01T00:00:00Z&ends_at=2026-07-01T00:00:00Z";
        assertThat(given().get("/search" + window).then().extract().asByteArray())
                .isEqualTo(SearchJson.render(repository.find(SearchWindow.parse(List.of("2026-03-01T00:00:00Z"),
                        List.of("2026-07-01T00:00:00Z"))).await().indefinitely().events()));
    }

    @Test
    void aMissedNotificationIsCaughtByThePeriodicCheck() throws Exception {
        provider.sync(feed(5));
        awaitModelAtDatabaseVersion();
        long version = dbVersion();
        // a commit whose NOTIFY never arrives: a title changed, its plans recorded, the version moved, silently
        String base = (String) db.value("SELECT base_plan_id FROM base_plans ORDER BY base_plan_id LIMIT 1");
        db.update("UPDATE base_plans SET title = 'Quietly renamed' WHERE base_plan_id = '" + base + "'");
        db.update("INSERT INTO catalogue_changes (data_version, plan_id) SELECT " + (version + 1)
                + ", id FROM plans WHERE base_plan_id = '" + base + "'");
        db.update("UPDATE catalogue_state SET data_version = " + (version + 1) + ", changed_at = now()");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> model.serving().version().version() == version + 1);
        assertThat(given().get("/search").then().extract().asString()).contains("Quietly renamed");
    }

    @Test
    void afterAResetTheModelLoadsWhole() throws Exception {
        provider.sync(feed(9));
        awaitModelAtDatabaseVersion();
        double loads = counter("events.search.read.model.loads", "full");
        db.reset(); // no change set covers it
        clock.refresh().await().indefinitely();
        awaitModelAtDatabaseVersion();
        assertThat(counter("events.search.read.model.loads", "full")).isGreaterThan(loads);
        assertThat(model.serving().size()).isZero();
        given().get("/search").then().statusCode(200).body("data.events.size()", org.hamcrest.Matchers.equalTo(0));
    }
}
