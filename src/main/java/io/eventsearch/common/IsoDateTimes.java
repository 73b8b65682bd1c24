package io.eventsearch.common;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The usual ISO 8601 forms read without {@code DateTimeFormatter}, which costs more than the rest of a cached
 * search and a sixth of a feed's parse. Each method reads one strict form and says exactly what the formatter would
 * say of it ({@link LocalDateTime#of} and {@link ZoneOffset#ofHoursMinutes} check the fields as strictly: no 31st of
 * September, no hour 24, no offset beyond 18 hours), or returns null for any other form, which is then left to the
 * formatter.
 */
public final class IsoDateTimes {

    private IsoDateTimes() {
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss}, the form feeds use; null for any other form.
     *
     * @throws java.time.DateTimeException for that form with a field out of range
     */
    public static LocalDateTime secondsForm(String s) {
        return s.length() == 19 ? seconds(s) : null;
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss}, then an optional fraction of 1 to 9 digits, then {@code Z}, {@code ±HH:MM} or
     * nothing (read as UTC), the forms of RFC 3339 clients send; null for any other form.
     *
     * @throws java.time.DateTimeException for such a form with a field out of range
     */
    public static Instant rfc3339(String s) {
        if (s.length() < 19) {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (at < s.length() && s.charAt(at) == '.') {
            int digits = 0;
            at++;
            while (at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '9') {
                if (++digits > 9) {
                    return null;
                }
                nanos = nanos * 10 + (s.charAt(at++) - '0');
            }
            if (digits == 0) {
                return null;
            }
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        ZoneOffset offset;
        int rest = s.length() - at;
        if (rest == 0) {
            offset = ZoneOffset.UTC;
        } else if (rest == 1 && s.charAt(at) == 'Z') {
            offset = ZoneOffset.UTC;
        } else if (rest == 6 && (s.charAt(at) == '+' || s.charAt(at) == '-') && s.charAt(at + 3) == ':') {
            int hours = digits(s, at + 1, 2);
            int minutes = digits(s, at + 4, 2);
            if ((hours | minutes) < 0) {
                return null;
            }
            offset = s.charAt(at) == '+' ? ZoneOffset.ofHoursMinutes(hours, minutes)
                    : ZoneOffset.ofHoursMinutes(-hours, -minutes);
        } else {
            return null;
        }
        LocalDateTime local = seconds(s);
        return local == null ? null : local.withNano(nanos).toInstant(offset);
    }

    /** The {@code yyyy-MM-ddTHH:mm:ss} that s starts with, or null. */
    private static LocalDateTime seconds(String s) {
        if (s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        return LocalDateTime.of(year, month, day, hour, minute, second);
    }

    /** The number in {@code length} ASCII digits from {@code from}, or -1. */
    private static int digits(String s, int from, int length) {
        int value = 0;
        for (int i = from; i < from + length; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
