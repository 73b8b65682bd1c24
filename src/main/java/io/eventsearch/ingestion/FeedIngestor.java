package io.eventsearch.ingestion;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.ingestion.feed.FeedParser;
import io.eventsearch.ingestion.feed.FeedScan;
import io.eventsearch.ingestion.feed.FeedScanner;
import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.catalogue.Zone;
import io.eventsearch.ingestion.feed.FeedSink;
import io.eventsearch.ingestion.feed.MalformedFeedException;
import io.eventsearch.ingestion.feed.SkipReason;
import io.eventsearch.provider.ProviderSettings;
import io.eventsearch.storage.CatalogueTransaction;
import io.eventsearch.storage.CatalogueWriter;
import io.eventsearch.storage.FeedElement;
import io.eventsearch.storage.SyncRun;

/**
 * Parses a downloaded feed straight into the sync transaction and applies it: the blocking half of a sync, run on
 * an ingestion worker thread. A malformed feed or a database failure rolls the whole transaction back, so nothing
 * of a bad feed is applied and nothing is marked stale by it.
 */
@ApplicationScoped
public class FeedIngestor {

    private static final Logger LOG = Logger.getLogger(FeedIngestor.class);

    private final CatalogueWriter writer;
    /**
     * Reads the XML on the sync's thread and validates on a second one; the COPY runs on a third (CopyPipeline). When
     * only a few elements are read (the rest claimed unchanged), they are validated on the sync's thread: handing
     * them over would cost more than it saves.
     */
    private final FeedParser wholeFeedParser = new FeedParser(true);
    private final FeedParser fewElementsParser = new FeedParser(false);
    /** Fewer elements to read than this: one thread. */
    private static final int FEW_ELEMENTS = 200;
    private final double maxDropRatio;

    public FeedIngestor(CatalogueWriter writer, EventSearchConfig config) {
        this.writer = writer;
        this.maxDropRatio = config.ingestion().maxDropRatio();
    }

    /** Thrown when another sync of the same provider holds the sync fence. */
    public static final class FencedException extends Exception {
        FencedException() {
            super("another sync of this provider is writing", null, false, false);
        }
    }

