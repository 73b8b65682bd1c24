package io.eventsearch.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The in-memory scope: ids sorted as PostgreSQL sorts uuids, found with their hash; what is not seen is gone. */
class ScopeIndexTest {

    @Test
    void findsEveryPlanWithItsHashAndNoOther() {
        SplittableRandom random = new SplittableRandom(7);
        int n = 20_000;
        long[] msb = new long[n];
        long[] lsb = new long[n];
        long[] hashes = new long[n];
        Map<UUID, Long> expected = new HashMap<>();
        for (int i = 0; i < n; i++) {
            msb[i] = random.nextLong();
            lsb[i] = random.nextLong();
            hashes[i] = random.nextLong();
            expected.put(new UUID(msb[i], lsb[i]), hashes[i]);
        }
        ScopeIndex index = ScopeIndex.of(msb, lsb, hashes);
        // sorted as unsigned bytes (PostgreSQL's uuid order)
        for (int i = 1; i < n; i++) {
            assertThat(unsignedOrder(index.id(i - 1), index.id(i))).isNegative();
        }
        List<UUID> ids = new ArrayList<>(expected.keySet());
        for (UUID id : ids) {
            int at = index.find(id);
            assertThat(at).isNotNegative();
            assertThat(index.occurrence(at, expected.get(id))).as("same hash: nothing to stage").isFalse();
        }
        assertThat(index.find(new UUID(1, 2))).isEqualTo(-1);
        assertThat(index.seen()).isEqualTo(n);
        assertThat(index.duplicates()).isZero();
    }

    @Test
    void changedRepeatedAndGonePlans() {
        long[] msb = { 5, -1, 3, Long.MIN_VALUE };
        long[] lsb = { 1, 1, 1, 1 };
        long[] hashes = { 50, 10, 30, 40 };
        ScopeIndex index = ScopeIndex.of(msb, lsb, hashes);
        int a = index.find(new UUID(5, 1));
        int b = index.find(new UUID(-1, 1));
        int c = index.find(new UUID(3, 1));
        assertThat(index.occurrence(a, 51)).as("changed").isTrue();
        assertThat(index.occurrence(a, 50)).as("back to the stored content after a staged occurrence").isTrue();
        assertThat(index.occurrence(b, 10)).isFalse();
        assertThat(index.occurrence(b, 10)).as("repeated, unchanged").isFalse();
        assertThat(index.occurrence(c, 30)).isFalse();
        assertThat(index.duplicates()).isEqualTo(2);
        assertThat(index.seen()).isEqualTo(3);
        List<UUID> gone = new ArrayList<>();
        index.forEachGone(gone::add);
        assertThat(gone).containsExactly(new UUID(Long.MIN_VALUE, 1));
    }

    private static int unsignedOrder(UUID x, UUID y) {
        int c = Long.compareUnsigned(x.getMostSignificantBits(), y.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(x.getLeastSignificantBits(), y.getLeastSignificantBits());
    }
}
