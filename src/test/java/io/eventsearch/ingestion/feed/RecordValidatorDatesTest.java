package io.eventsearch.ingestion.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The formatter-free reading of feed dates says exactly what ISO_LOCAL_DATE_TIME says, or leaves it to it. */
class RecordValidatorDatesTest {

    private static String formatter(String s) {
        try {
            return LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toString();
        } catch (DateTimeException e) {
            return "invalid";
        }
    }

    private static String fast(String s) {
        try {
            LocalDateTime value = RecordValidator.secondsForm(s);
            return value == null ? formatter(s) : value.toString();
        } catch (DateTimeException e) {
            return "invalid";
        }
    }

    @Test
    void agreesWithTheFormatter() {
        for (String s : List.of("2021-06-30T21:00:00", "2021-09-31T20:00:00", "2024-02-29T00:00:00",
                "2023-02-29T00:00:00", "2021-06-30T24:00:00", "2021-06-30T23:60:00", "2021-06-30T23:59:60",
                "2021-00-10T10:00:00", "2021-13-10T10:00:00", "0000-01-01T00:00:00", "9999-12-31T23:59:59",
                "2021-06-30 21:00:00", "2021-06-30T21:00", "2021-06-30T21:00:00.5", "2021-6-30T21:00:000",
                "2021-06-3aT21:00:00", "+2021-06-30T21:00", "2021-06-30T21:00:0x")) {
            assertThat(fast(s)).as(s).isEqualTo(formatter(s));
        }
        assertThat(RecordValidator.secondsForm("2021-06-30T21:00")).isNull();
    }
}
