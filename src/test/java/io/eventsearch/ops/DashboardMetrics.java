package io.eventsearch.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Prometheus series the Grafana dashboard (deploy/grafana/event-search.json) may query, with the labels the
 * application puts on them, and a small PromQL reader to find what a query uses. {@link #EXPORTED} is checked
 * against the live /q/metrics by DashboardMetricsExportedTest; {@link #PENDING} are gauges being added in
 * parallel (move them to EXPORTED once they are).
 */
final class DashboardMetrics {

    /** Labels Prometheus adds at scrape time. */
    static final Set<String> SCRAPE_LABELS = Set.of("instance", "job");

    static final Map<String, Set<String>> EXPORTED = new LinkedHashMap<>();
    static final Map<String, Set<String>> PENDING = new LinkedHashMap<>();

    static {
        // HTTP server (Quarkus Micrometer binder; buckets from MetricsConfiguration)
        Set<String> http = Set.of("method", "outcome", "status", "uri");
        for (String suffix : new String[] { "count", "sum", "max" }) {
            EXPORTED.put("http_server_requests_seconds_" + suffix, http);
        }
        EXPORTED.put("http_server_requests_seconds_bucket", Set.of("method", "outcome", "status", "uri", "le"));
        EXPORTED.put("http_server_active_requests", Set.of());
        EXPORTED.put("http_server_active_connections", Set.of());
        // search cache
        EXPORTED.put("events_search_cache_total", Set.of("layer", "result"));
        EXPORTED.put("cache_size", Set.of("cache"));
        EXPORTED.put("cache_evictions_total", Set.of("cache"));
        // ingestion (SyncMetrics)
        EXPORTED.put("events_sync_runs_total", Set.of("provider", "outcome", "reason"));
        EXPORTED.put("events_sync_duration_seconds_bucket", Set.of("provider", "outcome", "le"));
        EXPORTED.put("events_sync_duration_seconds_max", Set.of("provider", "outcome"));
        EXPORTED.put("events_sync_rows_written_total", Set.of("provider", "table", "kind"));
        EXPORTED.put("events_sync_records_skipped_total", Set.of("provider", "reason"));
        for (String suffix : new String[] { "count", "sum", "max" }) {
            EXPORTED.put("events_sync_feed_bytes_" + suffix, Set.of("provider"));
        }
        // SmallRye Fault Tolerance (the per-provider download guards)
        EXPORTED.put("ft_circuitbreaker_opened_total", Set.of("method"));
        EXPORTED.put("ft_retry_retries_total", Set.of("method"));
        // pools: Vert.x reactive SQL client, Agroal (JDBC), Redis client, Vert.x workers
        for (String name : new String[] { "sql_pool_active", "sql_pool_idle", "sql_pool_queue_size", "sql_pool_ratio",
                "sql_pool_queue_delay_seconds_sum", "sql_pool_queue_delay_seconds_count", "redis_pool_active",
                "redis_pool_queue_size", "worker_pool_active", "worker_pool_queue_size" }) {
            EXPORTED.put(name, Set.of("pool_name", "pool_type"));
        }
        for (String name : new String[] { "agroal_active_count", "agroal_available_count", "agroal_awaiting_count",
                "agroal_max_used_count", "agroal_blocking_time_average_milliseconds",
                "agroal_blocking_time_max_milliseconds" }) {
            EXPORTED.put(name, Set.of("datasource"));
        }
        // JVM and process
        for (String name : new String[] { "jvm_memory_used_bytes", "jvm_memory_committed_bytes",
                "jvm_memory_max_bytes" }) {
            EXPORTED.put(name, Set.of("area", "id"));
        }
        EXPORTED.put("jvm_buffer_memory_used_bytes", Set.of("id"));
        EXPORTED.put("jvm_gc_pause_seconds_sum", Set.of("action", "cause", "gc"));
        EXPORTED.put("jvm_gc_pause_seconds_count", Set.of("action", "cause", "gc"));
        EXPORTED.put("jvm_gc_overhead", Set.of());
        EXPORTED.put("jvm_threads_live_threads", Set.of());
        EXPORTED.put("jvm_threads_states_threads", Set.of("state"));
        EXPORTED.put("process_cpu_usage", Set.of());
        EXPORTED.put("system_cpu_usage", Set.of());
        EXPORTED.put("process_uptime_seconds", Set.of());

        // being added by the lead: 0 closed, 1 half-open, 2 open; 1 when this instance leads the provider
        EXPORTED.put("events_provider_circuit_state", Set.of("provider"));
        EXPORTED.put("events_provider_leader", Set.of("provider"));
    }

    private DashboardMetrics() {
    }

    static Map<String, Set<String>> known() {
        Map<String, Set<String>> all = new LinkedHashMap<>(EXPORTED);
        all.putAll(PENDING);
        return all;
    }

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern SELECTOR = Pattern.compile(
            "(?<![\\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{([^}]*)\\})?(\\s*\\()?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"\"");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");

    /** metric → label names its selectors match on, for every series a PromQL expression reads. */
    static Map<String, Set<String>> selectors(String expr) {
        String text = STRING.matcher(expr).replaceAll("\"\"");
        text = RANGE.matcher(text).replaceAll("");
        text = GROUPING.matcher(text).replaceAll(" ");
        Map<String, Set<String>> out = new TreeMap<>();
        Matcher m = SELECTOR.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (m.group(4) != null || KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                continue; // a function or aggregation, or a keyword
            }
            Set<String> labels = out.computeIfAbsent(name, k -> new TreeSet<>());
            if (m.group(3) != null) {
                Matcher label = MATCHER.matcher(m.group(3));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
        }
        return out;
    }

    /** Label names of every by/without/on/ignoring clause of an expression. */
    static Set<String> groupingLabels(String expr) {
        Set<String> out = new TreeSet<>();
        Matcher m = GROUPING.matcher(STRING.matcher(expr).replaceAll("\"\""));
        while (m.find()) {
            for (String label : m.group(2).split(",")) {
                if (!label.isBlank()) {
                    out.add(label.strip());
                }
            }
        }
        return out;
    }
}
