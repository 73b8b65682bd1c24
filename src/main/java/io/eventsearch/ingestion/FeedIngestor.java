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
import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.catalogue.Zone;
import io.eventsearch.ingestion.feed.FeedSink;
import io.eventsearch.ingestion.feed.MalformedFeedException;
import io.eventsearch.ingestion.feed.SkipReason;
import io.eventsearch.storage.CatalogueTransaction;
import io.eventsearch.storage.CatalogueWriter;
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
    private final FeedParser parser = new FeedParser();
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
        SkipTally skips = new SkipTally(provider.name());
        try (CatalogueTransaction tx = writer.begin(provider.id(), provider.name(), provider.settings().timeZone())) {
            if (!tx.tryFence()) {
                throw new FencedException();
            }
            FeedParser.Summary summary;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
                summary = parser.parse(in, new StagingSink(tx, skips));
            } catch (StagingFailure failure) {
                throw failure.sqlException;
            }
            run.basePlansSeen = summary.basePlans();
            run.plansSeen = summary.plans();
            run.zonesSeen = summary.zones();

            CatalogueTransaction.DropCheck check = tx.prepareMerge();
            skips.add(SkipReason.DUPLICATE_PLAN, check.duplicatePlans(),
                    check.duplicatePlans() + " plan(s) appear more than once; the last occurrence counts");
            copySkips(skips, run);

            if (check.dropRatio() > maxDropRatio && tx.heldSince() == null) {
                tx.discardStaged();
                tx.markHeld();
                tx.commit();
                run.outcome = SyncRun.Outcome.HELD;
                run.failureReason = "mass_drop";
                run.failureDetail = String.format(
                        "feed drops %d of %d plans in scope (%.0f%% > %.0f%%); held until the next feed confirms it",
                        check.dropped(), check.inScope(), 100 * check.dropRatio(), 100 * maxDropRatio);
                LOG.warnf("provider %s: %s", provider.name(), run.failureDetail);
                return null;
            }
            if (check.dropRatio() > maxDropRatio) {
                LOG.warnf("provider %s: feed drops %d of %d plans again; applying it as confirmed", provider.name(),
                        check.dropped(), check.inScope());
            }
            CatalogueTransaction.MergeResult merged = tx.merge(digest, etag, lastModified);
            tx.commit();
            run.outcome = SyncRun.Outcome.SUCCEEDED;
            run.basePlansInserted = merged.basePlansInserted();
            run.basePlansUpdated = merged.basePlansUpdated();
            run.basePlansUnchanged = merged.basePlansUnchanged();
            run.basePlansGoneStale = merged.basePlansGoneStale();
            run.plansInserted = merged.plansInserted();
            run.plansUpdated = merged.plansUpdated();
            run.plansUnchanged = merged.plansUnchanged();
            run.plansGoneStale = merged.plansGoneStale();
            run.zonesWritten = merged.zonesWritten();
            return merged;
        } finally {
            copySkips(skips, run);
        }
    }

    private static void copySkips(SkipTally skips, SyncRun run) {
        run.skipped.clear();
        skips.counts().forEach((reason, count) -> run.skipped.put(reason.code(), count));
    }

    /** Carries a JDBC failure out of the parser callback, which cannot throw checked exceptions. */
    private static final class StagingFailure extends RuntimeException {
        final SQLException sqlException;

        StagingFailure(SQLException e) {
            super(e.getMessage(), e, false, false);
            this.sqlException = e;
        }
    }

    /** Feeds parsed records into the transaction's staging batches. */
    private static final class StagingSink implements FeedSink {
        private final CatalogueTransaction tx;
        private final SkipTally skips;

        StagingSink(CatalogueTransaction tx, SkipTally skips) {
            this.tx = tx;
            this.skips = skips;
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
        }
    }
}
