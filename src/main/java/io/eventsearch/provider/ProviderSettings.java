package io.eventsearch.provider;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.regex.Pattern;

import io.eventsearch.EventSearchConfig;

/** One provider as the ingestion sees it: resolved from configuration, or built directly by tests and tools. */
public record ProviderSettings(
        String name,
        URI url,
        Duration every,
        ZoneId timeZone,
        Duration connectTimeout,
        Duration timeout,
        long maxFeedBytes,
        boolean enabled,
        HoldPolicy hold) {

    /**
     * When a feed that would shrink the provider's scope a lot is applied: an empty feed (no valid plan) only by an
     * operator's decision unless {@code allowEmptyFeed}; a feed dropping more than the drop ratio once
     * {@code massDropFeeds} such feeds came in a row, the first of them at least {@code massDropAfter} ago.
     */
    public record HoldPolicy(boolean allowEmptyFeed, int massDropFeeds, Duration massDropAfter) {
        public static final HoldPolicy DEFAULT = new HoldPolicy(false, 3, Duration.ofMinutes(5));

        public HoldPolicy {
            if (massDropFeeds < 1 || massDropAfter.isNegative()) {
                throw new IllegalArgumentException("mass-drop-feeds must be >= 1 and mass-drop-after not negative");
            }
        }
    }

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    public ProviderSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(hold, "hold");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Provider name must match " + NAME + ": " + name);
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("file")) {
            throw new IllegalArgumentException("Provider " + name + ": url must be http, https or file: " + url);
        }
        if (maxFeedBytes <= 0) {
            throw new IllegalArgumentException("Provider " + name + ": max-feed-size must be positive");
        }
    }

    /** With the default hold policy. */
    public ProviderSettings(String name, URI url, Duration every, ZoneId timeZone, Duration connectTimeout,
            Duration timeout, long maxFeedBytes, boolean enabled) {
        this(name, url, every, timeZone, connectTimeout, timeout, maxFeedBytes, enabled, HoldPolicy.DEFAULT);
    }

    public static ProviderSettings from(String name, EventSearchConfig.Provider config) {
        return new ProviderSettings(name, URI.create(config.url().trim()), config.every(), config.timeZone(),
                config.connectTimeout(), config.timeout(), config.maxFeedSize().asLongValue(), config.enabled(),
                new HoldPolicy(config.allowEmptyFeed(), config.massDropFeeds(), config.massDropAfter()));
    }

    /** Defaults as configuration would give them; for tests and tools. */
    public static ProviderSettings of(String name, URI url) {
        return new ProviderSettings(name, url, Duration.ofSeconds(30), ZoneId.of("UTC"), Duration.ofSeconds(5),
                Duration.ofSeconds(60), 512L * 1024 * 1024, true);
    }

    public ProviderSettings withTimeouts(Duration connect, Duration total) {
        return new ProviderSettings(name, url, every, timeZone, connect, total, maxFeedBytes, enabled, hold);
    }

    public ProviderSettings withMaxFeedBytes(long bytes) {
        return new ProviderSettings(name, url, every, timeZone, connectTimeout, timeout, bytes, enabled, hold);
    }

    public ProviderSettings withTimeZone(ZoneId zone) {
        return new ProviderSettings(name, url, every, zone, connectTimeout, timeout, maxFeedBytes, enabled, hold);
    }

    public ProviderSettings withHold(HoldPolicy policy) {
        return new ProviderSettings(name, url, every, timeZone, connectTimeout, timeout, maxFeedBytes, enabled, policy);
    }

    public boolean isFile() {
        return "file".equalsIgnoreCase(url.getScheme());
    }
}
