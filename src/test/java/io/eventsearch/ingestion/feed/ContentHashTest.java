package io.eventsearch.ingestion.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.catalogue.Zone;

/**
 * Content hashes are stored: a record hashes to exactly what it hashed to before, value by value (a changed hash
 * would make every stored plan look changed).
 */
class ContentHashTest {

    /** The hash as defined: per value a presence byte, its UTF-8 bytes and a separator; the first eight bytes. */
    private static long expected(String... values) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (String value : values) {
            if (value == null) {
                digest.update((byte) 0);
                continue;
            }
            digest.update((byte) 1);
            digest.update(value.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0x1f);
        }
        byte[] h = digest.digest();
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        return v;
    }

    @Test
    void basePlansAndPlansHashTheirNormalisedValues() throws Exception {
        RecordValidator validator = new RecordValidator();
        String title = "Ópera 😀 en Ávila \uD800 y más";
        BasePlan base = validator.basePlan("7", title, "Online", null);
        assertThat(base.contentHash()).isEqualTo(expected(title, "online", null));
        BasePlan other = validator.basePlan("8", "Plain title", "offline", "org-1");
        assertThat(other.contentHash()).isEqualTo(expected("Plain title", "offline", "org-1"));

        Zone zone = validator.zone("a", "Patio de butacas ñ", "12", "10.5", "true");
        Zone second = validator.zone("b", "", "0", "0", "false");
        Plan plan = validator.plan("p", "2026-03-01T20:00:00", "2026-03-01T22:30:00", null, "2026-03-01T19:00:00",
                "false", List.of(zone, second));
        assertThat(plan.contentHash()).isEqualTo(expected("2026-03-01T20:00", "2026-03-01T22:30", null,
                "2026-03-01T19:00", "0", "a", "Patio de butacas ñ", "12", "10.50", "1", "b", "", "0", "0.00", "0"));
    }
}
