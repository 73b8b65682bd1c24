package io.eventsearch.ingestion;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.eventsearch.ingestion.leadership.ProviderLeadership;
import io.eventsearch.provider.IngestionExecutor;
import io.eventsearch.storage.ProviderRepository;
import io.eventsearch.storage.SyncRun;
import io.eventsearch.storage.SyncRunRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;

/**
 * A tick of one provider: sync it if this instance leads it and it is not paused. Used by the scheduler and by
 * the operator's "sync now".
 */
@ApplicationScoped
public class SyncCoordinator {

    private static final Logger LOG = Logger.getLogger(SyncCoordinator.class);

    private final ProviderLeadership leadership;
    private final ProviderRegistry registry;
    private final ProviderRepository providers;
    private final SyncRunRepository runs;
    private final SyncService sync;
    private final IngestionExecutor executor;

    public SyncCoordinator(ProviderLeadership leadership, ProviderRegistry registry, ProviderRepository providers,
            SyncRunRepository runs, SyncService sync, IngestionExecutor executor) {
        this.leadership = leadership;
        this.registry = registry;
        this.providers = providers;
        this.runs = runs;
        this.sync = sync;
        this.executor = executor;
    }

    /** What a tick did. */
    public sealed interface TickResult {
        record Synced(SyncRun run) implements TickResult {
        }

        record NotLeader() implements TickResult {
        }

        record Paused() implements TickResult {
        }
    }

    private volatile boolean stopping;

    /** From shutdown on, no new sync starts; a running one finishes (or rolls back) on its worker. */
    void onShutdown(@Observes ShutdownEvent event) {
        stopping = true;
    }

    public Uni<TickResult> tick(RegisteredProvider provider) {
        if (stopping) {
            return Uni.createFrom().item(new TickResult.NotLeader());
        }
        return leadership.check(provider.id(), Math.max(1, registry.enabledCount()))
                .flatMap(decision -> switch (decision) {
                    case NOT_LEADER, RELEASED -> Uni.createFrom().item((TickResult) new TickResult.NotLeader());
                    case ACQUIRED -> onAcquired(provider).flatMap(v -> syncUnlessPaused(provider));
                    case KEPT -> syncUnlessPaused(provider);
                });
    }

    private Uni<Void> onAcquired(RegisteredProvider provider) {
        return Uni.createFrom().item(() -> {
            try {
                int abandoned = runs.abandonOpenRuns(provider.id(), leadership.instanceId());
                if (abandoned > 0) {
                    LOG.warnf("provider %s: closed %d run(s) left open by a previous leader", provider.name(), abandoned);
                }
            } catch (java.sql.SQLException e) {
                LOG.warnf("provider %s: could not close abandoned runs: %s", provider.name(), e.getMessage());
            }
            return (Void) null;
        }).runSubscriptionOn(executor.service());
    }

    private Uni<TickResult> syncUnlessPaused(RegisteredProvider provider) {
        return Uni.createFrom().item(() -> {
            try {
                return providers.state(provider.id()).paused();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }).runSubscriptionOn(executor.service()).flatMap(paused -> paused
                ? Uni.createFrom().item((TickResult) new TickResult.Paused())
                : sync.sync(provider).map(TickResult.Synced::new));
    }
}
