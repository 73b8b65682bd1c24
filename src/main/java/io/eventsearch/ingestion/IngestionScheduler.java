package io.eventsearch.ingestion;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.smallrye.mutiny.Uni;

/**
 * Registers the configured providers and gives each its own scheduler job ({@code sync-<name>}) at its own
 * interval. A tick never overlaps the previous one of the same provider on this instance (SKIP); across instances
 * the advisory-lock leadership decides who syncs.
 */
@ApplicationScoped
public class IngestionScheduler {

    private static final Logger LOG = Logger.getLogger(IngestionScheduler.class);

    private final EventSearchConfig config;
    private final ProviderRegistry registry;
    private final SyncCoordinator coordinator;
    private final Scheduler scheduler;
    private final IngestionWarmUp warmUp;

    public IngestionScheduler(EventSearchConfig config, ProviderRegistry registry, SyncCoordinator coordinator,
            Scheduler scheduler, IngestionWarmUp warmUp) {
        this.config = config;
        this.registry = registry;
        this.coordinator = coordinator;
        this.scheduler = scheduler;
        this.warmUp = warmUp;
    }

    void start(@Observes StartupEvent event) throws java.sql.SQLException {
        registry.registerConfigured();
        if (!config.ingestion().scheduled()) {
            LOG.info("scheduled syncs are off (events.ingestion.scheduled=false)");
            return;
        }
        if (registry.all().stream().noneMatch(provider -> provider.settings().enabled())) {
            return;
        }
        // The first syncs run compiled code: the jobs start once the warm-up is over.
        warmUp.start().thenRun(this::scheduleJobs);
    }

    private void scheduleJobs() {
        if (warmUp.stopped()) {
            return; // shutting down
        }
        for (RegisteredProvider provider : registry.all()) {
            if (!provider.settings().enabled()) {
                continue;
            }
            Duration every = provider.settings().every();
            scheduler.newJob("sync-" + provider.name())
                    .setInterval(every.toString())
                    .setDelayed("1s")
                    .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                    .setAsyncTask(execution -> tick(provider))
                    .schedule();
        }
    }

    private Uni<Void> tick(RegisteredProvider provider) {
        return coordinator.tick(provider)
                .onFailure().invoke(e -> LOG.warnf("provider %s: tick failed: %s", provider.name(), e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
