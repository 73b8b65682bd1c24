package io.eventsearch.search.json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

import io.eventsearch.search.api.Cursor;
import io.eventsearch.search.api.PageQuery;
import io.eventsearch.search.cache.DaySlice;
import io.eventsearch.search.sql.SearchRepository;

/**
 * Renders the contract's success envelope straight to bytes with Jackson's streaming generator: no object
 * mapping, and the bytes are what the caches keep.
 */
public final class SearchJson {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private SearchJson() {
    }

    public static byte[] render(List<EventSummary> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + events.size() * 200);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeObjectFieldStart("data");
            json.writeArrayFieldStart("events");
            char[] scratch = new char[10];
            for (EventSummary event : events) {
                writeEvent(json, event, scratch);
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeNullField("error");
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** What {@link #render} writes around the events: {@link #assemble} writes the same bytes. */
    private static final byte[] ENVELOPE_START = "{\"data\":{\"events\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENVELOPE_END = "]},\"error\":null}".getBytes(StandardCharsets.US_ASCII);

    /** One day's events as a JSON array, with the byte range of each event (see {@link DaySlice}). */
    public static DaySlice renderDay(SearchRepository.Day day) {
        List<EventSummary> events = day.events();
        int[] begins = new int[events.size()];
        int[] ends = new int[events.size()];
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + events.size() * 200);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartArray();
            char[] scratch = new char[10];
            for (int i = 0; i < begins.length; i++) {
                json.flush();
                begins[i] = out.size() + (i == 0 ? 0 : 1); // the separator is written with the next event
                writeEvent(json, events.get(i), scratch);
                json.flush();
                ends[i] = out.size();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DaySlice(day.version(), day.startsMicros(), day.endsMicros(), out.toByteArray(), begins, ends);
    }

    /**
     * The contract's envelope of the events of consecutive days that start in [lower, upper] and end by upper
     * (epoch microseconds): byte for byte what {@link #render} writes for the same events. Neighbouring events
     * of a day are copied as one range, separator included.
     */
    public static byte[] assemble(List<DaySlice> days, long lowerMicros, long upperMicros) {
        int size = ENVELOPE_START.length + ENVELOPE_END.length;
        for (DaySlice day : days) {
            size += day.json().length;
        }
        byte[] out = new byte[size];
        System.arraycopy(ENVELOPE_START, 0, out, 0, ENVELOPE_START.length);
        int at = ENVELOPE_START.length;
        boolean first = true;
        for (DaySlice day : days) {
            long[] starts = day.startsMicros();
            long[] ends = day.endsMicros();
            int i = firstAtOrAfter(starts, lowerMicros);
            int n = day.size();
            while (i < n && starts[i] <= upperMicros) {
                if (ends[i] > upperMicros) {
                    i++;
                    continue;
                }
                int from = i;
                while (i + 1 < n && starts[i + 1] <= upperMicros && ends[i + 1] <= upperMicros) {
                    i++;
                }
                if (!first) {
                    out[at++] = ',';
                }
                first = false;
                int begin = day.begins()[from];
                int length = day.ends()[i] - begin;
                System.arraycopy(day.json(), begin, out, at, length);
                at += length;
                i++;
            }
        }
        System.arraycopy(ENVELOPE_END, 0, out, at, ENVELOPE_END.length);
        return Arrays.copyOf(out, at + ENVELOPE_END.length);
    }

