package io.eventsearch.tools;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * Writes a synthetic provider feed of N base plans x P plans x Z zones, deterministically from a seed, in either
 * dialect, optionally with a share of dirty records (impossible dates, negative prices, missing ids, unparsable
 * capacities, plans ending before they start). Streams: memory does not depend on the feed size.
 *
 * <p>Only the JDK is needed, so benchmarks run it straight from {@code target/test-classes}:
 * <pre>
 * java -cp target/test-classes io.eventsearch.tools.FeedGenerator --base-plans 10000 --plans 10 --zones 20 \
 *      --seed 42 --dialect planList --dirty 0.01 --out /tmp/feed.xml [--copy-dir /tmp/rows] [--change-every 100]
 * </pre>
 *
 * <p>With {@code --change-every N}, every Nth plan (1% of them for N = 100) gets its first zone's price raised by
 * 1.00 and nothing else changes: with the same seed, the feed of a provider whose catalogue moved a little since.
 *
 * <p>With {@code --copy-dir}, the same pass also writes the rows the service stores for that feed (valid records
 * only, as provider id 1 named {@code --provider}, time zone UTC) as {@code base_plans.tsv}, {@code plan_identities.tsv},
 * {@code plans.tsv} and {@code zones.tsv} in PostgreSQL's COPY text format, columns in table order: the reference load of the ingestion
 * benchmark ({@code bench/}). Plan ids are the service's (UUID v5 of provider, base plan id, plan id); content
 * hashes and timestamps are stand-ins of the same type.
 */
public final class FeedGenerator {

    /** What to generate. Plans start spread over {@code spanDays} from {@code firstStart}. */
    public record Options(int basePlans, int plansPerBase, int zonesPerPlan, long seed, String dialect, double dirtyShare,
            double offlineShare, LocalDateTime firstStart, int spanDays) {

        public static Options of(int basePlans, int plansPerBase, int zonesPerPlan) {
            return new Options(basePlans, plansPerBase, zonesPerPlan, 42, "planList", 0, 0.05,
                    LocalDateTime.of(2026, 1, 1, 0, 0), 730);
        }

        public Options seed(long value) {
            return new Options(basePlans, plansPerBase, zonesPerPlan, value, dialect, dirtyShare, offlineShare, firstStart,
                    spanDays);
        }

        public Options dialect(String value) {
            return new Options(basePlans, plansPerBase, zonesPerPlan, seed, value, dirtyShare, offlineShare, firstStart,
                    spanDays);
        }

        public Options dirty(double share) {
            return new Options(basePlans, plansPerBase, zonesPerPlan, seed, dialect, share, offlineShare, firstStart,
                    spanDays);
        }

        public Options offline(double share) {
            return new Options(basePlans, plansPerBase, zonesPerPlan, seed, dialect, dirtyShare, share, firstStart, spanDays);
        }

        public Options span(LocalDateTime first, int days) {
            return new Options(basePlans, plansPerBase, zonesPerPlan, seed, dialect, dirtyShare, offlineShare, first, days);
        }

        public long plans() {
            return (long) basePlans * plansPerBase;
        }
    }

    /** What was written: plans that are valid, and records made dirty on purpose. */
    public record Written(long basePlans, long validPlans, long dirtyRecords, long zones, long bytes) {
    }

    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_LOCAL_DATE_TIME;
    private static final String[] WORDS = { "Concierto", "Teatro", "Flamenco", "Jazz", "Ópera", "Monólogo", "Festival",
            "Tributo", "Gala", "Musical", "Circo", "Danza", "Rock", "Sinfónica", "Magia", "Humor" };

    private FeedGenerator() {
    }

    public static Written write(OutputStream out, Options o) throws IOException {
        return write(out, o, null);
    }

    /** Writes the feed and, when {@code rows} is not null, the equivalent table rows. */
    public static Written write(OutputStream out, Options o, CopyRows rows) throws IOException {
        return write(out, o, rows, 0);
    }

