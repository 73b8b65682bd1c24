package io.eventsearch.ingestion;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.common.Digests;
import io.eventsearch.ingestion.feed.FeedParser;
import io.eventsearch.ingestion.feed.FeedScan;
import io.eventsearch.ingestion.feed.FeedScanner;
import io.eventsearch.ingestion.feed.FeedSink;
import io.eventsearch.ingestion.feed.MalformedFeedException;
import io.eventsearch.ingestion.feed.SkipReason;

/**
 * Warms up the CPU half of a sync before a fresh process's first one. A JVM that has just started interprets the
 * digest, the scan and the parse, and its first sync runs them at a third of their speed inside the sync's
 * transaction (a 1%-changed feed of 100k plans: 0.34 s to parse its changed elements cold, 0.08-0.18 s warm). So,
 * for {@code events.ingestion.warm-up}, it digests, scans and parses a generated feed in rounds, as a sync does
 * (whole, and with most of it claimed unchanged), without touching the database; the scheduled syncs start when it
 * is done. Readiness does not wait for it: search does not depend on it.
 */
@ApplicationScoped
public class IngestionWarmUp {

    private static final Logger LOG = Logger.getLogger(IngestionWarmUp.class);
    /** Base plan elements of the generated feed (10 plans of 5 zones each: about 2.5 MiB). */
    static final int BASE_PLANS = 300;
    /** A fingerprint salt of its own: the warm-up's fingerprints are never compared with stored ones. */
    private static final long SALT = 0x7761726d2d757021L; // "warm-up!"

    private final Duration duration;
    private final Path spool;
    private final CompletableFuture<Stats> done = new CompletableFuture<>();
    private volatile boolean stopped;
    private boolean started;

    @Inject
    public IngestionWarmUp(EventSearchConfig config) {
        this(config.ingestion().warmUp(), config.ingestion().spoolPath());
    }

    IngestionWarmUp(Duration duration, Path spool) {
        this.duration = duration;
        this.spool = spool;
    }

    /** What a warm-up did: rounds, base plan elements and valid plans parsed, elements fingerprinted, its time. */
    public record Stats(int rounds, long elementsParsed, long plansParsed, long fingerprinted, long millis) {
        static final Stats NONE = new Stats(0, 0, 0, 0, 0);
    }

