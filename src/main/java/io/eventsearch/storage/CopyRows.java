package io.eventsearch.storage;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** Rows in PostgreSQL's COPY text format, built in one reusable buffer. */
final class CopyRows {

    private final StringBuilder buffer = new StringBuilder(64 * 1024);
    private int rows;
    private boolean rowStarted;

    int rows() {
        return rows;
    }

    byte[] drain() {
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        buffer.setLength(0);
        rows = 0;
        return bytes;
    }

    CopyRows text(String value) {
        separator();
        if (value == null) {
            buffer.append("\\N");
            return this;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> buffer.append("\\\\");
                case '\t' -> buffer.append("\\t");
                case '\n' -> buffer.append("\\n");
                case '\r' -> buffer.append("\\r");
                default -> buffer.append(c);
            }
        }
        return this;
    }

    /** A value already in COPY text form (a timestamp PostgreSQL formatted, 'infinity'). */
    CopyRows raw(String value) {
        separator();
        buffer.append(value);
        return this;
    }

    CopyRows number(long value) {
        separator();
        buffer.append(value);
        return this;
    }

    CopyRows decimal(BigDecimal value) {
        separator();
        buffer.append(value == null ? "\\N" : value.toPlainString());
        return this;
    }

    CopyRows bool(boolean value) {
        separator();
        buffer.append(value ? 't' : 'f');
        return this;
    }

    CopyRows uuid(UUID value) {
        separator();
        buffer.append(value);
        return this;
    }

    CopyRows local(LocalDateTime value) {
        separator();
        if (value == null) {
            buffer.append("\\N");
        } else {
            appendDateTime(value);
        }
        return this;
    }

    CopyRows instant(Instant value) {
        separator();
        appendDateTime(LocalDateTime.ofInstant(value, ZoneOffset.UTC));
        buffer.append("+00");
        return this;
    }

    void endRow() {
        buffer.append('\n');
        rows++;
        rowStarted = false;
    }

    private void separator() {
        if (rowStarted) {
            buffer.append('\t');
        }
        rowStarted = true;
    }

    private void appendDateTime(LocalDateTime t) {
        int year = t.getYear();
        if (year < 1000) {
            // Four-digit years are all a feed can carry that PostgreSQL reads without an era suffix.
            throw new IllegalArgumentException("year out of range: " + year);
        }
        buffer.append(year).append('-');
        two(t.getMonthValue()).append('-');
        two(t.getDayOfMonth()).append(' ');
        two(t.getHour()).append(':');
        two(t.getMinute()).append(':');
        two(t.getSecond());
        int nanos = t.getNano();
        if (nanos != 0) {
            String fraction = Integer.toString(1_000_000_000 + nanos).substring(1);
            buffer.append('.').append(fraction, 0, 6);
        }
    }

    private StringBuilder two(int value) {
        if (value < 10) {
            buffer.append('0');
        }
        return buffer.append(value);
    }
}
