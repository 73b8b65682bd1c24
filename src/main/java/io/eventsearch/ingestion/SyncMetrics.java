package io.eventsearch.ingestion;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.storage.SyncRun;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Sync figures for Prometheus: runs by outcome, duration, rows written, records skipped by reason, feed bytes. */
@ApplicationScoped
public class SyncMetrics {

    private final MeterRegistry registry;
    /** Per provider: 1 while its feeds are held (as the last run here found), else 0. */
    private final Map<String, AtomicInteger> held = new ConcurrentHashMap<>();

    public SyncMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String provider, SyncRun run, long nanos) {
        String outcome = run.outcome.code();
        if (run.outcome != SyncRun.Outcome.FAILED) {
            held.computeIfAbsent(provider, p -> {
                AtomicInteger value = new AtomicInteger();
                Gauge.builder("events.provider.held", value, AtomicInteger::get)
                        .description("1 while the provider's feeds are held (empty feed or mass drop), on the instance syncing it")
                        .tag("provider", p).register(registry);
                return value;
            }).set(run.outcome == SyncRun.Outcome.HELD ? 1 : 0);
        }
        Counter.builder("events.sync.runs").description("Sync runs by outcome")
                .tags("provider", provider, "outcome", outcome,
                        "reason", run.failureReason == null ? "none" : run.failureReason)
                .register(registry).increment();
        Timer.builder("events.sync.duration").description("Duration of sync runs").publishPercentileHistogram()
                .tags("provider", provider, "outcome", outcome)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
        if (run.feedBytes != null) {
            DistributionSummary.builder("events.sync.feed.bytes").description("Size of downloaded feeds")
                    .baseUnit("bytes").tags("provider", provider)
                    .register(registry).record(run.feedBytes);
        }
        rows(provider, "plans", "inserted", run.plansInserted);
        rows(provider, "plans", "updated", run.plansUpdated);
        rows(provider, "base_plans", "inserted", run.basePlansInserted);
        rows(provider, "base_plans", "updated", run.basePlansUpdated);
        rows(provider, "zones", "written", run.zonesWritten);
        run.skipped.forEach((reason, count) -> Counter.builder("events.sync.records.skipped")
                .description("Feed records left out, by reason").tags("provider", provider, "reason", reason)
                .register(registry).increment(count));
    }

    private void rows(String provider, String table, String kind, long count) {
        if (count > 0) {
            Counter.builder("events.sync.rows.written").description("Catalogue rows written by syncs")
                    .tags("provider", provider, "table", table, "kind", kind)
                    .register(registry).increment(count);
        }
    }
}
