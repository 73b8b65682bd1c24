package io.eventsearch.storage;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;

/**
 * Rows in PostgreSQL's COPY text format, encoded straight into one reusable UTF-8 byte buffer (no intermediate
 * string: the rows of a batch are built once and copied once, by {@link #drain}).
 */
final class CopyRows {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] NULL = { '\\', 'N' };

    private byte[] buffer = new byte[64 * 1024];
    private int length;
    private int rows;
    private boolean rowStarted;

    int rows() {
        return rows;
    }

    /** The rows so far, and an empty buffer for the next ones. */
    byte[] drain() {
        byte[] bytes = Arrays.copyOf(buffer, length);
        length = 0;
        rows = 0;
        return bytes;
    }

    CopyRows text(String value) {
        separator();
        if (value == null) {
            put(NULL);
            return this;
        }
        int n = value.length();
        ensure(n * 3 + 2);
        byte[] b = buffer;
        int at = length;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\' -> {
                        b[at++] = '\\';
                        b[at++] = '\\';
                    }
                    case '\t' -> {
                        b[at++] = '\\';
                        b[at++] = 't';
                    }
                    case '\n' -> {
                        b[at++] = '\\';
                        b[at++] = 'n';
                    }
                    case '\r' -> {
                        b[at++] = '\\';
                        b[at++] = 'r';
                    }
                    default -> b[at++] = (byte) c;
                }
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
        length = at;
        return this;
    }

    /** A value already in COPY text form, ASCII (a timestamp PostgreSQL formatted, 'infinity'). */
    CopyRows raw(String value) {
        separator();
        ascii(value);
        return this;
    }

    CopyRows number(long value) {
        separator();
        if (value == Long.MIN_VALUE) {
            ascii(Long.toString(value));
            return this;
        }
        ensure(20);
        if (value < 0) {
            buffer[length++] = '-';
            value = -value;
        }
        int start = length;
        do {
            buffer[length++] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        reverse(start, length - 1);
        return this;
    }

    CopyRows decimal(BigDecimal value) {
        separator();
        if (value == null) {
            put(NULL);
        } else {
            ascii(value.toPlainString());
        }
        return this;
    }

    CopyRows bool(boolean value) {
        separator();
        ensure(1);
        buffer[length++] = (byte) (value ? 't' : 'f');
        return this;
    }

    CopyRows uuid(UUID value) {
        separator();
        ensure(36);
        hex(value.getMostSignificantBits() >>> 32, 8);
        buffer[length++] = '-';
        hex(value.getMostSignificantBits() >>> 16, 4);
        buffer[length++] = '-';
        hex(value.getMostSignificantBits(), 4);
        buffer[length++] = '-';
        hex(value.getLeastSignificantBits() >>> 48, 4);
        buffer[length++] = '-';
        hex(value.getLeastSignificantBits(), 12);
        return this;
    }

    CopyRows local(LocalDateTime value) {
        separator();
        if (value == null) {
            put(NULL);
        } else {
            appendDateTime(value);
        }
        return this;
    }

    CopyRows instant(Instant value) {
        separator();
        appendDateTime(LocalDateTime.ofInstant(value, ZoneOffset.UTC));
        ensure(3);
        buffer[length++] = '+';
        buffer[length++] = '0';
        buffer[length++] = '0';
        return this;
    }

    void endRow() {
        ensure(1);
        buffer[length++] = '\n';
        rows++;
        rowStarted = false;
    }

    private void separator() {
        if (rowStarted) {
            ensure(1);
            buffer[length++] = '\t';
        }
        rowStarted = true;
    }

    private void appendDateTime(LocalDateTime t) {
        int year = t.getYear();
        if (year < 1000) {
            // Four-digit years are all a feed can carry that PostgreSQL reads without an era suffix.
            throw new IllegalArgumentException("year out of range: " + year);
        }
        if (year > 9999) {
            ascii(Integer.toString(year));
        }
        ensure(26);
        if (year <= 9999) {
            fixed(year, 4);
        }
        buffer[length++] = '-';
        fixed(t.getMonthValue(), 2);
        buffer[length++] = '-';
        fixed(t.getDayOfMonth(), 2);
        buffer[length++] = ' ';
        fixed(t.getHour(), 2);
        buffer[length++] = ':';
        fixed(t.getMinute(), 2);
        buffer[length++] = ':';
        fixed(t.getSecond(), 2);
        int nanos = t.getNano();
        if (nanos != 0) {
            buffer[length++] = '.';
            fixed(nanos / 1000, 6);
        }
    }

    /** {@code value} in exactly {@code digits} decimal digits (zero-padded). */
    private void fixed(int value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            buffer[length + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += digits;
    }

    /** The low {@code digits} hex digits of {@code value}. */
    private void hex(long value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            buffer[length + i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
        length += digits;
    }

    private void ascii(String value) {
        int n = value.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buffer[length++] = (byte) value.charAt(i);
        }
    }

    private void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    private void reverse(int from, int to) {
        while (from < to) {
            byte tmp = buffer[from];
            buffer[from++] = buffer[to];
            buffer[to--] = tmp;
        }
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