    /** As above; with {@code changeEvery > 0}, every such plan's first zone costs 1.00 more (see the class comment). */
    public static Written write(OutputStream out, Options o, CopyRows rows, int changeEvery) throws IOException {
        boolean planList = !"eventList".equals(o.dialect());
        String root = planList ? "planList" : "eventList";
        String base = planList ? "base_plan" : "base_event";
        String plan = planList ? "plan" : "event";
        String baseId = planList ? "base_plan_id" : "base_event_id";
        String planId = planList ? "plan_id" : "event_id";
        String start = planList ? "plan_start_date" : "event_start_date";
        String end = planList ? "plan_end_date" : "event_end_date";
        SplittableRandom random = new SplittableRandom(o.seed());
        long valid = 0;
        long dirty = 0;
        long zones = 0;
        CountingStream counting = new CountingStream(new BufferedOutputStream(out, 1 << 16));
        Writer w = new OutputStreamWriter(counting, StandardCharsets.UTF_8);
        w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + root + " version=\"1.0\">\n   <output>\n");
        long planNumber = 0;
        for (int b = 0; b < o.basePlans(); b++) {
            boolean offline = random.nextDouble() < o.offlineShare();
            String title = WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)] + " " + b;
            int organizer = random.nextInt(50);
            w.write("      <" + base + " " + baseId + "=\"" + (1000 + b) + "\" sell_mode=\"" + (offline ? "offline" : "online")
                    + "\" organizer_company_id=\"" + organizer + "\" title=\"" + title + "\">\n");
            if (rows != null) {
                rows.basePlan(Integer.toString(1000 + b), title, !offline, Integer.toString(organizer));
            }
            for (int p = 0; p < o.plansPerBase(); p++) {
                planNumber++;
                LocalDateTime startAt = o.firstStart().plusMinutes(random.nextLong((long) o.spanDays() * 24 * 60));
                startAt = startAt.withMinute(startAt.getMinute() / 15 * 15);
                LocalDateTime endAt = startAt.plusMinutes(30 + random.nextInt(8) * 15);
                String startText = startAt.format(ISO);
                String endText = endAt.format(ISO);
                String id = Long.toString(planNumber);
                int dirtyKind = random.nextDouble() < o.dirtyShare() ? 1 + random.nextInt(5) : 0;
                boolean soldOut;
                switch (dirtyKind) {
                    case 1 -> startText = startAt.getYear() + "-09-31T20:00:00"; // impossible date
                    case 2 -> id = ""; // missing id
                    case 3 -> endText = startAt.minusHours(1).format(ISO); // ends before it starts
                    default -> {
                    }
                }
                soldOut = random.nextInt(10) == 0;
                w.write("         <" + plan + " " + start + "=\"" + startText + "\" " + end + "=\"" + endText + "\" " + planId
                        + "=\"" + id + "\" sell_from=\"" + startAt.minusDays(60).format(ISO) + "\" sell_to=\""
                        + startAt.minusHours(1).format(ISO) + "\" sold_out=\"" + soldOut + "\">\n");
                boolean keep = rows != null && dirtyKind != 1 && dirtyKind != 2 && dirtyKind != 3;
                if (keep) {
                    rows.startPlan(Integer.toString(1000 + b), id, startAt, endAt, startAt.minusDays(60),
                            startAt.minusHours(1));
                }
                for (int z = 0; z < o.zonesPerPlan(); z++) {
                    int cents = (5 + random.nextInt(200)) * 100 + (random.nextBoolean() ? 0 : 50);
                    if (z == 0 && changeEvery > 0 && planNumber % changeEvery == 0) {
                        cents += 100;
                    }
                    String price = cents / 100 + "." + (cents % 100 == 0 ? "00" : "50");
                    int seats = random.nextInt(500);
                    String capacity = Integer.toString(seats);
                    boolean dirtyZone = z == 0 && (dirtyKind == 4 || dirtyKind == 5);
                    if (z == 0 && dirtyKind == 4) {
                        price = "-" + price; // negative price: the zone is skipped, the plan kept
                    } else if (z == 0 && dirtyKind == 5) {
                        capacity = "lots"; // unparsable number: the zone is skipped, the plan kept
                    }
                    w.write("            <zone zone_id=\"" + (z / 2) + "\" capacity=\"" + capacity + "\" price=\"" + price
                            + "\" name=\"Zona " + z + "\" numbered=\"" + (z % 2 == 0) + "\" />\n");
                    zones++;
                    if (keep && !dirtyZone) {
                        rows.zone(Integer.toString(z / 2), "Zona " + z, seats, cents, z % 2 == 0);
                    }
                }
                w.write("         </" + plan + ">\n");
                if (keep) {
                    rows.endPlan(soldOut);
                }
                if (dirtyKind >= 1 && dirtyKind <= 3) {
                    dirty++;
                } else {
                    valid++;
                    if (dirtyKind > 3 && o.zonesPerPlan() > 0) {
                        dirty++;
                    }
                }
            }
            w.write("      </" + base + ">\n");
        }
        w.write("   </output>\n</" + root + ">\n");
        w.flush();
        return new Written(o.basePlans(), valid, dirty, zones, counting.count);
    }

    public static Written write(Path file, Options o) throws IOException {
        return write(file, o, 0);
    }

    /** The feed with every {@code changeEvery}-th plan's first zone 1.00 dearer (0: none). */
    public static Written write(Path file, Options o, int changeEvery) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            return write(out, o, null, changeEvery);
        }
    }

    /**
     * The rows the service stores for a generated feed, in COPY text format (see the class comment). Plans are
     * buffered one at a time (their zone count and prices are known at their end), so memory stays flat.
     */
    public static final class CopyRows implements java.io.Closeable {
        private static final DateTimeFormatter PG = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        /** Namespace of the service's plan ids (io.eventsearch.storage.PlanIds). */
        private static final java.util.UUID NAMESPACE = java.util.UUID.fromString("6f1c7d0e-3b7a-4c55-9a0f-2f7e4d9b8c31");
        private static final String SEEN = "2026-01-01 00:00:00+00";

        private final String provider;
        private final Writer basePlans;
        private final Writer planIdentities;
        private final Writer plans;
        private final Writer zones;
        private final java.security.MessageDigest sha1;
        private final StringBuilder planZones = new StringBuilder();
        private String planRow;
        private String planUuid;
        private String planStart;
        private int zoneCount;
        private int minCents;
        private int maxCents;
        private long hash;

        public CopyRows(Path directory, String provider) throws IOException {
            Files.createDirectories(directory);
            this.provider = provider;
            this.basePlans = writer(directory.resolve("base_plans.tsv"));
            this.planIdentities = writer(directory.resolve("plan_identities.tsv"));
            this.plans = writer(directory.resolve("plans.tsv"));
            this.zones = writer(directory.resolve("zones.tsv"));
            try {
                this.sha1 = java.security.MessageDigest.getInstance("SHA-1");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private static Writer writer(Path file) throws IOException {
            return new OutputStreamWriter(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16),
                    StandardCharsets.UTF_8);
        }

        void basePlan(String id, String title, boolean online, String organizer) throws IOException {
            String row = "1\t" + id + "\t" + title + "\t" + (online ? "online" : "offline") + "\t" + organizer + "\t"
                    + (online ? "t" : "f");
            basePlans.write(row + "\t" + hash(row) + "\t" + SEEN + "\t" + SEEN + "\t" + SEEN + "\n");
        }

        void startPlan(String basePlanId, String planId, LocalDateTime start, LocalDateTime end, LocalDateTime sellFrom,
                LocalDateTime sellTo) throws IOException {
            planUuid = planId(basePlanId, planId);
            planIdentities.write(planUuid + "\t1\t" + basePlanId + "\t" + planId + "\n");
            planStart = start.format(PG) + "+00";
            planRow = planUuid + "\t1\t" + basePlanId + "\t" + planId + "\t" + planStart + "\t" + end.format(PG) + "+00\t"
                    + start.format(PG) + "\t" + end.format(PG) + "\t" + sellFrom.format(PG) + "\t" + sellTo.format(PG);
            planZones.setLength(0);
            zoneCount = 0;
            minCents = Integer.MAX_VALUE;
            maxCents = Integer.MIN_VALUE;
        }

        void zone(String zoneId, String name, int capacity, int cents, boolean numbered) {
            planZones.append(planUuid).append('\t').append(zoneCount++).append('\t')
                    .append(zoneId).append('\t').append(name).append('\t').append(capacity).append('\t')
                    .append(price(cents)).append('\t').append(numbered ? 't' : 'f').append('\n');
            minCents = Math.min(minCents, cents);
            maxCents = Math.max(maxCents, cents);
        }

        void endPlan(boolean soldOut) throws IOException {
            String row = planRow + "\t" + (soldOut ? "t" : "f") + "\t" + zoneCount + "\t"
                    + (zoneCount == 0 ? "\\N\t\\N" : price(minCents) + "\t" + price(maxCents));
            plans.write(row + "\t" + hash(row + planZones) + "\t" + SEEN + "\t" + SEEN + "\t" + SEEN + "\n");
            zones.append(planZones);
        }

        private static String price(int cents) {
            return cents / 100 + "." + (cents % 100 < 10 ? "0" : "") + cents % 100;
        }

        /** A stand-in content hash (FNV-1a): same type and spread as the service's, not the same values. */
        private static long hash(CharSequence text) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < text.length(); i++) {
                h = (h ^ text.charAt(i)) * 0x100000001b3L;
            }
            return h;
        }

        /** The service's plan id: UUID v5 of (provider, base plan id, plan id). */
        private String planId(String basePlanId, String planId) {
            sha1.reset();
            long msb = NAMESPACE.getMostSignificantBits();
            long lsb = NAMESPACE.getLeastSignificantBits();
            for (int i = 0; i < 8; i++) {
                sha1.update((byte) (msb >>> (56 - 8 * i)));
            }
            for (int i = 0; i < 8; i++) {
                sha1.update((byte) (lsb >>> (56 - 8 * i)));
            }
            sha1.update(provider.getBytes(StandardCharsets.UTF_8));
            sha1.update((byte) 0);
            sha1.update(basePlanId.getBytes(StandardCharsets.UTF_8));
            sha1.update((byte) 0);
            sha1.update(planId.getBytes(StandardCharsets.UTF_8));
            byte[] h = sha1.digest();
            h[6] = (byte) ((h[6] & 0x0f) | 0x50);
            h[8] = (byte) ((h[8] & 0x3f) | 0x80);
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 8; i++) {
                hi = (hi << 8) | (h[i] & 0xff);
                lo = (lo << 8) | (h[8 + i] & 0xff);
            }
            return new java.util.UUID(hi, lo).toString();
        }

        @Override
        public void close() throws IOException {
            try (basePlans; planIdentities; plans; zones) {
                basePlans.flush();
                planIdentities.flush();
                plans.flush();
                zones.flush();
            }
        }
    }

    public static void main(String[] args) throws IOException {
        int basePlans = 1000;
        int plans = 10;
        int zones = 5;
        long seed = 42;
        String dialect = "planList";
        double dirty = 0;
        double offline = 0.05;
        LocalDateTime first = LocalDateTime.of(2026, 1, 1, 0, 0);
        int days = 730;
        Path out = null;
        Path copyDir = null;
        String provider = "bench";
        int changeEvery = 0;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--base-plans" -> basePlans = Integer.parseInt(value);
                case "--plans" -> plans = Integer.parseInt(value);
                case "--zones" -> zones = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--dialect" -> dialect = value;
                case "--dirty" -> dirty = Double.parseDouble(value);
                case "--offline" -> offline = Double.parseDouble(value);
                case "--first-start" -> first = LocalDateTime.parse(value);
                case "--span-days" -> days = Integer.parseInt(value);
                case "--out" -> out = Path.of(value);
                case "--copy-dir" -> copyDir = Path.of(value);
                case "--provider" -> provider = value;
                case "--change-every" -> changeEvery = Integer.parseInt(value);
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
            i++;
        }
        Options options = new Options(basePlans, plans, zones, seed, dialect, dirty, offline, first, days);
        Written written;
        try (CopyRows rows = copyDir == null ? null : new CopyRows(copyDir, provider);
                OutputStream stream = out == null ? System.out : Files.newOutputStream(out)) {
            written = write(stream, options, rows, changeEvery);
        }
        System.err.printf("wrote %d base plans, %d valid plans, %d dirty records, %d zones, %d bytes%n",
                written.basePlans(), written.validPlans(), written.dirtyRecords(), written.zones(), written.bytes());
    }

    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
