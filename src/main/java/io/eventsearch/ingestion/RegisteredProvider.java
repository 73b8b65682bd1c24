package io.eventsearch.ingestion;

import io.eventsearch.provider.ProviderSettings;

/** A provider with its row id in {@code providers}. */
public record RegisteredProvider(int id, ProviderSettings settings) {

    public String name() {
        return settings.name();
    }
}
