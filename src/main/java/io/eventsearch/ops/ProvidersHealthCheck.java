package io.eventsearch.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.eventsearch.ingestion.ProviderRegistry;
import io.eventsearch.ingestion.RegisteredProvider;
import io.eventsearch.ingestion.leadership.ProviderLeadership;
import io.eventsearch.provider.ProviderGuards;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Providers as readiness details, never as failures (search answers from what is stored whatever the providers
 * do): per provider, whether this instance leads it, its breaker state, when a feed last confirmed its catalogue,
 * and "degraded" when that is older than {@code events.health.stale-intervals} sync intervals.
 */
@Readiness
@ApplicationScoped
public class ProvidersHealthCheck implements AsyncHealthCheck {

    private static final String LAST_CONFIRMED = "SELECT name, last_confirmed_at, paused, held_since, held_reason, held_feeds FROM providers";

    private final ProviderRegistry registry;
    private final ProviderLeadership leadership;
    private final ProviderGuards guards;
    private final Pool pool;
    private final int staleIntervals;

    public ProvidersHealthCheck(ProviderRegistry registry, ProviderLeadership leadership, ProviderGuards guards, Pool pool,
            @ConfigProperty(name = "events.health.stale-intervals", defaultValue = "3") int staleIntervals) {
        this.registry = registry;
        this.leadership = leadership;
        this.guards = guards;
        this.pool = pool;
        this.staleIntervals = staleIntervals;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pool.query(LAST_CONFIRMED).execute().map(rows -> {
            Map<String, Row> byName = new HashMap<>();
            rows.forEach(row -> byName.put(row.getString("name"), row));
            HealthCheckResponseBuilder builder = HealthCheckResponse.named("providers").up();
            int degraded = 0;
            int holding = 0;
            for (RegisteredProvider provider : registry.all()) {
                Row row = byName.get(provider.name());
                OffsetDateTime confirmed = row == null ? null : row.getOffsetDateTime("last_confirmed_at");
                boolean paused = row != null && row.getBoolean("paused");
                Duration allowed = provider.settings().every().multipliedBy(staleIntervals);
                boolean stale = provider.settings().enabled() && !paused
                        && (confirmed == null || confirmed.toInstant().isBefore(Instant.now().minus(allowed)));
                if (stale) {
                    degraded++;
                }
                OffsetDateTime heldSince = row == null ? null : row.getOffsetDateTime("held_since");
                String hold = "";
                if (heldSince != null) {
                    holding++;
                    hold = String.format("feeds held (%s, %d in a row) since %s: see /ops/providers/%s, ",
                            row.getString("held_reason"), row.getInteger("held_feeds"), heldSince.toInstant(), provider.name());
                }
                builder.withData(provider.name(), String.format("%s%s%s, %s, circuit %s, last confirmed %s",
                        stale ? "degraded: no feed for over " + allowed + ", " : "", hold,
                        paused ? "paused" : "active",
                        leadership.leads(provider.id()) ? "leader" : "follower",
                        guards.state(provider.name()).name().toLowerCase(Locale.ROOT),
                        confirmed == null ? "never" : confirmed.toInstant().toString()));
            }
            return builder.withData("degraded", degraded).withData("held", holding).build();
        }).onFailure().recoverWithItem(failure -> HealthCheckResponse.named("providers").up()
                .withData("state", "unknown: " + failure.getMessage()).build());
    }
}
