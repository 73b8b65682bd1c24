package io.eventsearch.search.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.eventsearch.storage.DataVersion;
import io.netty.buffer.ByteBuf;

/**
 * The snapshot over long random histories of change sets, against a plain list of the visible plans: every window
 * and page it answers is what concatenating the events of that list gives, whether the events sit in the chunks
 * of earlier versions, in new ones, or were packed anew. Replay a failure with {@code -Dsnapshot.seed=N}.
 */
class SnapshotTest {

    private static final long DAY = 86_400_000_000L;
    private static final Map<String, Integer> PROVIDERS = Map.of("p1", 1, "p2", 2, "p3", 3);

    @Test
    void everyAnswerOverARandomHistoryIsTheListsAnswer() {
        long seed = Long.getLong("snapshot.seed", System.nanoTime());
        Random random = new Random(seed);
        String replay = "replay with -Dsnapshot.seed=" + seed;
        Map<UUID, Snapshot.Entry> visible = new LinkedHashMap<>();
        for (int i = 0; i < 3_000; i++) {
            Snapshot.Entry e = entry(random, UUID.randomUUID(), 0);
            visible.put(e.id(), e);
        }
        Snapshot snapshot = Snapshot.of(new DataVersion(1, Instant.EPOCH), visible.values(), PROVIDERS);
        check(snapshot, visible, random, replay + " (version 1)");
        int packed = 0;
        for (int version = 2; version <= 60; version++) {
            Set<UUID> changed = new HashSet<>();
            List<Snapshot.Entry> now = new ArrayList<>();
            List<UUID> ids = new ArrayList<>(visible.keySet());
            int changes = random.nextInt(version % 10 == 0 ? 1_500 : 80);
            for (int k = 0; k < changes; k++) {
                int kind = random.nextInt(4);
                if (kind == 0 || ids.isEmpty()) { // a plan comes
                    Snapshot.Entry e = entry(random, UUID.randomUUID(), version);
                    changed.add(e.id());
                    now.add(e);
                } else {
                    UUID id = ids.get(random.nextInt(ids.size()));
                    if (!changed.add(id)) {
                        continue;
                    }
                    if (kind == 1) { // it leaves
                        visible.remove(id);
                    } else { // it changes: other content, maybe another start
                        now.add(entry(random, id, version));
                    }
                }
            }
            if (random.nextInt(8) == 0) { // a change set naming a plan that was never visible and still is not
                changed.add(UUID.randomUUID());
            }
            now.forEach(e -> visible.put(e.id(), e));
            Snapshot next = snapshot.apply(new DataVersion(version, Instant.ofEpochSecond(version)), changed, now, PROVIDERS);
            assertThat(next.size()).as(replay).isEqualTo(visible.size());
            assertThat(next.breaks()).as("scattered snapshots are packed anew; " + replay)
                    .isLessThanOrEqualTo(Math.max(64, next.size() / 8));
            if (next.breaks() < next.chunkCount()) {
                packed++;
            }
            check(next, visible, random, replay + " (version " + version + ")");
            snapshot = next;
        }
        assertThat(packed).as("the history packs the events anew at least once; " + replay).isPositive();
    }

