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
 *      --seed 42 --dialect planList --dirty 0.01 --out /tmp/feed.xml
 * </pre>
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
            w.write("      <" + base + " " + baseId + "=\"" + (1000 + b) + "\" sell_mode=\"" + (offline ? "offline" : "online")
                    + "\" organizer_company_id=\"" + random.nextInt(50) + "\" title=\"" + title + "\">\n");
            for (int p = 0; p < o.plansPerBase(); p++) {
                planNumber++;
                LocalDateTime startAt = o.firstStart().plusMinutes(random.nextLong((long) o.spanDays() * 24 * 60));
                startAt = startAt.withMinute(startAt.getMinute() / 15 * 15);
                LocalDateTime endAt = startAt.plusMinutes(30 + random.nextInt(8) * 15);
                String startText = startAt.format(ISO);
                String endText = endAt.format(ISO);
                String id = Long.toString(planNumber);
                int dirtyKind = random.nextDouble() < o.dirtyShare() ? 1 + random.nextInt(5) : 0;
                switch (dirtyKind) {
                    case 1 -> startText = startAt.getYear() + "-09-31T20:00:00"; // impossible date
                    case 2 -> id = ""; // missing id
                    case 3 -> endText = startAt.minusHours(1).format(ISO); // ends before it starts
                    default -> {
                    }
                }
                w.write("         <" + plan + " " + start + "=\"" + startText + "\" " + end + "=\"" + endText + "\" " + planId
                        + "=\"" + id + "\" sell_from=\"" + startAt.minusDays(60).format(ISO) + "\" sell_to=\""
                        + startAt.minusHours(1).format(ISO) + "\" sold_out=\"" + (random.nextInt(10) == 0) + "\">\n");
                for (int z = 0; z < o.zonesPerPlan(); z++) {
                    String price = (5 + random.nextInt(200)) + "." + (random.nextBoolean() ? "00" : "50");
                    String capacity = Integer.toString(random.nextInt(500));
                    if (z == 0 && dirtyKind == 4) {
                        price = "-" + price; // negative price: the zone is skipped, the plan kept
                    } else if (z == 0 && dirtyKind == 5) {
                        capacity = "lots"; // unparsable number: the zone is skipped, the plan kept
                    }
                    w.write("            <zone zone_id=\"" + (z / 2) + "\" capacity=\"" + capacity + "\" price=\"" + price
                            + "\" name=\"Zona " + z + "\" numbered=\"" + (z % 2 == 0) + "\" />\n");
                    zones++;
                }
                w.write("         </" + plan + ">\n");
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
        try (OutputStream out = Files.newOutputStream(file)) {
            return write(out, o);
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
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
            i++;
        }
        Options options = new Options(basePlans, plans, zones, seed, dialect, dirty, offline, first, days);
        Written written = out == null ? write(System.out, options) : write(out, options);
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