    /**
     * Starts the warm-up on a thread of its own (once) and returns its end; done at once when it is off. A failure
     * is logged and ends it: it is an optimisation, never a reason not to sync.
     */
    public synchronized CompletionStage<Stats> start() {
        if (started) {
            return done;
        }
        started = true;
        if (duration.isZero() || duration.isNegative()) {
            done.complete(Stats.NONE);
            return done;
        }
        Thread thread = new Thread(() -> {
            try {
                Stats stats = run();
                LOG.infof("ingestion warmed up: %d rounds over a generated feed of %d base plans (%d parsed) in %d ms",
                        stats.rounds(), BASE_PLANS, stats.elementsParsed(), stats.millis());
                done.complete(stats);
            } catch (IOException | MalformedFeedException | RuntimeException e) {
                LOG.warnf("ingestion warm-up stopped: %s", String.valueOf(e));
                done.complete(Stats.NONE);
            }
        }, "ingestion-warm-up");
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    /** Stopped (shutting down): nothing is to be started after it. */
    boolean stopped() {
        return stopped;
    }

    /** Ends a warm-up still running at its next round (shutdown). */
    @PreDestroy
    void stop() {
        stopped = true;
    }

    /** Digests, scans and parses a generated feed in rounds for about the warm-up's duration. Blocking. */
    Stats run() throws IOException, MalformedFeedException {
        long started = System.nanoTime();
        long deadline = started + duration.toNanos();
        Path file = Files.createTempFile(spool, "warm-up-", ".xml");
        try {
            writeFeed(file);
            FeedParser whole = new FeedParser(true);
            FeedParser few = new FeedParser(false);
            int rounds = 0;
            long parsed = 0;
            long plans = 0;
            long fingerprinted = 0;
            while (!stopped && (rounds < 2 || System.nanoTime() < deadline)) {
                Digests.sha256(file); // as a download from a file: URL is digested
                // Even rounds read the feed whole (a first or much changed feed); odd ones claim all but a few
                // elements as unchanged and read the rest through the skipping stream (a steady re-sync).
                boolean mostClaimed = (rounds & 1) == 1;
                FeedScan scan = FeedScanner.start(file, SALT);
                if (mostClaimed) {
                    scan.claim(fingerprint -> (fingerprint & 31) != 0);
                }
                CountingSink sink = new CountingSink(scan);
                try (InputStream in = new BufferedInputStream(scan.withoutClaimed(file), 64 * 1024)) {
                    (mostClaimed ? few : whole).parse(in, sink);
                }
                parsed += sink.elements;
                plans += sink.plans;
                fingerprinted += sink.fingerprinted;
                rounds++;
            }
            return new Stats(rounds, parsed, plans, fingerprinted, (System.nanoTime() - started) / 1_000_000);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A feed of the provider's dialect: {@link #BASE_PLANS} base plans of 10 plans of 5 zones, a few records dirty. */
    static void writeFeed(Path file) throws IOException {
        LocalDateTime day = LocalDateTime.of(2030, 1, 1, 20, 0);
        try (Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 64 * 1024)) {
            out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<planList version=\"1.0\">\n   <output>\n");
            int planId = 1;
            for (int b = 1; b <= BASE_PLANS; b++) {
                out.write("      <base_plan base_plan_id=\"" + b + "\" sell_mode=\"" + (b % 7 == 0 ? "offline" : "online")
                        + "\" organizer_company_id=\"" + (b % 5) + "\" title=\"Warm-up &amp; event " + b + "\">\n");
                for (int p = 0; p < 10; p++, planId++) {
                    LocalDateTime start = day.plusHours(planId * 7L);
                    out.write("         <plan plan_start_date=\"" + start + ":00\" plan_end_date=\"" + start.plusHours(2)
                            + ":00\" plan_id=\"" + planId + "\" sell_from=\"" + start.minusDays(30) + ":00\" sell_to=\""
                            + start.minusHours(1) + ":00\" sold_out=\"" + (planId % 9 == 0) + "\">\n");
                    for (int z = 1; z <= 5; z++) {
                        // every 97th zone has a price that is not a number: the skip path too
                        String price = (planId * 5 + z) % 97 == 0 ? "n/a" : (10 + (planId + z) % 90) + "." + (z * 5 % 100);
                        out.write("            <zone zone_id=\"" + z + "\" capacity=\"" + (50 * z) + "\" price=\"" + price
                                + "\" name=\"Zone " + z + "\" numbered=\"" + (z % 2 == 0) + "\" />\n");
                    }
                    out.write("         </plan>\n");
                }
                out.write("      </base_plan>\n");
            }
            out.write("   </output>\n</planList>\n");
        }
    }

    /** Counts what a sync's sink would stage, and looks up each element's fingerprint as the staging sink does. */
    private static final class CountingSink implements FeedSink {
        private final FeedScan scan;
        private final ElementSkips skips = new ElementSkips();
        private int element;
        long elements;
        long plans;
        long fingerprinted;

        CountingSink(FeedScan scan) {
            this.scan = scan;
            this.element = scan.nextRead(0);
        }

        @Override
        public void basePlan(BasePlan basePlan) {
        }

        @Override
        public void plan(BasePlan basePlan, Plan plan) {
            plans++;
        }

        @Override
        public void skipped(SkipReason reason, String detail) {
            skips.add(reason, detail);
        }

        @Override
        public void basePlanEnd(int planElements, int zoneElements) {
            if (scan.fingerprint(element) != null) {
                fingerprinted++;
            }
            skips.encode();
            skips.clear();
            elements++;
            element = scan.nextRead(element + 1);
        }
    }

}