    /**
     * Applies the feed in {@code file} and fills {@code run} with what happened. Returns the new data version's
     * commit effects through {@code run} and the result.
     */
    public CatalogueTransaction.MergeResult ingest(RegisteredProvider provider, Path file, String digest, String etag,
            String lastModified, SyncRun run) throws SQLException, IOException, MalformedFeedException, FencedException {
        SkipTally[] skips = { new SkipTally(provider.name()) };
        long started = System.nanoTime();
        // The scan runs on its own thread while the fence is taken and the provider's base plans are read.
        FeedScan scan = FeedScanner.start(file, fingerprintSalt(provider));
        try (CatalogueTransaction tx = writer.begin(provider.id(), provider.name(), provider.settings().timeZone())) {
            if (!tx.tryFence()) {
                throw new FencedException();
            }
            long fenced = System.nanoTime();
            if (!tx.firstFeed()) {
                scan.claim(tx::claim);
            } // a first feed is read whole: the parse waits for each element's fingerprint, long found by then
            long scanned = System.nanoTime();
            tx.prepareRows();
            long prepared = System.nanoTime();
            boolean fresh = tx.fresh();
            FeedParser.Summary summary;
            CatalogueTransaction.DropCheck check;
            long parsed;
            while (true) {
                try {
                    summary = parse(file, scan, tx, skips[0]);
                    parsed = System.nanoTime();
                    check = tx.prepareMerge();
                    break;
                } catch (CatalogueTransaction.ParseAgain again) {
                    // A first feed that repeats a plan, or a feed that repeats a base plan it holds unchanged: parse it
                    // again, whole, into staging, where the last occurrence wins.
                    LOG.infof("provider %s: %s; staging the whole feed instead", provider.name(), again.getMessage());
                    tx.restage();
                    if (again instanceof ScanMismatch) {
                        LOG.warnf("provider %s: %s", provider.name(), again.getMessage());
                        scan = FeedScan.none();
                    } else {
                        scan.unclaimAll();
                    }
                    skips[0] = new SkipTally(provider.name());
                }
            }
            long staged = System.nanoTime();
            run.basePlansSeen = summary.basePlans() + tx.claimedBasePlans();
            run.plansSeen = summary.plans() + tx.claimedPlanElements();
            run.zonesSeen = summary.zones() + tx.claimedZoneElements();
            // what the elements not read had skipped, as when they were read
            for (String elementSkips : tx.claimedSkips()) {
                ElementSkips.replay(elementSkips, skips[0]);
            }

            skips[0].add(SkipReason.DUPLICATE_PLAN, check.duplicatePlans(),
                    check.duplicatePlans() + " plan(s) appear more than once; the last occurrence counts");
            copySkips(skips[0], run);

            String holdReason = holdReason(provider, check, tx.hold(), digest);
            if (holdReason != null) {
                tx.discardStaged();
                tx.markHeld(holdReason, digest);
                tx.commit();
                run.outcome = SyncRun.Outcome.HELD;
                run.failureReason = holdReason;
                run.failureDetail = holdDetail(provider, holdReason, check, tx.hold());
                return null;
            }
            CatalogueTransaction.MergeResult merged = tx.merge(digest, etag, lastModified);
            long mergedAt = System.nanoTime();
            tx.commit();
            // What each step cost: the numbers behind the benchmark's breakdown.
            LOG.infof("provider %s: sync steps: fence and base plans %d ms, rest of the scan %d ms (%d of %d base plans "
                    + "unchanged, not read), plans to compare %d ms, parse and %s %d ms, last rows and drop check %d ms, "
                    + "%s %d ms (%s), commit %d ms",
                    provider.name(), millis(started, fenced), millis(fenced, scanned), tx.claimedBasePlans(),
                    scan.elements(), millis(scanned, prepared), fresh && tx.fresh() ? "COPY into the catalogue" : "staging",
                    millis(prepared, parsed), millis(parsed, staged), tx.fresh() ? "change set" : "merge",
                    millis(staged, mergedAt),
                    tx.mergeSteps(), millis(mergedAt, System.nanoTime()));
            run.outcome = SyncRun.Outcome.SUCCEEDED;
            run.basePlansInserted = merged.basePlansInserted();
            run.basePlansUpdated = merged.basePlansUpdated();
            run.basePlansReturned = merged.basePlansReturned();
            run.basePlansUnchanged = merged.basePlansUnchanged();
            run.basePlansGoneStale = merged.basePlansGoneStale();
            run.basePlansUnread = tx.claimedBasePlans();
            run.plansInserted = merged.plansInserted();
            run.plansUpdated = merged.plansUpdated();
            run.plansReturned = merged.plansReturned();
            run.plansUnchanged = merged.plansUnchanged();
            run.plansGoneStale = merged.plansGoneStale();
            run.zonesWritten = merged.zonesWritten();
            return merged;
        } finally {
            copySkips(skips[0], run);
        }
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /** Parses the feed but the elements the scan claimed, which the transaction holds as unchanged. */
    private FeedParser.Summary parse(Path file, FeedScan scan, CatalogueTransaction tx, SkipTally skips)
            throws SQLException, IOException, MalformedFeedException {
        StagingSink sink = new StagingSink(tx, skips, scan);
        FeedParser parser = scan.claimedCount() > 0 && scan.elements() - scan.claimedCount() < FEW_ELEMENTS
                ? fewElementsParser : wholeFeedParser;
        FeedParser.Summary summary;
        try (InputStream in = new BufferedInputStream(scan.withoutClaimed(file), 64 * 1024)) {
            summary = parser.parse(in, sink);
        } catch (StagingFailure failure) {
            throw failure.sqlException;
        }
        if (scan.complete() && summary.basePlans() + scan.claimedCount() != scan.elements()) {
            // The scanner and the parser disagree on where base plans are: trust neither claims nor fingerprints.
            throw new ScanMismatch(scan.elements(), summary.basePlans());
        }
        return summary;
    }

    /**
     * What a base plan element's fingerprint depends on besides its bytes: how the feed is read (the ingestion
     * format) and the provider's time zone (local times become instants).
     */
    static long fingerprintSalt(RegisteredProvider provider) {
        byte[] h = io.eventsearch.common.Digests.sha256().digest((SyncService.INGEST_FORMAT + '|'
                + provider.settings().timeZone().getId()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.nio.ByteBuffer.wrap(h).getLong();
    }

    /**
     * Why this feed must be held rather than applied, or null to apply it. A feed that keeps the scope within the
     * drop ratio applies (and ends any hold). One that drops more applies when an operator confirmed exactly this
     * feed; else an empty one is held unless the provider allows empty feeds, and any other applies only as the
     * last of {@code mass-drop-feeds} dropping feeds in a row, the first of them at least {@code mass-drop-after}
     * ago: a glitch of the provider, however often repeated in a short time, never empties search.
     */
    String holdReason(RegisteredProvider provider, CatalogueTransaction.DropCheck check, CatalogueTransaction.Hold hold,
            String digest) {
        if (check.dropRatio() <= maxDropRatio) {
            return null;
        }
        ProviderSettings.HoldPolicy policy = provider.settings().hold();
        if (digest.equals(hold.confirmedDigest())) {
            LOG.warnf("provider %s: applying the feed an operator confirmed (drops %d of %d plans in scope)",
                    provider.name(), check.dropped(), check.inScope());
            return null;
        }
        if (check.empty()) {
            if (policy.allowEmptyFeed()) {
                LOG.warnf("provider %s: applying an empty feed (allow-empty-feed): %d plans leave the scope",
                        provider.name(), check.inScope());
                return null;
            }
            return EMPTY_FEED;
        }
        int inARow = hold.feeds() + 1;
        if (inARow >= policy.massDropFeeds() && hold.age().compareTo(policy.massDropAfter()) >= 0) {
            LOG.warnf("provider %s: feed drops %d of %d plans, as %d feeds in a row did over %s; applying it",
                    provider.name(), check.dropped(), check.inScope(), inARow, hold.age());
            return null;
        }
        return MASS_DROP;
    }

    private String holdDetail(RegisteredProvider provider, String reason, CatalogueTransaction.DropCheck check,
            CatalogueTransaction.Hold before) {
        ProviderSettings.HoldPolicy policy = provider.settings().hold();
        int inARow = before.feeds() + 1;
        if (EMPTY_FEED.equals(reason)) {
            return String.format("feed has no valid plan and would empty the scope (%d plans); held (%d in a row) "
                    + "until an operator confirms or rejects it, or a normal feed comes", check.inScope(), inARow);
        }
        return String.format("feed drops %d of %d plans in scope (%.0f%% > %.0f%%); held (%d in a row), applied once "
                + "%d such feeds came in a row over at least %s, or an operator confirms it", check.dropped(),
                check.inScope(), 100 * check.dropRatio(), 100 * maxDropRatio, inARow, policy.massDropFeeds(),
                policy.massDropAfter());
    }

    public static final String EMPTY_FEED = "empty_feed";
    public static final String MASS_DROP = "mass_drop";

    private static void copySkips(SkipTally skips, SyncRun run) {
        run.skipped.clear();
        skips.counts().forEach((reason, count) -> run.skipped.put(reason.code(), count));
    }

    /** The scan and the parse found base plans in different places (a flaw of the scanner, never expected). */
    private static final class ScanMismatch extends CatalogueTransaction.ParseAgain {
        ScanMismatch(int scanned, int parsed) {
            super("the scan found " + scanned + " base plans, the parse " + parsed + " besides those claimed");
        }
    }

    /** Carries a JDBC failure out of the parser callback, which cannot throw checked exceptions. */
    private static final class StagingFailure extends RuntimeException {
        final SQLException sqlException;

        StagingFailure(SQLException e) {
            super(e.getMessage(), e, false, false);
            this.sqlException = e;
        }
    }

    /** Feeds parsed records into the transaction's staging batches, each base plan with its element's fingerprint. */
    private static final class StagingSink implements FeedSink {
        private final CatalogueTransaction tx;
        private final SkipTally skips;
        private final FeedScan scan;
        /** The scan's number of the element being read, and what of it was skipped. */
        private int element;
        private final ElementSkips elementSkips = new ElementSkips();

        StagingSink(CatalogueTransaction tx, SkipTally skips, FeedScan scan) {
            this.tx = tx;
            this.skips = skips;
            this.scan = scan;
            this.element = scan.nextRead(0);
        }

        @Override
        public void basePlanEnd(int planElements, int zoneElements) {
            try {
                tx.endBasePlan(FeedElement.read(scan.fingerprint(element), planElements, zoneElements,
                        elementSkips.encode()));
            } catch (SQLException e) {
                throw new StagingFailure(e);
            }
            elementSkips.clear();
            element = scan.nextRead(element + 1);
        }

        @Override
        public void basePlan(BasePlan basePlan) {
            try {
                tx.add(basePlan);
            } catch (SQLException e) {
                throw new StagingFailure(e);
            }
        }

        @Override
        public void plan(BasePlan basePlan, Plan plan) {
            try {
                tx.add(basePlan, plan);
            } catch (SQLException e) {
                throw new StagingFailure(e);
            }
        }

        @Override
        public void skipped(SkipReason reason, String detail) {
            skips.add(reason, detail);
            elementSkips.add(reason, detail);
        }
    }
}
