package io.eventsearch.storage;

import java.time.Instant;

import io.eventsearch.common.EpochMicros;

/** The catalogue's data version: bumped by every sync that changed what search can see, and when it did. */
public record DataVersion(long version, Instant changedAt) {

    /** Wire form for NOTIFY payloads: {@code version:epochMicros}. */
    public String encode() {
        return version + ":" + EpochMicros.floor(changedAt);
    }

    public static DataVersion decode(String payload) {
        int colon = payload.indexOf(':');
        long version = Long.parseLong(payload.substring(0, colon));
        return new DataVersion(version, EpochMicros.instant(Long.parseLong(payload.substring(colon + 1))));
    }
}
