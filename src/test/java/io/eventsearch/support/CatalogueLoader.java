package io.eventsearch.support;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.ingestion.ProviderRegistry;
import io.eventsearch.ingestion.RegisteredProvider;
import io.eventsearch.ingestion.SyncService;
import io.eventsearch.provider.ProviderGuards;
import io.eventsearch.provider.ProviderSettings;
import io.eventsearch.storage.SyncRun;

/** Loads feeds through the real sync path (file: provider), for tests that need a catalogue. */
@ApplicationScoped
public class CatalogueLoader {

    private final ProviderRegistry registry;
    private final SyncService sync;
    private final ProviderGuards guards;

    public CatalogueLoader(ProviderRegistry registry, SyncService sync, ProviderGuards guards) {
        this.registry = registry;
        this.sync = sync;
        this.guards = guards;
    }

    /** A provider fed from a file whose content each call to {@link Provider#sync} replaces. */
    public final class Provider {
        private final Feeds.FeedFile file = new Feeds.FeedFile();
        private final RegisteredProvider registered;

        Provider(String name, java.util.function.UnaryOperator<ProviderSettings> settings) {
            try {
                registered = registry.register(settings.apply(ProviderSettings.of(name, file.uri())));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            guards.reset(name);
        }

        public SyncRun sync(byte[] feed) {
            file.write(feed);
            SyncRun run = sync.sync(registered).await().atMost(Duration.ofSeconds(30));
            if (run.outcome == SyncRun.Outcome.FAILED) {
                throw new IllegalStateException("sync failed: " + run.failureReason + " " + run.failureDetail);
            }
            return run;
        }

        public SyncRun sync(String feed) {
            return sync(feed.getBytes(StandardCharsets.UTF_8));
        }

        public RegisteredProvider registered() {
            return registered;
        }
    }

    public Provider provider(String name) {
        return new Provider(name, s -> s);
    }

    /** A provider with settings of its own (hold policy, time zone...). */
    public Provider provider(String name, java.util.function.UnaryOperator<ProviderSettings> settings) {
        return new Provider(name, settings);
    }
}
