package io.eventsearch.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.eventsearch.common.EpochMicros;
import io.eventsearch.search.cache.DaySlice;
import io.eventsearch.search.json.EventSummary;
import io.eventsearch.search.json.SearchJson;
import io.eventsearch.search.sql.SearchRepository;
import io.eventsearch.storage.DataVersion;

/**
 * A window assembled from day slices is byte for byte the answer rendered from the window's own query: the same
 * events (starting inside the window, ending by its upper bound), in the same order, in the same envelope.
 */
class DaySliceAssemblyTest {

    private static final DataVersion VERSION = new DataVersion(7, Instant.parse("2026-01-01T00:00:00Z"));
    private static final long DAY = 86_400_000_000L;

    /** An event as the database holds it: instants in microseconds, and the summary search shows. */
    private record Stored(long startMicros, long endMicros, EventSummary summary) {
    }

    @Test
    void anyWindowAssembledFromDaysEqualsTheRenderedQueryAnswer() {
        Random random = new Random(20261201);
        long firstDay = DaySlice.day(EpochMicros.floor(Instant.parse("2026-03-01T00:00:00Z")));
        List<Stored> catalogue = catalogue(random, firstDay, 12);
        for (int i = 0; i < 2_000; i++) {
            // bounds on any microsecond, whole seconds or day boundaries, and windows from empty to 12 days
            long lower = bound(random, firstDay);
            long upper = lower + switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextLong(DAY);
                case 2 -> random.nextInt(8) * DAY;
                default -> random.nextLong(12 * DAY);
            };
            List<EventSummary> expected = catalogue.stream()
                    .filter(e -> e.startMicros() >= lower && e.startMicros() <= upper && e.endMicros() <= upper)
                    .map(Stored::summary).toList();
            byte[] assembled = SearchJson.assemble(slices(catalogue, DaySlice.day(lower), DaySlice.day(upper)), lower, upper);
            assertThat(new String(assembled, StandardCharsets.UTF_8))
                    .as("window %d..%d", lower, upper)
                    .isEqualTo(new String(SearchJson.render(expected), StandardCharsets.UTF_8));
        }
    }

    @Test
    void emptyDaysMakeAnEmptyList() {
        byte[] assembled = SearchJson.assemble(slices(List.of(), 100, 102), 100 * DAY, 102 * DAY);
        assertThat(new String(assembled, StandardCharsets.UTF_8)).isEqualTo("{\"data\":{\"events\":[]},\"error\":null}");
    }

    @Test
    void instantsRoundTowardsTheInsideOfTheWindow() {
        Instant lower = Instant.parse("2026-03-01T10:00:00.0000001Z");
        assertThat(EpochMicros.ceil(lower)).isEqualTo(EpochMicros.floor(lower) + 1);
        Instant exact = Instant.parse("2026-03-01T10:00:00.000001Z");
        assertThat(EpochMicros.ceil(exact)).isEqualTo(EpochMicros.floor(exact));
        Instant beforeEpoch = Instant.parse("1969-12-31T23:59:59.5Z");
        assertThat(DaySlice.day(EpochMicros.floor(beforeEpoch))).isEqualTo(-1);
        assertThat(DaySlice.dayStart(-1)).isEqualTo(Instant.parse("1969-12-31T00:00:00Z"));
    }

    /** Events over the days, some sharing a start, some spanning midnight or several days, in (start, id) order. */
    private static List<Stored> catalogue(Random random, long firstDay, int days) {
        List<Stored> events = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            long start = firstDay * DAY + random.nextLong(days * DAY) / 1_000_000 * 1_000_000;
            if (i % 10 == 1) {
                start = events.get(i - 1).startMicros(); // same start: the id decides the order
            }
            long end = start + switch (random.nextInt(5)) {
                case 0 -> 0;
                case 1 -> random.nextInt(3) * DAY + random.nextLong(DAY);
                default -> random.nextInt(4 * 3600) * 1_000_000L;
            };
            LocalDateTime localStart = LocalDateTime.ofEpochSecond(Math.floorDiv(start, 1_000_000), 0, ZoneOffset.UTC);
            LocalDateTime localEnd = LocalDateTime.ofEpochSecond(Math.floorDiv(end, 1_000_000), 0, ZoneOffset.UTC);
            BigDecimal min = i % 7 == 0 ? null : BigDecimal.valueOf(random.nextInt(10_000), 2);
            events.add(new Stored(start, end, new EventSummary(new UUID(random.nextLong(), random.nextLong()),
                    "Event \"" + i + "\" ñ", localStart, localEnd, min, min == null ? null : min.add(BigDecimal.TEN))));
        }
        events.sort(Comparator.comparingLong(Stored::startMicros).thenComparing(e -> e.summary().id()));
        return events;
    }

    private static long bound(Random random, long firstDay) {
        long day = firstDay - 1 + random.nextInt(14);
        return switch (random.nextInt(3)) {
            case 0 -> day * DAY;
            case 1 -> day * DAY + random.nextInt(86_400) * 1_000_000L;
            default -> day * DAY + random.nextLong(DAY);
        };
    }

    /** What the day query returns for each day, rendered as the service renders it. */
    private static List<DaySlice> slices(List<Stored> catalogue, long firstDay, long lastDay) {
        List<DaySlice> slices = new ArrayList<>();
        for (long day = firstDay; day <= lastDay; day++) {
            long d = day;
            List<Stored> of = catalogue.stream().filter(e -> DaySlice.day(e.startMicros()) == d).toList();
            slices.add(SearchJson.renderDay(new SearchRepository.Day(of.stream().map(Stored::summary).toList(),
                    of.stream().mapToLong(Stored::startMicros).toArray(), of.stream().mapToLong(Stored::endMicros).toArray(),
                    VERSION)));
        }
        return slices;
    }
}