    @Test
    void anEventLargerThanAChunkIsKeptWhole() {
        Random random = new Random(7);
        Map<UUID, Snapshot.Entry> visible = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            Snapshot.Entry e = entry(random, UUID.randomUUID(), 0);
            if (i == 10) {
                String title = "x".repeat(Snapshot.CHUNK + 100);
                e = new Snapshot.Entry(e.startMicros(), e.id(), e.endMicros(), e.providerId(), e.minCents(), e.maxCents(),
                        ("{\"id\":\"" + e.id() + "\",\"title\":\"" + title + "\"}").getBytes(StandardCharsets.US_ASCII),
                        e.zones());
            }
            visible.put(e.id(), e);
        }
        Snapshot snapshot = Snapshot.of(new DataVersion(1, Instant.EPOCH), visible.values(), PROVIDERS);
        check(snapshot, visible, random, "seed 7");
        assertThat(snapshot.bytes()).isGreaterThan(Snapshot.CHUNK);
    }

    @Test
    void anEmptyCatalogueAnswersEmptyEnvelopes() {
        Snapshot snapshot = Snapshot.of(new DataVersion(3, Instant.EPOCH), List.of(), PROVIDERS);
        assertThat(new String(snapshot.prepare(Long.MIN_VALUE, Long.MAX_VALUE).bytes(), StandardCharsets.US_ASCII))
                .isEqualTo("{\"data\":{\"events\":[]},\"error\":null}");
        assertThat(new String(snapshot.page(request(0, DAY, null, 10, null, Snapshot.NO_PRICE, Snapshot.NO_PRICE, false))
                .bytes(), StandardCharsets.US_ASCII)).isEqualTo("{\"data\":{\"events\":[],\"next_cursor\":null},\"meta\":"
                        + "{\"synced_at\":\"1970-01-01T00:00:00Z\",\"data_version\":3},\"error\":null}");
    }

    /** Random windows and page walks, each compared with the list's answer. */
    private static void check(Snapshot snapshot, Map<UUID, Snapshot.Entry> visible, Random random, String replay) {
        List<Snapshot.Entry> sorted = visible.values().stream().sorted(Snapshot::compare).collect(Collectors.toList());
        for (int w = 0; w < 40; w++) {
            long lower = random.nextInt(10) == 0 ? Long.MIN_VALUE : random.nextLong(-5 * DAY, 100 * DAY);
            long upper = random.nextInt(10) == 0 ? Long.MAX_VALUE : lower == Long.MIN_VALUE
                    ? random.nextLong(0, 100 * DAY) : lower + random.nextLong(0, 40 * DAY);
            String expected = "{\"data\":{\"events\":[" + sorted.stream()
                    .filter(e -> e.startMicros() >= lower && e.startMicros() <= upper && e.endMicros() <= upper)
                    .map(e -> new String(e.event(), StandardCharsets.US_ASCII)).collect(Collectors.joining(","))
                    + "]},\"error\":null}";
            Snapshot.Answer answer = snapshot.prepare(lower, upper);
            assertThat(new String(answer.bytes(), StandardCharsets.US_ASCII))
                    .as("window %d..%d; %s", lower, upper, replay).isEqualTo(expected);
            assertSocketBuffer(answer, expected, replay);
        }
        for (int p = 0; p < 15; p++) {
            long lower = random.nextLong(-5 * DAY, 90 * DAY);
            long upper = lower + random.nextLong(DAY, 30 * DAY);
            int limit = 1 + random.nextInt(60);
            String provider = random.nextInt(3) == 0 ? "p" + (1 + random.nextInt(4)) : null; // p4 does not exist
            long min = random.nextBoolean() ? Snapshot.NO_PRICE : random.nextInt(5_000);
            long max = random.nextBoolean() ? Snapshot.NO_PRICE : 5_000 + random.nextInt(10_000);
            boolean zones = random.nextBoolean();
            Integer providerId = provider == null ? null : PROVIDERS.get(provider);
            List<Snapshot.Entry> matching = sorted.stream()
                    .filter(e -> e.startMicros() >= lower && e.startMicros() <= upper && e.endMicros() <= upper)
                    .filter(e -> provider == null || (providerId != null && e.providerId() == providerId))
                    .filter(e -> min == Snapshot.NO_PRICE || (e.minCents() != Snapshot.NO_PRICE && e.minCents() >= min))
                    .filter(e -> max == Snapshot.NO_PRICE || (e.maxCents() != Snapshot.NO_PRICE && e.maxCents() <= max))
                    .collect(Collectors.toList());
            long afterMicros = Long.MIN_VALUE;
            UUID afterId = null;
            for (int from = 0;; from += limit) {
                List<Snapshot.Entry> page = matching.subList(from, Math.min(matching.size(), from + limit));
                boolean more = from + limit < matching.size();
                Snapshot.Entry last = page.isEmpty() ? null : page.get(page.size() - 1);
                String expected = "{\"data\":{\"events\":[" + page.stream().map(e -> event(e, zones))
                        .collect(Collectors.joining(",")) + "],\"next_cursor\":"
                        + (more ? "\"" + last.startMicros() + "/" + last.id() + "\"" : "null")
                        + "},\"meta\":{\"synced_at\":\"" + snapshot.version().changedAt() + "\",\"data_version\":"
                        + snapshot.version().version() + "},\"error\":null}";
                Snapshot.Answer answer = snapshot.page(request(lower, upper, afterId == null ? null
                        : new Object[] { afterMicros, afterId }, limit, provider, min, max, zones));
                assertThat(new String(answer.bytes(), StandardCharsets.US_ASCII))
                        .as("page from %d of %d..%d limit %d provider %s price %d..%d zones %s; %s", from, lower, upper,
                                limit, provider, min, max, zones, replay)
                        .isEqualTo(expected);
                assertSocketBuffer(answer, expected, replay);
                if (!more) {
                    break;
                }
                afterMicros = last.startMicros();
                afterId = last.id();
            }
        }
    }

    /** The buffer handed to the socket (slices of the chunks and pooled pieces) says the same, and is released whole. */
    private static void assertSocketBuffer(Snapshot.Answer answer, String expected, String replay) {
        ByteBuf socket = answer.buffer();
        try {
            assertThat(socket.readableBytes()).as(replay).isEqualTo(answer.size());
            assertThat(socket.toString(StandardCharsets.US_ASCII)).as(replay).isEqualTo(expected);
        } finally {
            assertThat(socket.release()).as("released whole; " + replay).isTrue();
        }
    }

    private static String event(Snapshot.Entry e, boolean zones) {
        String json = new String(e.event(), StandardCharsets.US_ASCII);
        return zones ? json.substring(0, json.length() - 1) + ",\"zones\":" + new String(e.zones(), StandardCharsets.US_ASCII) + "}"
                : json;
    }

    private static Snapshot.PageRequest request(long lower, long upper, Object[] after, int limit, String provider,
            long min, long max, boolean zones) {
        return new Snapshot.PageRequest(lower, upper, after == null ? Long.MIN_VALUE : (long) after[0],
                after == null ? null : (UUID) after[1], limit, provider, min, max, zones, (micros, id) -> micros + "/" + id);
    }

    /** A plan of random times (many share a start, some last long), provider, prices and JSON of random length. */
    private static Snapshot.Entry entry(Random random, UUID id, int version) {
        long start = random.nextInt(4) == 0 ? random.nextInt(60) * DAY : random.nextLong(0, 80 * DAY);
        long end = start + (random.nextInt(10) == 0 ? random.nextLong(0, 20 * DAY) : random.nextLong(0, DAY / 4));
        boolean priced = random.nextInt(10) != 0;
        long min = priced ? random.nextInt(8_000) : Snapshot.NO_PRICE;
        long max = priced ? min + random.nextInt(8_000) : Snapshot.NO_PRICE;
        String event = "{\"id\":\"" + id + "\",\"v\":" + version + ",\"pad\":\"" + "e".repeat(random.nextInt(300)) + "\"}";
        String zones = priced ? "[{\"price\":" + min + ",\"n\":\"" + "z".repeat(random.nextInt(50)) + "\"}]" : "[]";
        return new Snapshot.Entry(start, id, end, 1 + random.nextInt(3), min, max,
                event.getBytes(StandardCharsets.US_ASCII), zones.getBytes(StandardCharsets.US_ASCII));
    }
}
