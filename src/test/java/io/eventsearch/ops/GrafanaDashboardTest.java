package io.eventsearch.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * deploy/grafana/event-search.json: valid JSON Grafana can import, panels laid out on its 24-column grid, every
 * query on the dashboard's Prometheus data source, and every series it reads one the service exports (or one of
 * the gauges being added), with labels it really has. Also: each figure the issue asks for has a panel.
 */
class GrafanaDashboardTest {

    private static final String DASHBOARD = "deploy/grafana/event-search.json";
    private static final Set<String> PANEL_TYPES = Set.of("row", "timeseries", "stat", "state-timeline", "gauge",
            "table", "bargauge", "text", "heatmap");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([a-zA-Z_][a-zA-Z0-9_]*)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_]+)\\s*\\)");

    /** Series (or prefixes) the issue asks the dashboard to show. */
    private static final List<String> REQUIRED = List.of("http_server_requests_seconds_bucket",
            "events_search_cache_total", "events_sync_runs_total", "events_sync_duration_seconds_bucket",
            "events_sync_rows_written_total", "events_sync_records_skipped_total", "events_sync_feed_bytes_",
            "sql_pool_", "agroal_", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_",
            "events_provider_circuit_state", "events_provider_leader");

    private static JsonNode dashboard() {
        ObjectMapper mapper = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        try {
            return mapper.readTree(DeployFiles.file(DASHBOARD).toFile());
        } catch (IOException e) {
            throw new AssertionError(DASHBOARD + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Every panel, those inside collapsed rows included. */
    private static List<JsonNode> panels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : dashboard().path("panels")) {
            out.add(panel);
            panel.path("panels").forEach(out::add);
        }
        return out;
    }

    private static List<String> expressions() {
        List<String> out = new ArrayList<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                out.add(target.path("expr").asText());
            }
        }
        return out;
    }

    @Test
    void isAnImportableDashboard() {
        JsonNode dashboard = dashboard();
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("uid").asText()).matches("[a-zA-Z0-9_-]{1,40}");
        assertThat(dashboard.path("schemaVersion").isInt()).as("schemaVersion").isTrue();
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        assertThat(dashboard.path("panels").isArray()).isTrue();
        assertThat(dashboard.path("panels").size()).isGreaterThan(10);
        assertThat(dashboard.has("id") && !dashboard.get("id").isNull()).as("no instance-specific id").isFalse();
    }

    @Test
    void panelsHaveUniqueIdsAndFitTheGrid() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels()) {
            String title = panel.path("title").asText();
            assertThat(title).as("panel title").isNotBlank();
            assertThat(PANEL_TYPES).as("type of %s", title).contains(panel.path("type").asText());
            assertThat(panel.path("id").isInt()).as("id of %s", title).isTrue();
            assertThat(ids.add(panel.path("id").asInt())).as("id of %s is unique", title).isTrue();
            JsonNode grid = panel.path("gridPos");
            for (String field : List.of("x", "y", "w", "h")) {
                assertThat(grid.path(field).isInt()).as("gridPos.%s of %s", field, title).isTrue();
            }
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as("%s fits 24 columns", title)
                    .isBetween(1, 24);
            assertThat(grid.path("h").asInt()).isPositive();
        }
    }

    @Test
    void everyQueryUsesTheDashboardDataSourceAndDefinedVariables() {
        JsonNode templating = dashboard().path("templating").path("list");
        Set<String> variables = new HashSet<>();
        for (JsonNode variable : templating) {
            variables.add(variable.path("name").asText());
        }
        assertThat(variables).contains("datasource");
        for (JsonNode panel : panels()) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            String title = panel.path("title").asText();
            assertThat(panel.path("datasource").path("uid").asText()).as("data source of %s", title)
                    .isEqualTo("${datasource}");
            assertThat(panel.path("targets").size()).as("queries of %s", title).isPositive();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                assertThat(expr).as("query of %s", title).isNotBlank();
                assertThat(refIds.add(target.path("refId").asText())).as("refIds of %s are unique", title).isTrue();
                assertThat(balanced(expr)).as("brackets of %s: %s", title, expr).isTrue();
                Matcher m = VARIABLE.matcher(expr);
                while (m.find()) {
                    if (!m.group(1).startsWith("__")) {
                        assertThat(variables).as("variable of %s", title).contains(m.group(1));
                    }
                }
            }
        }
    }

    private static boolean balanced(String expr) {
        StringBuilder open = new StringBuilder();
        boolean quoted = false;
        for (char c : expr.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (quoted) {
                continue;
            } else if ("({[".indexOf(c) >= 0) {
                open.append(c);
            } else if (")}]".indexOf(c) >= 0) {
                if (open.isEmpty() || "({[".indexOf(open.charAt(open.length() - 1)) != ")}]".indexOf(c)) {
                    return false;
                }
                open.setLength(open.length() - 1);
            }
        }
        return open.isEmpty() && !quoted;
    }

    @Test
    void everySeriesQueriedIsKnownWithItsLabels() {
        Map<String, Set<String>> known = DashboardMetrics.known();
        for (String expr : expressions()) {
            Set<String> available = new TreeSet<>(DashboardMetrics.SCRAPE_LABELS);
            available.add("le");
            Map<String, Set<String>> selectors = DashboardMetrics.selectors(expr);
            assertThat(selectors).as("series read by %s", expr).isNotEmpty();
            selectors.forEach((metric, labels) -> {
                assertThat(known).as("%s in %s is exported (or pending)", metric, expr).containsKey(metric);
                Set<String> has = new TreeSet<>(known.get(metric));
                has.addAll(DashboardMetrics.SCRAPE_LABELS);
                assertThat(has).as("labels of %s matched in %s", metric, expr).containsAll(labels);
                available.addAll(known.get(metric));
            });
            assertThat(available).as("labels grouped by in %s", expr)
                    .containsAll(DashboardMetrics.groupingLabels(expr));
        }
        for (JsonNode variable : dashboard().path("templating").path("list")) {
            String definition = variable.path("definition").asText("");
            Matcher m = LABEL_VALUES.matcher(definition);
            if (m.find()) {
                assertThat(known).as("series of variable %s", variable.path("name").asText()).containsKey(m.group(1));
                Set<String> has = new TreeSet<>(known.get(m.group(1)));
                has.addAll(DashboardMetrics.SCRAPE_LABELS);
                assertThat(has).contains(m.group(2));
            }
        }
    }

    @Test
    void everyFigureOfTheIssueHasAPanel() {
        Set<String> queried = new TreeSet<>();
        expressions().forEach(expr -> queried.addAll(DashboardMetrics.selectors(expr).keySet()));
        for (String required : REQUIRED) {
            assertThat(queried).as("a panel reads %s", required).anyMatch(name -> name.startsWith(required));
        }
        assertThat(expressions()).as("latency quantiles per route")
                .anyMatch(e -> e.contains("histogram_quantile") && e.contains("http_server_requests_seconds_bucket")
                        && DashboardMetrics.groupingLabels(e).contains("uri"));
        assertThat(expressions()).as("cache lookups per layer and result")
                .anyMatch(e -> e.contains("events_search_cache_total")
                        && DashboardMetrics.groupingLabels(e).containsAll(Set.of("layer", "result")));
        assertThat(expressions()).as("sync runs by outcome")
                .anyMatch(e -> e.contains("events_sync_runs_total")
                        && DashboardMetrics.groupingLabels(e).contains("outcome"));
        assertThat(expressions()).as("skipped records by reason")
                .anyMatch(e -> e.contains("events_sync_records_skipped_total")
                        && DashboardMetrics.groupingLabels(e).contains("reason"));
    }

    @Test
    void promqlReaderFindsSeriesAndLabels() {
        String expr = "histogram_quantile(0.95, sum by (uri, le) (rate(http_server_requests_seconds_bucket"
                + "{instance=~\"$instance\", uri!~\"/q/.*\"}[$__rate_interval]))) / on (uri) foo_total > 0";
        assertThat(DashboardMetrics.selectors(expr)).containsOnlyKeys("http_server_requests_seconds_bucket", "foo_total")
                .containsEntry("http_server_requests_seconds_bucket", new TreeSet<>(Set.of("instance", "uri")));
        assertThat(DashboardMetrics.groupingLabels(expr)).containsExactly("le", "uri");
    }
}
