package io.eventsearch.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.eventsearch.ingestion.RegisteredProvider;
import io.eventsearch.ingestion.leadership.ProviderLeadership;
import io.eventsearch.provider.ProviderGuards;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * Per-provider gauges: the download circuit breaker's state ({@code events_provider_circuit_state}: 0 closed,
 * 1 half-open, 2 open) and whether this instance leads the provider ({@code events_provider_leader}: 1 or 0).
 */
@ApplicationScoped
public class ProviderGauges {

    private final MeterRegistry registry;
    private final ProviderGuards guards;
    private final ProviderLeadership leadership;

    public ProviderGauges(MeterRegistry registry, ProviderGuards guards, ProviderLeadership leadership) {
        this.registry = registry;
        this.guards = guards;
        this.leadership = leadership;
    }

    void onRegistered(@Observes RegisteredProvider provider) {
        Gauge.builder("events.provider.circuit.state", guards, g -> circuitValue(g.state(provider.name())))
                .description("Feed download circuit breaker: 0 closed, 1 half-open, 2 open")
                .tag("provider", provider.name())
                .register(registry);
        Gauge.builder("events.provider.leader", leadership, l -> l.leads(provider.id()) ? 1 : 0)
                .description("1 when this instance leads (syncs) the provider")
                .tag("provider", provider.name())
                .register(registry);
    }

    static int circuitValue(CircuitBreakerState state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }
}
