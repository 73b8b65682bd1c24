package io.eventsearch.storage;

import java.time.Instant;

/** The catalogue's data version: bumped by every sync that changed what search can see, and when it did. */
public record DataVersion(long version, Instant changedAt) {

    /** Wire form for NOTIFY payloads: {@code version:epochMicros}. */
    public String encode() {
        long micros = changedAt.getEpochSecond() * 1_000_000L + changedAt.getNano() / 1_000;
        return version + ":" + micros;
    }

    public static DataVersion decode(String payload) {
        int colon = payload.indexOf(':');
        long version = Long.parseLong(payload.substring(0, colon));
        long micros = Long.parseLong(payload.substring(colon + 1));
        return new DataVersion(version, Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L));
    }
}
