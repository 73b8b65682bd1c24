package io.eventsearch.ingestion;

import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

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
    private final Event<RegisteredProvider> registered;
    private final Map<String, RegisteredProvider> providers = new TreeMap<>();

    public ProviderRegistry(EventSearchConfig config, ProviderRepository repository, Event<RegisteredProvider> registered) {
        this.config = config;
        this.repository = repository;
        this.registered = registered;
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
        RegisteredProvider provider = new RegisteredProvider(repository.register(settings.name()), settings);
        boolean known = providers.put(settings.name(), provider) != null;
        LOG.infof("provider %s: %s every %s (time zone %s)%s", settings.name(), redact(settings.url()), settings.every(),
                settings.timeZone(), settings.enabled() ? "" : ", disabled");
        if (!known) {
            registered.fire(provider); // metrics and the like follow new providers
        }
        return provider;
    }

    /** A feed URL without credentials or query string (which may carry tokens), for logs and operator views. */
    public static String redact(java.net.URI url) {
        if (url.getScheme() == null || "file".equalsIgnoreCase(url.getScheme())) {
            return url.toString();
        }
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        return url.getScheme() + "://" + url.getHost() + port + (url.getPath() == null ? "" : url.getPath())
                + (url.getQuery() == null ? "" : "?…");
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
