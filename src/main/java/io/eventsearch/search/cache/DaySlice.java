package io.eventsearch.search.cache;

import java.time.Instant;

import io.eventsearch.common.EpochMicros;
import io.eventsearch.storage.DataVersion;

/**
 * One UTC day of the catalogue, rendered once: the events that start that day in (start, id) order, as JSON with
 * the byte range of each event, plus each event's start and end. A search answer for any window is then a
 * concatenation of byte ranges of the days it touches, filtered on those instants, with no query.
 *
 * @param version the data version of the snapshot the day was read from
 * @param startsMicros start of each event, epoch microseconds (PostgreSQL's precision), ascending
 * @param endsMicros end of each event, epoch microseconds
 * @param json the events as a JSON array, with the separators Jackson wrote between them
 * @param begins where event i's object begins in {@code json}
 * @param ends where event i's object ends (exclusive); bytes between two neighbours are their separator
 */
public record DaySlice(DataVersion version, long[] startsMicros, long[] endsMicros, byte[] json, int[] begins,
        int[] ends) {


    public int size() {
        return startsMicros.length;
    }

    /** What a slice costs in memory, roughly: the bytes plus four numbers per event. */
    int weight() {
        return 64 + json.length + 24 * startsMicros.length;
    }

    /** The day (days since the epoch, UTC) of an instant in epoch microseconds. */
    public static long day(long micros) {
        return Math.floorDiv(micros, EpochMicros.PER_DAY);
    }

    public static Instant dayStart(long day) {
        return Instant.ofEpochSecond(day * 86_400L);
    }

}
