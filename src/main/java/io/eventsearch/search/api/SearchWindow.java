package io.eventsearch.search.api;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

import io.eventsearch.common.IsoDateTimes;

/**
 * The time window of a search: plans with {@code start >= startsAt} and {@code end <= endsAt}, both inclusive,
 * either bound optional. Date-times are RFC 3339 ({@code 2021-07-21T17:32:28Z}, any offset, optional fraction);
 * one without an offset is read as UTC. Bounds are kept to whole microseconds, PostgreSQL's precision.
 */
public record SearchWindow(Instant startsAt, Instant endsAt) {

    /** Bounds used for an absent side: the whole range a plan can have. */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    public static SearchWindow parse(List<String> startsAt, List<String> endsAt) {
        Instant from = single("starts_at", startsAt);
        Instant to = single("ends_at", endsAt);
        if (from != null && to != null && from.isAfter(to)) {
            throw new InvalidQueryException(ApiError.INVALID_RANGE, "starts_at must not be after ends_at");
        }
        return new SearchWindow(roundUp(from), roundDown(to));
    }

    /*
     * PostgreSQL keeps microseconds. Bounds are rounded towards the inside of the window here, once, so the query,
     * the day slices and the cache key all see the same window ("start >= 20:00:00.0000001" excludes an event at
     * 20:00:00, as it should; the driver would otherwise truncate the bound towards 2000-01-01).
     */
    private static Instant roundUp(Instant instant) {
        if (instant == null) {
            return null;
        }
        Instant down = instant.truncatedTo(ChronoUnit.MICROS);
        return down.equals(instant) ? instant : down.plus(1, ChronoUnit.MICROS);
    }

    private static Instant roundDown(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Bounded work of v2 pages: refuses a window open on a side or longer than {@code max} (zero turns the check
     * off). v1 has no such bound: its contract makes both sides optional and sets no length.
     */
    public SearchWindow requireClosedAndAtMost(Duration max) {
        if (max.isZero()) {
            return this;
        }
        if (startsAt == null || endsAt == null || Duration.between(startsAt, endsAt).compareTo(max) > 0) {
            throw new InvalidQueryException(ApiError.WINDOW_TOO_LARGE, "the window from starts_at to ends_at "
                    + "must be given on both sides and must not be longer than " + max);
        }
        return this;
    }

    public Instant lower() {
        return startsAt == null ? EARLIEST : startsAt;
    }

    public Instant upper() {
        return endsAt == null ? LATEST : endsAt;
    }

    /** Normalised form for cache keys: equal windows, whatever their spelling, share one key. */
    public String key() {
        return bound(startsAt) + ':' + bound(endsAt);
    }

    /** Epoch millis, or seconds and nanos when the instant has a sub-millisecond part (never two bounds one key). */
    private static String bound(Instant instant) {
        if (instant == null) {
            return "-";
        }
        return instant.getNano() % 1_000_000 == 0 ? Long.toString(instant.toEpochMilli())
                : instant.getEpochSecond() + "s" + instant.getNano();
    }

    private static Instant single(String name, List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new InvalidQueryException(ApiError.REPEATED_PARAMETER, name + " must be given at most once");
        }
        return parseDateTime(name, values.get(0));
    }

    static Instant parseDateTime(String name, String raw) {
        String value = raw == null ? "" : raw.trim().toUpperCase(Locale.ROOT);
        if (value.length() > 64) {
            throw invalid(name, raw);
        }
        try {
            Instant fast = IsoDateTimes.rfc3339(value);
            Instant instant = fast != null ? fast : hasOffset(value)
                    ? OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
                    : LocalDateTime.parse(value, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
            if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
                throw invalid(name, raw);
            }
            return instant;
        } catch (DateTimeException e) {
            throw invalid(name, raw);
        }
    }

    private static boolean hasOffset(String value) {
        int t = value.indexOf('T');
        if (t < 0) {
            return false;
        }
        String time = value.substring(t);
        return time.endsWith("Z") || time.indexOf('+') > 0 || time.indexOf('-') > 0;
    }

    private static InvalidQueryException invalid(String name, String raw) {
        String shown = raw == null ? "" : raw.length() > 64 ? raw.substring(0, 64) + "..." : raw;
        return new InvalidQueryException(ApiError.INVALID_DATE_TIME,
                name + " must be an RFC 3339 date-time such as 2021-07-21T17:32:28Z, got '" + shown + "'");
    }
}
