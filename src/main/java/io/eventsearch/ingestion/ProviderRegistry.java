package io.eventsearch.ingestion;

import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.provider.ProviderSettings;
import io.eventsearch.storage.ProviderRepository;

/** The configured providers, registered in {@code providers} at start-up. */
@ApplicationScoped
public class ProviderRegistry {

    private static final Logger LOG = Logger.getLogger(ProviderRegistry.class);

    private final EventSearchConfig config;
    private final ProviderRepository repository;
    private final Map<String, RegisteredProvider> providers = new TreeMap<>();

    public ProviderRegistry(EventSearchConfig config, ProviderRepository repository) {
        this.config = config;
        this.repository = repository;
    }

    /** Blocking: run at start-up. */
    synchronized void registerConfigured() throws SQLException {
        for (Map.Entry<String, EventSearchConfig.Provider> entry : config.providers().entrySet()) {
            ProviderSettings settings = ProviderSettings.from(entry.getKey(), entry.getValue());
            register(settings);
        }
        if (providers.isEmpty()) {
            LOG.info("no providers configured (events.providers.<name>.url); search serves what the database holds");
        }
    }

    /** Registers a provider (configured, or given by a test or tool). Blocking. */
    public synchronized RegisteredProvider register(ProviderSettings settings) throws SQLException {
        RegisteredProvider registered = new RegisteredProvider(repository.register(settings.name()), settings);
        providers.put(settings.name(), registered);
        LOG.infof("provider %s: %s every %s (time zone %s)%s", settings.name(), settings.url(), settings.every(),
                settings.timeZone(), settings.enabled() ? "" : ", disabled");
        return registered;
    }

    public synchronized Collection<RegisteredProvider> all() {
        return java.util.List.copyOf(providers.values());
    }

    public synchronized Optional<RegisteredProvider> byName(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    public synchronized int enabledCount() {
        return (int) providers.values().stream().filter(p -> p.settings().enabled()).count();
    }
}
