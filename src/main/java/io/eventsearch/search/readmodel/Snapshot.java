package io.eventsearch.search.readmodel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.eventsearch.storage.DataVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The visible catalogue of one data version, in process: every visible plan in (start, id) order with what any
 * answer needs, each event's JSON ready to copy. Immutable: a new version is a new snapshot (built from the old one
 * and the version's change set), swapped in at once, so a request sees one version whole and never half a sync.
 */
public final class Snapshot {

    /** One visible plan. Prices in cents ({@link #NO_PRICE} for a plan without zones). */
    public record Entry(long startMicros, UUID id, long endMicros, int providerId, long minCents, long maxCents,
            byte[] event, byte[] zones) {

        /** Bytes held for the entry: its JSON and a fixed estimate for the object, its arrays and its slot. */
        long weight() {
            return 136 + event.length + zones.length;
        }
    }

    public static final long NO_PRICE = Long.MIN_VALUE;
    private static final byte[] V1_START = "{\"data\":{\"events\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V1_END = "]},\"error\":null}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZONES = ",\"zones\":".getBytes(StandardCharsets.US_ASCII);

    private final DataVersion version;
    private final Entry[] entries;
    private final Map<String, Integer> providerIds;
    private final long bytes;

    Snapshot(DataVersion version, Entry[] entries, Map<String, Integer> providerIds) {
        this.version = version;
        this.entries = entries;
        this.providerIds = Map.copyOf(providerIds);
        long total = 0;
        for (Entry e : entries) {
            total += e.weight();
        }
        this.bytes = total;
    }

    static Snapshot of(DataVersion version, List<Entry> entries, Map<String, Integer> providerIds) {
        Entry[] sorted = entries.toArray(Entry[]::new);
        Arrays.sort(sorted, Snapshot::compare);
        return new Snapshot(version, sorted, providerIds);
    }

    /** The next version: this one without the plans of the change set, plus their visible rows now. */
    Snapshot apply(DataVersion next, Set<UUID> changed, Collection<Entry> visibleNow, Map<String, Integer> providers) {
        Entry[] added = visibleNow.toArray(Entry[]::new);
        Arrays.sort(added, Snapshot::compare);
        List<Entry> out = new ArrayList<>(entries.length + added.length);
        int a = 0;
        for (Entry e : entries) {
            if (changed.contains(e.id())) {
                continue;
            }
            while (a < added.length && compare(added[a], e) < 0) {
                out.add(added[a++]);
            }
            out.add(e);
        }
        while (a < added.length) {
            out.add(added[a++]);
        }
        return new Snapshot(next, out.toArray(Entry[]::new), providers);
    }

    public DataVersion version() {
        return version;
    }

    public int size() {
        return entries.length;
    }

    /** Memory held by the entries, estimated (see {@link Entry#weight()}). */
    public long bytes() {
        return bytes;
    }

    /** v1: the contract's envelope of every event starting at or after lower and ending by upper (epoch µs). */
    public byte[] window(long lowerMicros, long upperMicros) {
        return prepare(lowerMicros, upperMicros).bytes();
    }

    /** v1's answer for a window, measured but not written yet: written straight into a response buffer. */
    public Window prepare(long lowerMicros, long upperMicros) {
        int from = firstAtOrAfter(lowerMicros);
        int size = V1_START.length + V1_END.length - 1;
        int count = 0;
        int to = from;
        while (to < entries.length && entries[to].startMicros() <= upperMicros) {
            if (entries[to].endMicros() <= upperMicros) {
                size += entries[to].event().length + 1;
                count++;
            }
            to++;
        }
        return new Window(entries, from, to, upperMicros, count == 0 ? size + 1 : size);
    }

    /** The events of entries[from, to) that end by upper, in the v1 envelope: {@link #size()} bytes. */
    public static final class Window {
        private final Entry[] entries;
        private final int from;
        private final int to;
        private final long upperMicros;
        private final int size;

        Window(Entry[] entries, int from, int to, long upperMicros, int size) {
            this.entries = entries;
            this.from = from;
            this.to = to;
            this.upperMicros = upperMicros;
            this.size = size;
        }

        public int size() {
            return size;
        }

        public void writeTo(ByteBuf out) {
            out.writeBytes(V1_START);
            boolean first = true;
            for (int i = from; i < to; i++) {
                Entry e = entries[i];
                if (e.endMicros() > upperMicros) {
                    continue;
                }
                if (!first) {
                    out.writeByte(',');
                }
                first = false;
                out.writeBytes(e.event());
            }
            out.writeBytes(V1_END);
        }

        public byte[] bytes() {
            byte[] out = new byte[size];
            writeTo(Unpooled.wrappedBuffer(out).clear());
            return out;
        }
    }

    /** A v2 page: what {@code SearchJson.renderPage} writes for the same query on the SQL path, byte for byte. */
    public byte[] page(PageRequest q) {
        Integer provider = q.provider() == null ? null : providerIds.get(q.provider());
        boolean noSuchProvider = q.provider() != null && provider == null;
        int i = firstAtOrAfter(Math.max(q.lowerMicros(), q.afterMicros()));
        List<Entry> page = new ArrayList<>(Math.min(q.limit(), 64));
        boolean more = false;
        for (; i < entries.length && !noSuchProvider; i++) {
            Entry e = entries[i];
            if (e.startMicros() > q.upperMicros()) {
                break;
            }
            if (e.endMicros() > q.upperMicros() || !after(e, q.afterMicros(), q.afterId())
                    || (provider != null && e.providerId() != provider)
                    || (q.minCents() != NO_PRICE && (e.minCents() == NO_PRICE || e.minCents() < q.minCents()))
                    || (q.maxCents() != NO_PRICE && (e.maxCents() == NO_PRICE || e.maxCents() > q.maxCents()))) {
                continue;
            }
            if (page.size() == q.limit()) {
                more = true;
                break;
            }
            page.add(e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + page.size() * (q.zones() ? 600 : 220));
        out.writeBytes(V1_START);
        for (int k = 0; k < page.size(); k++) {
            Entry e = page.get(k);
            if (k > 0) {
                out.write(',');
            }
            if (q.zones()) {
                out.write(e.event(), 0, e.event().length - 1);
                out.writeBytes(ZONES);
                out.writeBytes(e.zones());
                out.write('}');
            } else {
                out.writeBytes(e.event());
            }
        }
        out.writeBytes("],\"next_cursor\":".getBytes(StandardCharsets.US_ASCII));
        if (more && !page.isEmpty()) {
            Entry last = page.get(page.size() - 1);
            out.write('"');
            out.writeBytes(q.cursor(last.startMicros(), last.id()).getBytes(StandardCharsets.US_ASCII));
            out.write('"');
        } else {
            out.writeBytes("null".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("},\"meta\":{\"synced_at\":\"" + version.changedAt() + "\",\"data_version\":" + version.version()
                + "},\"error\":null}").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** What a v2 page asks for, in the model's terms. {@code afterMicros}/{@code afterId}: the cursor's position. */
    public record PageRequest(long lowerMicros, long upperMicros, long afterMicros, UUID afterId, int limit,
            String provider, long minCents, long maxCents, boolean zones, CursorWriter cursors) {

        String cursor(long startMicros, UUID id) {
            return cursors.cursor(startMicros, id);
        }
    }

    /** Encodes the cursor of a page's last event (the API's format). */
    @FunctionalInterface
    public interface CursorWriter {
        String cursor(long startMicros, UUID id);
    }

    private static boolean after(Entry e, long afterMicros, UUID afterId) {
        if (afterId == null) {
            return true;
        }
        return e.startMicros() > afterMicros || (e.startMicros() == afterMicros && compareIds(e.id(), afterId) > 0);
    }

    private int firstAtOrAfter(long micros) {
        int low = 0;
        int high = entries.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (entries[mid].startMicros() < micros) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    static int compare(Entry a, Entry b) {
        int c = Long.compare(a.startMicros(), b.startMicros());
        return c != 0 ? c : compareIds(a.id(), b.id());
    }

    /** PostgreSQL's uuid order: the 16 bytes compared unsigned (Java's UUID.compareTo compares signed longs). */
    static int compareIds(UUID a, UUID b) {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }
}
