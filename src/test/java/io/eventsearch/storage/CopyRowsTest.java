package io.eventsearch.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import io.quarkus.test.junit.QuarkusTest;

/** Binary COPY rows, read back by PostgreSQL itself: every value as the server would have parsed its text. */
@QuarkusTest
class CopyRowsTest {

    @Inject
    DataSource dataSource;

    private static final String TABLE = """
            CREATE TEMP TABLE copy_rows_test (t text, i integer, b bigint, f boolean, u uuid, tz timestamptz,
                                              ts timestamp, n numeric(12,2), wide numeric)
            """;

    /** COPYs the rows into a fresh temp table and reads them back as text, one string a row. */
    private List<String> roundTrip(CopyRows rows) throws Exception {
        return roundTrip(rows, "");
    }

    private List<String> roundTrip(CopyRows rows, String columns) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                st.execute(TABLE);
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY copy_rows_test " + columns + " FROM STDIN (FORMAT binary)",
                        new ByteArrayInputStream(rows.drain().bytes()));
                st.execute("SET LOCAL TIME ZONE 'UTC'");
                List<String> out = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT concat_ws('|', coalesce(t, 'NULL'), i, b, f, u, tz, ts, n, "
                        + "wide) FROM copy_rows_test")) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    @Test
    void everyTypeIsReadBackAsWritten() throws Exception {
        UUID id = UUID.randomUUID();
        CopyRows rows = new CopyRows();
        rows.text("tab\there\\ new\nline Ávila ópera 😀 \uD800 end").int4(-42).int8(Long.MIN_VALUE).bool(true).uuid(id)
                .instant(Instant.parse("2026-06-30T21:00:00.123456Z")).local(LocalDateTime.of(2026, 1, 2, 3, 4, 5))
                .decimal(new BigDecimal("12.50")).decimal(new BigDecimal("-123456789012.3456789")).endRow();
        rows.nul().int4(Integer.MAX_VALUE).int8(0).bool(false).nul().timestamptz(CopyRows.INFINITY)
                .local(LocalDateTime.of(1999, 12, 31, 23, 59, 59)).decimal(BigDecimal.ZERO.setScale(2))
                .decimal(new BigDecimal("0.0001")).endRow();
        rows.text("").nul().nul().nul().nul().instant(Instant.parse("1970-01-01T00:00:00Z")).local(null)
                .decimal(new BigDecimal("9999999999.99")).decimal(new BigDecimal("10000")).endRow();
        assertThat(rows.rows()).isEqualTo(3);
        assertThat(roundTrip(rows)).containsExactly(
                "tab\there\\ new\nline Ávila ópera 😀 ? end|-42|" + Long.MIN_VALUE + "|t|" + id
                        + "|2026-06-30 21:00:00.123456+00|2026-01-02 03:04:05|12.50|-123456789012.3456789",
                "NULL|" + Integer.MAX_VALUE + "|0|f|infinity|1999-12-31 23:59:59|0.00|0.0001",
                "|1970-01-01 00:00:00+00|9999999999.99|10000");
        assertThat(rows.rows()).isZero();
    }

    @Test
    void pricesOfEveryShapeKeepTheirDigitsAndScale() throws Exception {
        String[] prices = { "0.01", "0.10", "0.50", "1.00", "5.50", "99.99", "100.00", "1000.05", "10000.00",
            "12345678.90", "100000000.00", "9999999999.99" };
        CopyRows rows = new CopyRows();
        for (String price : prices) {
            rows.text(price).nul().nul().nul().nul().nul().nul().decimal(new BigDecimal(price))
                    .decimal(new BigDecimal(price).negate()).endRow();
        }
        List<String> back = roundTrip(rows);
        for (int i = 0; i < prices.length; i++) {
            String negated = new BigDecimal(prices[i]).signum() == 0 ? prices[i] : "-" + prices[i];
            assertThat(back.get(i)).isEqualTo(prices[i] + "|" + prices[i] + "|" + negated);
        }
    }

    @Test
    void drainFramesEachBatchAndEmptiesTheBuffer() throws Exception {
        CopyRows rows = new CopyRows();
        for (int i = 0; i < 10_000; i++) {
            rows.text("a value long enough for rows to cross chunks").int4(i).endRow();
        }
        String large = "ñ".repeat(100_000); // larger than a chunk
        rows.text(large).int4(-1).endRow();
        List<String> back = roundTrip(rows, "(t, i)");
        assertThat(back).hasSize(10_001);
        assertThat(back.get(9_999)).isEqualTo("a value long enough for rows to cross chunks|9999");
        assertThat(back.get(10_000)).isEqualTo(large + "|-1");
        rows.text("again").int4(1).endRow();
        assertThat(roundTrip(rows, "(t, i)")).containsExactly("again|1");
    }
}