    private static int firstAtOrAfter(long[] sorted, long value) {
        int low = 0;
        int high = sorted.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (sorted[mid] < value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * A v2 page: {@code {"data":{"events":[..],"next_cursor":..},"meta":{"synced_at":..,"data_version":..},
     * "error":null}}; each event is v1's EventSummary, plus its zones when they were asked for.
     */
    public static byte[] renderPage(SearchRepository.Page page, PageQuery query) {
        List<SearchRepository.PageEvent> events = page.events();
        ByteArrayOutputStream out = new ByteArrayOutputStream(160 + events.size() * (query.zones() ? 500 : 200));
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeObjectFieldStart("data");
            json.writeArrayFieldStart("events");
            char[] scratch = new char[10];
            for (SearchRepository.PageEvent event : events) {
                writeEventFields(json, event.summary(), scratch);
                if (event.zones() != null) {
                    writeZones(json, event.zones());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            if (page.more() && !events.isEmpty()) {
                SearchRepository.PageEvent last = events.get(events.size() - 1);
                json.writeStringField("next_cursor",
                        Cursor.after(last.startsAt(), last.summary().id()).encode(query.filterHash()));
            } else {
                json.writeNullField("next_cursor");
            }
            json.writeEndObject();
            json.writeObjectFieldStart("meta");
            json.writeStringField("synced_at", page.version().changedAt().toString());
            json.writeNumberField("data_version", page.version().version());
            json.writeEndObject();
            json.writeNullField("error");
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** One event object, exactly as {@link #render} writes it inside the events array. */
    public static byte[] event(EventSummary event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            writeEvent(json, event, new char[10]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The zones array of a v2 event ({@code [{"zone_id":..},..]}), exactly as {@link #renderPage} writes it. */
    public static byte[] zones(List<SearchRepository.Zone> zones) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + zones.size() * 80);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            writeZones(json, zones);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] wrapped = out.toByteArray();
        // {"zones":[...]} -> [...]
        int prefix = "{\"zones\":".length();
        return Arrays.copyOfRange(wrapped, prefix, wrapped.length - 1);
    }

    private static void writeZones(JsonGenerator json, List<SearchRepository.Zone> zones) throws IOException {
        json.writeArrayFieldStart("zones");
        for (SearchRepository.Zone zone : zones) {
            json.writeStartObject();
            json.writeStringField("zone_id", zone.zoneId());
            json.writeStringField("name", zone.name());
            json.writeNumberField("capacity", zone.capacity());
            json.writeFieldName("price");
            json.writeNumber(zone.price());
            json.writeBooleanField("numbered", zone.numbered());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    static void writeEvent(JsonGenerator json, EventSummary event, char[] scratch) throws IOException {
        writeEventFields(json, event, scratch);
        json.writeEndObject();
    }

    /** Opens the event object and writes the contract's fields; the caller closes it. */
    private static void writeEventFields(JsonGenerator json, EventSummary event, char[] scratch) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", event.id().toString());
        json.writeStringField("title", event.title());
        writeDate(json, "start_date", event.start(), scratch);
        writeTime(json, "start_time", event.start(), scratch);
        writeDate(json, "end_date", event.end(), scratch);
        writeTime(json, "end_time", event.end(), scratch);
        json.writeFieldName("min_price");
        if (event.minPrice() == null) {
            json.writeNull();
        } else {
            json.writeNumber(event.minPrice());
        }
        json.writeFieldName("max_price");
        if (event.maxPrice() == null) {
            json.writeNull();
        } else {
            json.writeNumber(event.maxPrice());
        }
    }

    /** yyyy-MM-dd */
    private static void writeDate(JsonGenerator json, String field, LocalDateTime value, char[] c) throws IOException {
        json.writeFieldName(field);
        if (value == null) {
            json.writeNull();
            return;
        }
        int year = value.getYear();
        c[0] = digit(year / 1000);
        c[1] = digit(year / 100);
        c[2] = digit(year / 10);
        c[3] = digit(year);
        c[4] = '-';
        c[5] = digit(value.getMonthValue() / 10);
        c[6] = digit(value.getMonthValue());
        c[7] = '-';
        c[8] = digit(value.getDayOfMonth() / 10);
        c[9] = digit(value.getDayOfMonth());
        json.writeString(c, 0, 10);
    }

    /** HH:mm:ss */
    private static void writeTime(JsonGenerator json, String field, LocalDateTime value, char[] c) throws IOException {
        json.writeFieldName(field);
        if (value == null) {
            json.writeNull();
            return;
        }
        c[0] = digit(value.getHour() / 10);
        c[1] = digit(value.getHour());
        c[2] = ':';
        c[3] = digit(value.getMinute() / 10);
        c[4] = digit(value.getMinute());
        c[5] = ':';
        c[6] = digit(value.getSecond() / 10);
        c[7] = digit(value.getSecond());
        json.writeString(c, 0, 8);
    }

    private static char digit(int value) {
        return (char) ('0' + value % 10);
    }
}
