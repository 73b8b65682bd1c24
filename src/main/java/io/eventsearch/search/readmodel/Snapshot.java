package io.eventsearch.search.readmodel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.eventsearch.common.PooledPieces;
import io.eventsearch.storage.DataVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The visible catalogue of one data version, in process: every visible plan in (start, id) order with what any
 * answer needs. Immutable: a new version is a new snapshot (built from the old one and the version's change set),
 * swapped in at once, so a request sees one version whole and never half a sync.
 * <p>
 * The plans are held as columns (start, end, id, provider, prices: primitive arrays that a window scans without
 * touching an object per plan), and each event's v1 JSON, followed by a comma, is packed in (start, id) order
 * into large off-heap chunks. A window's events therefore lie mostly side by side: an answer is the envelope and
 * one slice of a chunk per run of neighbouring events, which the socket reads where they are (short runs are copied
 * into a pooled piece instead: a slice is worth it only for enough bytes). A new version keeps the chunks of the plans
 * that stay and packs only the plans that came or changed into new ones; once too many plans no longer sit next to
 * their neighbours, or too much of the chunks belongs to plans that left, the next version is packed anew. Chunks are
 * read-only and never released by hand: a chunk lives as long as a snapshot, or a response being written, refers to
 * it, and the garbage collector frees it after that.
 */
public final class Snapshot {

    /** One visible plan as read from the database. Prices in cents ({@link #NO_PRICE} for a plan without zones). */
    public record Entry(long startMicros, UUID id, long endMicros, int providerId, long minCents, long maxCents,
            byte[] event, byte[] zones) {
    }

    public static final long NO_PRICE = Long.MIN_VALUE;
    /** Events are packed into chunks of this size: large runs, yet below G1's humongous size at a 256 MB heap. */
    static final int CHUNK = 256 * 1024;
    /** Fixed bytes a plan costs besides its JSON: its slots in the column arrays and its zones array's header. */
    static final int PER_PLAN = 96;
    private static final byte[] V1_START = "{\"data\":{\"events\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V1_END = "]},\"error\":null}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZONES = ",\"zones\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEXT_CURSOR = "],\"next_cursor\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
    /** Runs at least this long are sent as slices of their chunk; shorter ones are copied. */
    static final int SLICE_AT_LEAST = 1024;
    private static final ByteBuf V1_START_BUFFER = constant(V1_START);
    private static final ByteBuf V1_END_BUFFER = constant(V1_END);

    private final DataVersion version;
    private final Map<String, Integer> providerIds;
    private final int size;
    private final long[] starts;
    private final long[] ends;
    private final long[] idHigh;
    private final long[] idLow;
    private final int[] providers;
    private final long[] minCents;
    private final long[] maxCents;
    /** Event i's JSON: {@code chunks[chunkOf[i]]} from {@code offsetOf[i]}, {@code lengthOf[i]} bytes, then a comma. */
    private final ByteBuf[] chunks;
    private final int[] chunkOf;
    private final int[] offsetOf;
    private final int[] lengthOf;
    private final byte[][] zones;
    /** The v2 page's ending after {@code next_cursor}: this version's freshness. */
    private final byte[] pageEnd;
    private final long bytes;
    private final long chunkBytes;
    private final long liveEventBytes;
    private final int breaks;

    private Snapshot(DataVersion version, Map<String, Integer> providerIds, Builder b) {
        this.version = version;
        this.providerIds = Map.copyOf(providerIds);
        this.size = b.size;
        this.starts = Arrays.copyOf(b.starts, size);
        this.ends = Arrays.copyOf(b.ends, size);
        this.idHigh = Arrays.copyOf(b.idHigh, size);
        this.idLow = Arrays.copyOf(b.idLow, size);
        this.providers = Arrays.copyOf(b.providers, size);
        this.minCents = Arrays.copyOf(b.minCents, size);
        this.maxCents = Arrays.copyOf(b.maxCents, size);
        this.chunkOf = Arrays.copyOf(b.chunkOf, size);
        this.offsetOf = Arrays.copyOf(b.offsetOf, size);
        this.lengthOf = Arrays.copyOf(b.lengthOf, size);
        this.zones = Arrays.copyOf(b.zones, size);
        this.chunks = b.chunks();
        this.pageEnd = ("},\"meta\":{\"synced_at\":\"" + version.changedAt() + "\",\"data_version\":" + version.version()
                + "},\"error\":null}").getBytes(StandardCharsets.US_ASCII);
        long live = 0;
        long zoneBytes = 0;
        int gaps = 0;
        for (int i = 0; i < size; i++) {
            live += lengthOf[i] + 1;
            zoneBytes += zones[i].length;
            if (i > 0 && !(chunkOf[i] == chunkOf[i - 1] && offsetOf[i] == offsetOf[i - 1] + lengthOf[i - 1] + 1)) {
                gaps++;
            }
        }
        long chunkBytes = 0;
        for (ByteBuf chunk : chunks) {
            chunkBytes += chunk.capacity();
        }
        this.chunkBytes = chunkBytes;
        this.liveEventBytes = live;
        this.breaks = gaps;
        this.bytes = chunkBytes + zoneBytes + (long) PER_PLAN * size;
    }

    /** A snapshot of entries in any order. */
    static Snapshot of(DataVersion version, Collection<Entry> entries, Map<String, Integer> providerIds) {
        Entry[] sorted = entries.toArray(Entry[]::new);
        Arrays.sort(sorted, Snapshot::compare);
        Builder builder = new Builder(sorted.length);
        for (Entry e : sorted) {
            builder.add(e);
        }
        return builder.build(version, providerIds);
    }

    /** The next version: this one without the plans of the change set, plus their visible rows now. */
    Snapshot apply(DataVersion next, Set<UUID> changed, Collection<Entry> visibleNow, Map<String, Integer> providerIds) {
        Entry[] added = visibleNow.toArray(Entry[]::new);
        Arrays.sort(added, Snapshot::compare);
        IdSet leaving = new IdSet(changed);
        Builder out = new Builder(size + added.length, chunks.length);
        int a = 0;
        for (int i = 0; i < size; i++) {
            if (leaving.contains(idHigh[i], idLow[i])) {
                continue;
            }
            while (a < added.length && compare(added[a], starts[i], idHigh[i], idLow[i]) < 0) {
                out.add(added[a++]);
            }
            out.keep(this, i);
        }
        while (a < added.length) {
            out.add(added[a++]);
        }
        Snapshot moved = out.build(next, providerIds);
        return moved.scattered() ? moved.packed() : moved;
    }

    /** Too many plans apart from their neighbours, or too much chunk space held for plans that left. */
    boolean scattered() {
        return breaks > Math.max(64, size / 8) || chunkBytes - liveEventBytes > Math.max(CHUNK, liveEventBytes / 4);
    }

    /** The same version with every event packed anew, in order. */
    Snapshot packed() {
        Builder out = new Builder(size, 0);
        for (int i = 0; i < size; i++) {
            out.copy(this, i);
        }
        return out.build(version, providerIds);
    }

    public DataVersion version() {
        return version;
    }

    public int size() {
        return size;
    }

    /** Off-heap bytes that are never released by hand (the garbage collector frees them) and never written. */
    private static ByteBuf constant(ByteBuffer direct) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct).asReadOnly());
    }

    private static ByteBuf constant(byte[] bytes) {
        return constant(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
    }

    /** The earliest start held (epoch µs), or 0 when empty. */
    public long firstStart() {
        return size == 0 ? 0 : starts[0];
    }

    /** The latest start held (epoch µs), or 0 when empty. */
    public long lastStart() {
        return size == 0 ? 0 : starts[size - 1];
    }

    /** Memory held by the snapshot, estimated: its chunks, its zones' JSON and {@link #PER_PLAN} a plan. */
    public long bytes() {
        return bytes;
    }

    /** Plans whose event does not follow its predecessor's in the same chunk (each costs a copy of its own). */
    int breaks() {
        return breaks;
    }

    /** Chunks held (a packed snapshot breaks only between chunks). */
    int chunkCount() {
        return chunks.length;
    }

    /** An answer measured but not written yet: written straight into a response buffer. */
    public interface Answer {
        int size();

        void writeTo(ByteBuf out);

        /** The answer as one buffer for the socket, of {@link #size()} bytes; whoever writes it releases it. */
        ByteBuf buffer();

        default byte[] bytes() {
            byte[] out = new byte[size()];
            ByteBuf buf = Unpooled.wrappedBuffer(out).clear();
            writeTo(buf);
            if (buf.writerIndex() != out.length) {
                throw new IllegalStateException("an answer of " + out.length + " bytes wrote " + buf.writerIndex());
            }
            return out;
        }
    }

    /** v1: the contract's envelope of every event starting at or after lower and ending by upper (epoch µs). */
    public Answer prepare(long lowerMicros, long upperMicros) {
        int from = firstAtOrAfter(lowerMicros);
        int to = from;
        int count = 0;
        int size = V1_START.length + V1_END.length;
        while (to < this.size && starts[to] <= upperMicros) {
            if (ends[to] <= upperMicros) {
                size += lengthOf[to] + 1;
                count++;
            }
            to++;
        }
        return new Window(from, to, upperMicros, count == 0 ? size : size - 1);
    }

    /** The events of [from, to) that end by upper, in the v1 envelope: each run of neighbours one copy. */
    private final class Window implements Answer {
        private final int from;
        private final int to;
        private final long upperMicros;
        private final int size;

        Window(int from, int to, long upperMicros, int size) {
            this.from = from;
            this.to = to;
            this.upperMicros = upperMicros;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public void writeTo(ByteBuf out) {
            out.writeBytes(V1_START);
            events(new Runs(out));
            out.writeBytes(V1_END);
        }

        @Override
        public ByteBuf buffer() {
            Slices out = new Slices();
            out.add(V1_START_BUFFER.duplicate());
            events(new Runs(out));
            out.add(V1_END_BUFFER.duplicate());
            return out.done();
        }

        private void events(Runs runs) {
            for (int i = from; i < to; i++) {
                if (ends[i] <= upperMicros) {
                    runs.add(i);
                }
            }
            runs.finish();
        }
    }

    /**
     * An answer as a list of buffers: slices of the chunks for long runs, and pooled pieces into which the envelope's
     * variable parts and short runs are copied. Released as one: the pieces go back to the pool, the slices are of
     * buffers that are never released by hand.
     */
    private static final class Slices {
        private final List<ByteBuf> parts = new ArrayList<>(8);
        private ByteBuf piece;

        void add(ByteBuf part) {
            flush();
            parts.add(part);
        }

        void copy(ByteBuf source, int index, int length) {
            if (piece != null && piece.writableBytes() < length) {
                flush();
            }
            if (piece == null) {
                piece = length <= PooledPieces.PIECE ? PooledPieces.piece() : PooledPieces.of(length);
            }
            piece.writeBytes(source, index, length);
        }

        void copy(byte[] source) {
            copy(Unpooled.wrappedBuffer(source), 0, source.length);
        }

        private void flush() {
            if (piece != null) {
                parts.add(piece);
                piece = null;
            }
        }

        ByteBuf done() {
            flush();
            return Unpooled.wrappedUnmodifiableBuffer(parts.toArray(ByteBuf[]::new));
        }
    }

    /**
     * Writes events as runs: neighbours in a chunk are copied together, separators included; the last event's
     * separator is left out.
     */
    private final class Runs {
        private final ByteBuf out;
        private final Slices slices;
        private int chunk = -1;
        private int begin;
        private int end;

        Runs(ByteBuf out) {
            this.out = out;
            this.slices = null;
        }

        Runs(Slices slices) {
            this.out = null;
            this.slices = slices;
        }

        void add(int i) {
            int c = chunkOf[i];
            int offset = offsetOf[i];
            if (c == chunk && offset == end) {
                end += lengthOf[i] + 1;
                return;
            }
            if (chunk >= 0) {
                emit(end - begin);
            }
            chunk = c;
            begin = offset;
            end = offset + lengthOf[i] + 1;
        }

        void finish() {
            if (chunk >= 0) {
                emit(end - begin - 1);
            }
        }

        private void emit(int length) {
            if (out != null) {
                out.writeBytes(chunks[chunk], begin, length);
            } else if (length >= SLICE_AT_LEAST) {
                slices.add(chunks[chunk].slice(begin, length));
            } else {
                slices.copy(chunks[chunk], begin, length);
            }
        }
    }

    /** A v2 page: what {@code SearchJson.renderPage} writes for the same query on the SQL path, byte for byte. */
    public Answer page(PageRequest q) {
        Integer provider = q.provider() == null ? null : providerIds.get(q.provider());
        boolean noSuchProvider = q.provider() != null && provider == null;
        int wanted = provider == null ? -1 : provider;
        int[] picked = new int[Math.min(q.limit(), 256)];
        int count = 0;
        boolean more = false;
        int i = firstAtOrAfter(Math.max(q.lowerMicros(), q.afterMicros()));
        if (q.afterId() != null) {
            long high = q.afterId().getMostSignificantBits();
            long low = q.afterId().getLeastSignificantBits();
            while (i < size && starts[i] == q.afterMicros() && compareIds(idHigh[i], idLow[i], high, low) <= 0) {
                i++; // the cursor's own event and those before it at the same start
            }
        }
        for (; i < size && !noSuchProvider; i++) {
            if (starts[i] > q.upperMicros()) {
                break;
            }
            if (ends[i] > q.upperMicros() || (wanted >= 0 && providers[i] != wanted)
                    || (q.minCents() != NO_PRICE && (minCents[i] == NO_PRICE || minCents[i] < q.minCents()))
                    || (q.maxCents() != NO_PRICE && (maxCents[i] == NO_PRICE || maxCents[i] > q.maxCents()))) {
                continue;
            }
            if (count == q.limit()) {
                more = true;
                break;
            }
            if (count == picked.length) {
                picked = Arrays.copyOf(picked, Math.min(q.limit(), picked.length * 2));
            }
            picked[count++] = i;
        }
        byte[] cursor = NULL;
        if (more && count > 0) {
            int last = picked[count - 1];
            cursor = ('"' + q.cursor(starts[last], new UUID(idHigh[last], idLow[last])) + '"')
                    .getBytes(StandardCharsets.US_ASCII);
        }
        return new Page(picked, count, q.zones(), cursor);
    }

    /** A page's events, with their zones spliced in when asked for, then its cursor and this version's meta. */
    private final class Page implements Answer {
        private final int[] picked;
        private final int count;
        private final boolean withZones;
        private final byte[] cursor;
        private final int size;

        Page(int[] picked, int count, boolean withZones, byte[] cursor) {
            this.picked = picked;
            this.count = count;
            this.withZones = withZones;
            this.cursor = cursor;
            int n = V1_START.length + NEXT_CURSOR.length + cursor.length + pageEnd.length + Math.max(0, count - 1);
            for (int k = 0; k < count; k++) {
                int i = picked[k];
                n += lengthOf[i] + (withZones ? ZONES.length + zones[i].length : 0);
            }
            this.size = n;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public void writeTo(ByteBuf out) {
            out.writeBytes(V1_START);
            if (withZones) {
                for (int k = 0; k < count; k++) {
                    int i = picked[k];
                    if (k > 0) {
                        out.writeByte(',');
                    }
                    // the event's JSON without its closing brace, the zones, then the brace
                    out.writeBytes(chunks[chunkOf[i]], offsetOf[i], lengthOf[i] - 1);
                    out.writeBytes(ZONES);
                    out.writeBytes(zones[i]);
                    out.writeByte('}');
                }
            } else {
                events(new Runs(out));
            }
            out.writeBytes(NEXT_CURSOR);
            out.writeBytes(cursor);
            out.writeBytes(pageEnd);
        }

        @Override
        public ByteBuf buffer() {
            if (withZones) { // zones are spliced into every event: copied whole
                ByteBuf out = PooledPieces.of(size);
                writeTo(out);
                return out;
            }
            Slices out = new Slices();
            out.add(V1_START_BUFFER.duplicate());
            events(new Runs(out));
            out.copy(NEXT_CURSOR);
            out.copy(cursor);
            out.copy(pageEnd);
            return out.done();
        }

        private void events(Runs runs) {
            for (int k = 0; k < count; k++) {
                runs.add(picked[k]);
            }
            runs.finish();
        }
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

    private int firstAtOrAfter(long micros) {
        int low = 0;
        int high = size;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (starts[mid] < micros) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    static int compare(Entry a, Entry b) {
        return compare(a, b.startMicros(), b.id().getMostSignificantBits(), b.id().getLeastSignificantBits());
    }

    private static int compare(Entry a, long start, long high, long low) {
        int c = Long.compare(a.startMicros(), start);
        return c != 0 ? c : compareIds(a.id().getMostSignificantBits(), a.id().getLeastSignificantBits(), high, low);
    }

    /** PostgreSQL's uuid order: the 16 bytes compared unsigned (Java's UUID.compareTo compares signed longs). */
    static int compareIds(UUID a, UUID b) {
        return compareIds(a.getMostSignificantBits(), a.getLeastSignificantBits(), b.getMostSignificantBits(),
                b.getLeastSignificantBits());
    }

    private static int compareIds(long aHigh, long aLow, long bHigh, long bLow) {
        int c = Long.compareUnsigned(aHigh, bHigh);
        return c != 0 ? c : Long.compareUnsigned(aLow, bLow);
    }

    /**
     * Builds a snapshot in (start, id) order: entries read from the database are packed into new chunks; plans kept
     * from the previous version either point into its chunks ({@link #keep}) or are packed anew ({@link #copy}).
     */
    static final class Builder {
        private int size;
        private long[] starts;
        private long[] ends;
        private long[] idHigh;
        private long[] idLow;
        private int[] providers;
        private long[] minCents;
        private long[] maxCents;
        private int[] chunkOf;
        private int[] offsetOf;
        private int[] lengthOf;
        private byte[][] zones;
        private ByteBuf[] chunkList;
        private int chunkCount;
        /** The chunk being filled (its index in chunkList), and how much of it is. */
        private int open = -1;
        private ByteBuffer openChunk;
        private int filled;
        /** Chunk indices of the previous version mapped to this one's (-1: not used yet). */
        private int[] kept;
        private Snapshot keptFrom;
        /** Running totals for {@link #bytes()}: zones' JSON, and chunks no longer open. */
        private long zoneBytes;
        private long sealedBytes;

        Builder(int capacity) {
            this(capacity, 0);
        }

        Builder(int capacity, int previousChunks) {
            int n = Math.max(16, capacity);
            starts = new long[n];
            ends = new long[n];
            idHigh = new long[n];
            idLow = new long[n];
            providers = new int[n];
            minCents = new long[n];
            maxCents = new long[n];
            chunkOf = new int[n];
            offsetOf = new int[n];
            lengthOf = new int[n];
            zones = new byte[n][];
            chunkList = new ByteBuf[Math.max(4, previousChunks + 4)];
        }

        /** Appends a plan read from the database; plans must come in (start, id) order. */
        void add(Entry e) {
            long high = e.id().getMostSignificantBits();
            long low = e.id().getLeastSignificantBits();
            slot(e.startMicros(), high, low);
            ends[size] = e.endMicros();
            idHigh[size] = high;
            idLow[size] = low;
            providers[size] = e.providerId();
            minCents[size] = e.minCents();
            maxCents[size] = e.maxCents();
            zones[size] = e.zones();
            zoneBytes += e.zones().length;
            pack(e.event(), 0, e.event().length);
            size++;
        }

        /** Appends plan i of the previous version, its event left where it is. */
        void keep(Snapshot from, int i) {
            columns(from, i);
            if (keptFrom != from) {
                keptFrom = from;
                kept = new int[from.chunks.length];
                Arrays.fill(kept, -1);
            }
            int c = from.chunkOf[i];
            if (kept[c] < 0) {
                kept[c] = addChunk(from.chunks[c]);
                sealedBytes += from.chunks[c].capacity();
            }
            chunkOf[size] = kept[c];
            offsetOf[size] = from.offsetOf[i];
            lengthOf[size] = from.lengthOf[i];
            size++;
        }

        /** Appends plan i of the previous version, its event packed anew. */
        void copy(Snapshot from, int i) {
            columns(from, i);
            pack(from.chunks[from.chunkOf[i]], from.offsetOf[i], from.lengthOf[i]);
            size++;
        }

        private void columns(Snapshot from, int i) {
            slot(from.starts[i], from.idHigh[i], from.idLow[i]);
            ends[size] = from.ends[i];
            idHigh[size] = from.idHigh[i];
            idLow[size] = from.idLow[i];
            providers[size] = from.providers[i];
            minCents[size] = from.minCents[i];
            maxCents[size] = from.maxCents[i];
            zones[size] = from.zones[i];
            zoneBytes += from.zones[i].length;
        }

        private void slot(long start, long high, long low) {
            if (size > 0) {
                int c = Long.compare(starts[size - 1], start);
                if (c > 0 || (c == 0 && compareIds(idHigh[size - 1], idLow[size - 1], high, low) >= 0)) {
                    throw new IllegalStateException("plans out of (start, id) order");
                }
            }
            if (size == starts.length) {
                int n = size * 2;
                starts = Arrays.copyOf(starts, n);
                ends = Arrays.copyOf(ends, n);
                idHigh = Arrays.copyOf(idHigh, n);
                idLow = Arrays.copyOf(idLow, n);
                providers = Arrays.copyOf(providers, n);
                minCents = Arrays.copyOf(minCents, n);
                maxCents = Arrays.copyOf(maxCents, n);
                chunkOf = Arrays.copyOf(chunkOf, n);
                offsetOf = Arrays.copyOf(offsetOf, n);
                lengthOf = Arrays.copyOf(lengthOf, n);
                zones = Arrays.copyOf(zones, n);
            }
            starts[size] = start;
        }

        /** Copies an event and its separator into the open chunk (a new one when it does not fit). */
        private void pack(byte[] source, int offset, int length) {
            room(length);
            openChunk.put(filled, source, offset, length);
            packed(length);
        }

        private void pack(ByteBuf source, int offset, int length) {
            room(length);
            source.getBytes(offset, openChunk.duplicate().position(filled).limit(filled + length));
            packed(length);
        }

        private void room(int length) {
            if (open < 0 || filled + length + 1 > openChunk.capacity()) {
                seal();
                openChunk = ByteBuffer.allocateDirect(Math.max(CHUNK, length + 1));
                open = addChunk(null);
                filled = 0;
            }
        }

        private void packed(int length) {
            openChunk.put(filled + length, (byte) ',');
            chunkOf[size] = open;
            offsetOf[size] = filled;
            lengthOf[size] = length;
            filled += length + 1;
        }

        /** Closes the open chunk, trimmed to what it holds (no chunk keeps unused space), read-only from now on. */
        private void seal() {
            if (open < 0) {
                return;
            }
            ByteBuffer done = openChunk;
            if (filled < openChunk.capacity()) {
                done = ByteBuffer.allocateDirect(filled).put(openChunk.duplicate().position(0).limit(filled)).flip();
            }
            chunkList[open] = constant(done);
            sealedBytes += filled;
            open = -1;
            openChunk = null;
        }

        private int addChunk(ByteBuf chunk) {
            if (chunkCount == chunkList.length) {
                chunkList = Arrays.copyOf(chunkList, chunkCount * 2);
            }
            chunkList[chunkCount] = chunk;
            return chunkCount++;
        }

        ByteBuf[] chunks() {
            seal();
            return Arrays.copyOf(chunkList, chunkCount);
        }

        Snapshot build(DataVersion version, Map<String, Integer> providerIds) {
            return new Snapshot(version, providerIds, this);
        }

        int size() {
            return size;
        }

        /** Bytes held so far, estimated as {@link Snapshot#bytes()} does. */
        long bytes() {
            return (long) PER_PLAN * size + zoneBytes + sealedBytes + (open >= 0 ? filled : 0);
        }
    }

    /** The ids of a change set, for a membership test per plan without a UUID per plan (open addressing). */
    private static final class IdSet {
        private final long[] highs;
        private final long[] lows;
        private final boolean[] used;
        private final int mask;

        IdSet(Set<UUID> ids) {
            int capacity = Integer.highestOneBit(Math.max(4, ids.size() * 2)) * 2;
            highs = new long[capacity];
            lows = new long[capacity];
            used = new boolean[capacity];
            mask = capacity - 1;
            for (UUID id : ids) {
                int at = slot(id.getMostSignificantBits(), id.getLeastSignificantBits());
                used[at] = true;
                highs[at] = id.getMostSignificantBits();
                lows[at] = id.getLeastSignificantBits();
            }
        }

        boolean contains(long high, long low) {
            return used[slot(high, low)];
        }

        private int slot(long high, long low) {
            long h = (high ^ Long.rotateLeft(low, 17)) * 0x9E3779B97F4A7C15L;
            int at = (int) (h >>> 40) & mask;
            while (used[at] && (highs[at] != high || lows[at] != low)) {
                at = (at + 1) & mask;
            }
            return at;
        }
    }
}
