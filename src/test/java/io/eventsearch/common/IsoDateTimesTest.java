package io.eventsearch.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The formatter-free forms say exactly what the formatters say, or leave the string to them (null). */
class IsoDateTimesTest {

    @Test
    void rfc3339AgreesWithTheFormatters() {
        List<String> cases = new ArrayList<>(List.of("2021-06-30T21:00:00Z", "2021-06-30T21:00:00", "2021-06-30T21:00:00.5Z",
                "2021-06-30T21:00:00.123456789Z", "2021-06-30T21:00:00.1234567891Z", "2021-06-30T21:00:00.Z",
                "2021-06-30T21:00:00+01:00", "2021-06-30T21:00:00-05:30", "2021-06-30T21:00:00.25-05:30",
                "2021-06-30T21:00:00+18:00", "2021-06-30T21:00:00+18:01", "2021-06-30T21:00:00+19:00",
                "2021-06-30T21:00:00-00:00", "2021-06-30T21:00:00+0100", "2021-06-30T21:00:00+01", "2021-06-30T21:00:00+01:00:30",
                "2021-06-30T21:00Z", "2021-06-30T21:00", "2021-09-31T20:00:00Z", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z",
                "2021-06-30T24:00:00Z", "2021-06-30T23:60:00Z", "2021-06-30T23:59:60Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999999999Z", "2021-06-30 21:00:00Z", "2021-06-30T21:00:00ZZ", "2021-06-30T21:00:00+1:00",
                "2021-06-3aT21:00:00Z", "+2021-06-30T21:00:00Z", "2021-06-30T21:00:00.5+01:00x"));
        Random random = new Random(11);
        for (int i = 0; i < 5_000; i++) { // random dates, times, fractions and offsets, in and out of range
            cases.add(String.format("%04d-%02d-%02dT%02d:%02d:%02d%s%s", random.nextInt(10_000), random.nextInt(14),
                    random.nextInt(33), random.nextInt(26), random.nextInt(62), random.nextInt(62),
                    random.nextBoolean() ? "" : "." + String.format("%09d", random.nextInt(1_000_000_000)).substring(0, 1 + random.nextInt(9)),
                    switch (random.nextInt(4)) {
                        case 0 -> "";
                        case 1 -> "Z";
                        default -> String.format("%s%02d:%02d", random.nextBoolean() ? "+" : "-", random.nextInt(20), random.nextInt(61));
                    }));
        }
        for (String s : cases) {
            String fast;
            try {
                var instant = IsoDateTimes.rfc3339(s);
                fast = instant == null ? formatter(s) : instant.toString();
            } catch (DateTimeException e) {
                fast = "invalid";
            }
            assertThat(fast).as(s).isEqualTo(formatter(s));
        }
    }

    @Test
    void secondsFormAgreesWithTheFormatter() {
        for (String s : List.of("2021-06-30T21:00:00", "2021-09-31T20:00:00", "2024-02-29T00:00:00",
                "2023-02-29T00:00:00", "2021-06-30T24:00:00", "2021-06-30T23:60:00", "2021-06-30T23:59:60",
                "2021-00-10T10:00:00", "2021-13-10T10:00:00", "0000-01-01T00:00:00", "9999-12-31T23:59:59",
                "2021-06-30 21:00:00", "2021-06-30T21:00", "2021-06-30T21:00:00.5", "2021-6-30T21:00:000",
                "2021-06-3aT21:00:00", "+2021-06-30T21:00", "2021-06-30T21:00:0x")) {
            String fast;
            try {
                LocalDateTime value = IsoDateTimes.secondsForm(s);
                fast = value == null ? local(s) : value.toString();
            } catch (DateTimeException e) {
                fast = "invalid";
            }
            assertThat(fast).as(s).isEqualTo(local(s));
        }
        assertThat(IsoDateTimes.secondsForm("2021-06-30T21:00")).isNull();
    }

    /** What the search window read before: an offset form, or a local one taken as UTC. */
    private static String formatter(String s) {
        try {
            int t = s.indexOf('T');
            String time = t < 0 ? "" : s.substring(t);
            boolean offset = time.endsWith("Z") || time.indexOf('+') > 0 || time.indexOf('-') > 0;
            return (offset ? OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
                    : LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC)).toString();
        } catch (DateTimeException e) {
            return "invalid";
        }
    }

    private static String local(String s) {
        try {
            return LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toString();
        } catch (DateTimeException e) {
            return "invalid";
        }
    }
}
