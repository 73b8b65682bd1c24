package io.eventsearch.common;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Instants as whole microseconds since the epoch: PostgreSQL's precision, so an instant read from a row is exactly
 * one of these, and comparisons against them stay exact.
 */
public final class EpochMicros {

    public static final long PER_SECOND = 1_000_000L;
    public static final long PER_DAY = 86_400L * PER_SECOND;

    private EpochMicros() {
    }

    /** The largest whole microsecond at or before the instant. */
    public static long floor(Instant instant) {
        return instant.getEpochSecond() * PER_SECOND + instant.getNano() / 1_000;
    }

    /** The smallest whole microsecond at or after the instant: "at or after" comparisons stay exact. */
    public static long ceil(Instant instant) {
        return instant.getEpochSecond() * PER_SECOND + (instant.getNano() + 999) / 1_000;
    }

    /** A timestamp of a row (whole microseconds already). */
    public static long of(OffsetDateTime time) {
        return time.toEpochSecond() * PER_SECOND + time.getNano() / 1_000;
    }

    public static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, PER_SECOND), Math.floorMod(micros, PER_SECOND) * 1_000L);
    }

    /** The instant as a UTC timestamp, the form statement parameters take. */
    public static OffsetDateTime utc(long micros) {
        return instant(micros).atOffset(ZoneOffset.UTC);
    }
}
