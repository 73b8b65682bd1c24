package io.eventsearch.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.eventsearch.ingestion.ProviderRegistry;
import io.eventsearch.ingestion.RegisteredProvider;
import io.eventsearch.ingestion.leadership.ProviderLeadership;
import io.eventsearch.provider.ProviderGuards;

/**
 * Providers as readiness details: whether this instance leads each one and its circuit breaker state. A provider
 * outage never fails readiness: search answers from what is stored whatever the providers do.
 */
@Readiness
@ApplicationScoped
public class ProvidersHealthCheck implements HealthCheck {

    private final ProviderRegistry registry;
    private final ProviderLeadership leadership;
    private final ProviderGuards guards;

    public ProvidersHealthCheck(ProviderRegistry registry, ProviderLeadership leadership, ProviderGuards guards) {
        this.registry = registry;
        this.leadership = leadership;
        this.guards = guards;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("providers").up();
        for (RegisteredProvider provider : registry.all()) {
            builder.withData(provider.name(), (leadership.leads(provider.id()) ? "leader" : "follower")
                    + ", circuit " + guards.state(provider.name()).name().toLowerCase(java.util.Locale.ROOT));
        }
        return builder.build();
    }
}
