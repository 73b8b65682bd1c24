package io.eventsearch.storage;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Rows in PostgreSQL's binary COPY format, encoded straight into byte chunks: each value as the server stores it (an
 * instant as microseconds, a price as base-10000 digits), so the server parses no text (dates and numbers cost it
 * most of a text COPY's parsing), and nothing is formatted as text here either. The rows of a batch are written
 * once: {@link #drain} hands the chunks themselves to the writer, framed as one COPY's data, and the writer gives
 * them back to the {@link Chunks} pool once sent. Chunks are small (never a "humongous" object to the garbage
 * collector) and reused, so a large batch costs its own size in memory and leaves no garbage.
 *
 * <p>Each value must have its column's exact type: {@link #int4} for integer, {@link #int8} for bigint, and so on.
 */
final class CopyRows {

    /** The binary COPY signature, flags (none) and header extension length (none). */
    private static final byte[] HEADER = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0,
        0, 0, 0 };
    /** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix seconds. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    /** Timestamp 'infinity'. */
    static final long INFINITY = Long.MAX_VALUE;

    private final Chunks pool;
    /** Full chunks of this batch and their lengths, then the one being written ({@code buffer}, {@code length}). */
    private final List<byte[]> done = new ArrayList<>();
    private final List<Integer> doneLengths = new ArrayList<>();
    private byte[] buffer;
    private int length;
    private int rows;
    /** Where the current row's field count goes ({@code rowChunk}[{@code rowStart}]), or -1 between rows. */
    private byte[] rowChunk;
    private int rowStart = -1;
    private int fields;

    CopyRows() {
        this(new Chunks());
    }

    CopyRows(Chunks pool) {
        this.pool = pool;
        startBatch();
    }

    int rows() {
        return rows;
    }

    private void startBatch() {
        buffer = pool.take(HEADER.length);
        System.arraycopy(HEADER, 0, buffer, 0, HEADER.length);
        length = HEADER.length;
        rows = 0;
    }

    /** The rows so far as one COPY's data (header, rows, trailer), and an empty batch for the next ones. */
    Data drain() {
        ensure(2);
        buffer[length++] = (byte) 0xff;
        buffer[length++] = (byte) 0xff;
        done.add(buffer);
        doneLengths.add(length);
        Data data = new Data(new ArrayList<>(done), new ArrayList<>(doneLengths), pool);
        done.clear();
        doneLengths.clear();
        startBatch();
        return data;
    }

    /** One COPY's data, in chunks; {@link #release} gives them back once sent. */
    record Data(List<byte[]> chunks, List<Integer> lengths, Chunks pool) {
        void release() {
            chunks.forEach(pool::give);
        }

        /** All of it in one array (tests). */
        byte[] bytes() {
            int n = lengths.stream().mapToInt(Integer::intValue).sum();
            byte[] out = new byte[n];
            int at = 0;
            for (int i = 0; i < chunks.size(); i++) {
                System.arraycopy(chunks.get(i), 0, out, at, lengths.get(i));
                at += lengths.get(i);
            }
            return out;
        }
    }

    /**
     * Chunks to write rows into, reused from batch to batch: the writer gives back what it sent. Shared by the
     * batches of one sync (the parse thread takes, the writer thread gives).
     */
    static final class Chunks {
        static final int SIZE = 64 * 1024;
        /** Kept for reuse at most (4 MiB): a few batches' worth; more are left to the garbage collector. */
        private static final int KEPT = 64;
        private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> free =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicInteger kept = new java.util.concurrent.atomic.AtomicInteger();

        /** A chunk with room for at least {@code size} bytes. */
        byte[] take(int size) {
            if (size > SIZE) {
                return new byte[size]; // one value larger than a chunk: its own array, never reused
            }
            byte[] chunk = free.poll();
            if (chunk == null) {
                return new byte[SIZE];
            }
            kept.decrementAndGet();
            return chunk;
        }

        void give(byte[] chunk) {
            if (chunk.length == SIZE && kept.incrementAndGet() <= KEPT) {
                free.offer(chunk);
            } else if (chunk.length == SIZE) {
                kept.decrementAndGet();
            }
        }
    }

    CopyRows text(String value) {
        if (value == null) {
            return nul();
        }
        int n = value.length();
        field(n * 3);
        int lengthAt = length - 4;
        byte[] b = buffer;
        int at = length;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                b[at++] = (byte) c;
            } else if (c < 0x800) {
                b[at++] = (byte) (0xc0 | (c >> 6));
                b[at++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, value.charAt(++i));
                b[at++] = (byte) (0xf0 | (cp >> 18));
                b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                b[at++] = (byte) (0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                b[at++] = '?'; // as String.getBytes does with a lone surrogate
            } else {
                b[at++] = (byte) (0xe0 | (c >> 12));
                b[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                b[at++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        putInt(lengthAt, at - length);
        length = at;
        return this;
    }

    /** SQL NULL, whatever the column's type. */
    CopyRows nul() {
        startField();
        ensure(4);
        putInt(length, -1);
        length += 4;
        return this;
    }

    /** An integer column. */
    CopyRows int4(int value) {
        field(4);
        putInt(length, value);
        length += 4;
        return this;
    }

    /** A bigint column. */
    CopyRows int8(long value) {
        field(8);
        putLong(value);
        return this;
    }

    /** A nullable bigint column. */
    CopyRows int8(Long value) {
        return value == null ? nul() : int8(value.longValue());
    }

    /** A nullable integer column. */
    CopyRows int4(Integer value) {
        return value == null ? nul() : int4(value.intValue());
    }

    CopyRows bool(boolean value) {
        field(1);
        buffer[length++] = (byte) (value ? 1 : 0);
        return this;
    }

    CopyRows uuid(UUID value) {
        field(16);
        putLong(value.getMostSignificantBits());
        putLong(value.getLeastSignificantBits());
        return this;
    }

    /** A timestamptz column. */
    CopyRows instant(Instant value) {
        return timestamptz(micros(value.getEpochSecond(), value.getNano()));
    }

    /** A timestamptz column, as microseconds since PostgreSQL's epoch (or {@link #INFINITY}). */
    CopyRows timestamptz(long pgMicros) {
        field(8);
        putLong(pgMicros);
        return this;
    }

    /** A (nullable) timestamp column: the wall-clock time as given. */
    CopyRows local(LocalDateTime value) {
        if (value == null) {
            return nul();
        }
        return timestamptz(micros(value.toEpochSecond(ZoneOffset.UTC), value.getNano()));
    }

    /** Microseconds since PostgreSQL's epoch (sub-microseconds dropped). */
    static long micros(long unixSeconds, int nanos) {
        return (unixSeconds - PG_EPOCH_SECONDS) * 1_000_000L + nanos / 1000;
    }

    /**
     * A (nullable) numeric column: base-10000 digits around the decimal point, as numeric_recv reads them (digit
     * count, weight of the first digit, sign, display scale, digits).
     */
    CopyRows decimal(BigDecimal value) {
        if (value == null) {
            return nul();
        }
        if (value.scale() >= 0 && value.scale() <= 4 && value.precision() - value.scale() <= 14) {
            return smallDecimal(Math.abs(value.unscaledValue().longValue()), value.scale(), value.signum() < 0);
        }
        int scale = Math.max(0, value.scale());
        // the digits as a string, the decimal point implied by the scale
        String unscaled = value.setScale(scale).unscaledValue().abs().toString();
        int intDigits = unscaled.length() - scale;
        String intPart = intDigits > 0 ? unscaled.substring(0, intDigits) : "";
        String fracPart = intDigits >= 0 ? unscaled.substring(Math.max(0, intDigits))
                : "0".repeat(-intDigits) + unscaled;
        // align both parts on groups of four decimal digits
        int intGroups = (intPart.length() + 3) / 4;
        String intPadded = "0".repeat(intGroups * 4 - intPart.length()) + intPart;
        int fracGroups = (fracPart.length() + 3) / 4;
        String fracPadded = fracPart + "0".repeat(fracGroups * 4 - fracPart.length());
        String all = intPadded + fracPadded;
        short[] digits = new short[intGroups + fracGroups];
        for (int i = 0; i < digits.length; i++) {
            digits[i] = Short.parseShort(all.substring(i * 4, i * 4 + 4));
        }
        int first = 0;
        while (first < digits.length && digits[first] == 0) {
            first++;
        }
        int last = digits.length;
        while (last > first && digits[last - 1] == 0) {
            last--;
        }
        int count = last - first;
        int weight = count == 0 ? 0 : intGroups - 1 - first;
        field(8 + 2 * count);
        putShort(count);
        putShort(weight);
        putShort(value.signum() < 0 ? 0x4000 : 0);
        putShort(scale);
        for (int i = first; i < last; i++) {
            putShort(digits[i]);
        }
        return this;
    }

    /** A decimal of at most four fraction and 14 integer digits (prices): the same digits by arithmetic. */
    private CopyRows smallDecimal(long unscaled, int scale, boolean negative) {
        long fixed = unscaled;
        for (int i = scale; i < 4; i++) {
            fixed *= 10; // four fraction digits: below 10^18
        }
        long intPart = fixed / 10_000;
        short[] digits = new short[7];
        int n = 0;
        // integer groups, least significant first, then reversed
        long rest = intPart;
        while (rest > 0) {
            digits[n++] = (short) (rest % 10_000);
            rest /= 10_000;
        }
        int intGroups = n;
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            short t = digits[i];
            digits[i] = digits[j];
            digits[j] = t;
        }
        digits[n++] = (short) (fixed % 10_000);
        int first = 0;
        while (first < n && digits[first] == 0) {
            first++;
        }
        int last = n;
        while (last > first && digits[last - 1] == 0) {
            last--;
        }
        int count = last - first;
        field(8 + 2 * count);
        putShort(count);
        putShort(count == 0 ? 0 : intGroups - 1 - first);
        putShort(negative ? 0x4000 : 0);
        putShort(scale);
        for (int i = first; i < last; i++) {
            putShort(digits[i]);
        }
        return this;
    }

    void endRow() {
        rowChunk[rowStart] = (byte) (fields >> 8);
        rowChunk[rowStart + 1] = (byte) fields;
        rowStart = -1;
        rowChunk = null;
        rows++;
    }

    /** Starts a field of {@code size} bytes (at most, for text): its length is written now. */
    private void field(int size) {
        startField();
        ensure(4 + size);
        putInt(length, size);
        length += 4;
    }

    private void startField() {
        if (rowStart < 0) {
            ensure(2);
            rowChunk = buffer;
            rowStart = length;
            length += 2;
            fields = 0;
        }
        fields++;
    }

    private void putInt(int at, int value) {
        buffer[at] = (byte) (value >>> 24);
        buffer[at + 1] = (byte) (value >>> 16);
        buffer[at + 2] = (byte) (value >>> 8);
        buffer[at + 3] = (byte) value;
    }

    private void putShort(int value) {
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) value;
    }

    private void putLong(long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[length++] = (byte) (value >>> shift);
        }
    }

    /** Room for {@code more} contiguous bytes: the rest of this chunk, or a next one. */
    private void ensure(int more) {
        if (length + more > buffer.length) {
            done.add(buffer);
            doneLengths.add(length);
            buffer = pool.take(more);
            length = 0;
        }
    }
}
