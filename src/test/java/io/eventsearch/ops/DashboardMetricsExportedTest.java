package io.eventsearch.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Keeps the dashboard's list of series honest: after a sync and a few searches, every series the Grafana
 * dashboard may query ({@link DashboardMetrics#EXPORTED}) is on /q/metrics with the labels it is queried by.
 */
@QuarkusTest
class DashboardMetricsExportedTest {

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+\\S+.*");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Test
    void everySeriesOfTheDashboardIsExportedWithItsLabels() {
        db.reset();
        loader.provider("dashboard").sync(Feeds.planList(2));
        for (int i = 0; i < 2; i++) {
            given().get("/search?starts_at=2021-01-01T00:00:00Z").then().statusCode(200);
        }
        // the GC pause series exists once a collection has happened, which a short test may not have caused yet
        System.gc();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> scrape(
                given().get(metrics).then().statusCode(200).extract().asString()).containsKey("jvm_gc_pause_seconds_sum"));
        Map<String, Set<String>> exported = scrape(given().get(metrics).then().statusCode(200).extract().asString());
        DashboardMetrics.EXPORTED.forEach((name, labels) -> {
            assertThat(exported).as("%s on /q/metrics", name).containsKey(name);
            assertThat(exported.get(name)).as("labels of %s", name).containsAll(labels);
        });
    }

    /** series name → every label name it carries, from the Prometheus text format. */
    private static Map<String, Set<String>> scrape(String text) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Set<String> labels = out.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            if (m.group(3) != null) {
                Matcher label = LABEL.matcher(m.group(3));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
        }
        return out;
    }
}
