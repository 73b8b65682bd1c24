package io.eventsearch.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** COPY text rows, byte for byte. */
class CopyRowsTest {

    private static String row(CopyRows rows) {
        rows.endRow();
        return new String(rows.drain(), StandardCharsets.UTF_8);
    }

    @Test
    void textIsEscapedAndUtf8() {
        String odd = "tab\there\\ new\nline\rÁvila ópera 😀 \uD800 end";
        assertThat(row(new CopyRows().text(odd).text(null).text("")))
                .isEqualTo("tab\\there\\\\ new\\nline\\rÁvila ópera 😀 ? end\t\\N\t\n");
    }

    @Test
    void numbersUuidsAndTimes() {
        UUID id = UUID.randomUUID();
        assertThat(row(new CopyRows().number(0).number(-42).number(Long.MAX_VALUE).number(Long.MIN_VALUE)
                .uuid(id).bool(true).bool(false).decimal(new BigDecimal("12.50")).decimal(null)))
                .isEqualTo("0\t-42\t" + Long.MAX_VALUE + "\t" + Long.MIN_VALUE + "\t" + id + "\tt\tf\t12.50\t\\N\n");
        assertThat(row(new CopyRows().local(LocalDateTime.of(2026, 1, 2, 3, 4, 5)).local(null)
                .local(LocalDateTime.of(2026, 12, 31, 23, 59, 59, 123_456_789))
                .instant(Instant.parse("2026-06-30T21:00:00Z")).raw("infinity")))
                .isEqualTo("2026-01-02 03:04:05\t\\N\t2026-12-31 23:59:59.123456\t2026-06-30 21:00:00+00\tinfinity\n");
        assertThat(row(new CopyRows().local(LocalDateTime.of(12026, 1, 2, 3, 4, 5)))).isEqualTo("12026-01-02 03:04:05\n");
    }

    @Test
    void drainEmptiesTheBuffer() {
        CopyRows rows = new CopyRows();
        for (int i = 0; i < 10_000; i++) {
            rows.text("a fairly long value to make the buffer grow").number(i).endRow();
        }
        assertThat(rows.rows()).isEqualTo(10_000);
        assertThat(rows.drain()).hasSizeGreaterThan(64 * 1024);
        assertThat(rows.rows()).isZero();
        assertThat(row(new CopyRows().number(1))).isEqualTo("1\n");
    }
}
