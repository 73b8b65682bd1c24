package io.eventsearch.ingestion;

import java.sql.SQLException;
import java.util.concurrent.ExecutorService;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.common.Digests;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.eventsearch.ingestion.feed.MalformedFeedException;
import io.eventsearch.provider.FeedDownload;
import io.eventsearch.provider.FeedFetchException;
import io.eventsearch.provider.IngestionExecutor;
import io.eventsearch.provider.ProviderGuards;
import io.eventsearch.storage.CatalogueTransaction;
import io.eventsearch.storage.CatalogueVersion;
import io.eventsearch.storage.ProviderRepository;
import io.eventsearch.storage.SyncRun;
import io.eventsearch.storage.SyncRunRepository;
import io.smallrye.mutiny.Uni;

/**
 * One sync of one provider, end to end: open a run record, download the feed (non-blocking, retried, behind the
 * provider's breaker), short-circuit an unchanged feed, ingest it on an ingestion worker, close the run record,
 * and move the local data version so this instance's search sees the change at once. Every path closes the run
 * record; nothing here throws to the caller.
 */
@ApplicationScoped
public class SyncService {

    private static final Logger LOG = Logger.getLogger(SyncService.class);

    /**
     * Part of the stored feed digest: bump it when parsing or normalisation changes, so that an identical feed body
     * is ingested again rather than short-circuited.
     */
    static final String INGEST_FORMAT = "ingest-v1";

    private final ProviderGuards guards;
    private final FeedIngestor ingestor;
    private final ProviderRepository providers;
    private final SyncRunRepository runs;
    private final CatalogueVersion version;
    private final InstanceIdentity instance;
    private final SyncMetrics metrics;
    private final ExecutorService blocking;

    public SyncService(ProviderGuards guards, FeedIngestor ingestor, ProviderRepository providers, SyncRunRepository runs,
            CatalogueVersion version, InstanceIdentity instance, SyncMetrics metrics, IngestionExecutor executor) {
        this.guards = guards;
        this.ingestor = ingestor;
        this.providers = providers;
        this.runs = runs;
        this.version = version;
        this.instance = instance;
        this.metrics = metrics;
        this.blocking = executor.service();
    }

    /** Runs one sync. The returned run is already recorded in {@code sync_runs}. */
    public Uni<SyncRun> sync(RegisteredProvider provider) {
        long started = System.nanoTime();
        return blocking(provider, null, () -> new Start(runs.start(provider.id(), instance.id()), providers.state(provider.id())))
                .flatMap(start -> fetchAndIngest(provider, start, started)
                        .onFailure().recoverWithItem(failure -> failed(provider, failure))
                        .flatMap(run -> blocking(provider, start.runId, () -> {
                            runs.finish(start.runId, run);
                            metrics.record(provider.name(), run, System.nanoTime() - started);
                            log(provider, run);
                            return run;
                        })));
    }

    private record Start(long runId, ProviderRepository.ProviderState state) {
    }

    private Uni<SyncRun> fetchAndIngest(RegisteredProvider provider, Start start, long started) {
        ProviderRepository.ProviderState state = start.state;
        SyncRun run = new SyncRun();
        // An ETag or Last-Modified only means "same as what we applied" when nothing is pending.
        boolean conditional = state.heldSince() == null && state.feedDigest() != null;
        return guards.fetch(provider.settings(), conditional ? state.feedEtag() : null,
                conditional ? state.feedLastModified() : null)
                .onFailure(FeedFetchException.class).invoke(e -> {
                    run.attempts = ((FeedFetchException) e).attempts();
                    run.httpStatus = ((FeedFetchException) e).httpStatus();
                })
                .flatMap(download -> blocking(provider, start.runId, () -> {
                    try {
                        return ingest(provider, state, download, run, started);
                    } finally {
                        download.discard();
                    }
                }))
                .onFailure().invoke(failure -> classify(run, failure))
                .onFailure().recoverWithItem(run);
    }

    private SyncRun ingest(RegisteredProvider provider, ProviderRepository.ProviderState state, FeedDownload download,
            SyncRun run, long started) throws Exception {
        run.attempts = download.attempts();
        run.httpStatus = download.httpStatus();
        if (download.notModified()) {
            providers.confirmUnchanged(provider.id());
            run.outcome = SyncRun.Outcome.UNCHANGED;
            return run;
        }
        run.feedBytes = download.bytes();
        String digest = feedDigest(download.sha256(), provider);
        if (digest.equals(state.feedDigest()) && state.heldSince() == null) {
            providers.confirmUnchanged(provider.id());
            run.outcome = SyncRun.Outcome.UNCHANGED;
            return run;
        }
        LOG.infof("provider %s: sync steps: download and digest %d ms", provider.name(),
                (System.nanoTime() - started) / 1_000_000);
        CatalogueTransaction.MergeResult merged = ingestor.ingest(provider, download.file(), digest, download.etag(),
                download.lastModified(), run);
        if (merged != null && merged.version() != null) {
            version.advance(merged.version());
            // what this sync committed is what the next search on this instance sees
            version.awaitShown(merged.version().version(), java.time.Duration.ofSeconds(5));
        }
        return run;
    }

    /** The body's digest, bound to how it is interpreted (time zone, ingestion format). */
    static String feedDigest(String bodySha256, RegisteredProvider provider) {
        return Digests.sha256Hex(INGEST_FORMAT + '|' + provider.settings().timeZone().getId() + '|' + bodySha256);
    }

    private static void classify(SyncRun run, Throwable failure) {
        if (failure instanceof FeedFetchException fetch) {
            run.fail(fetch.reason(), fetch.getMessage());
        } else if (failure instanceof MalformedFeedException) {
            run.fail("malformed_feed", failure.getMessage());
        } else if (failure instanceof FeedIngestor.FencedException) {
            run.fail("fenced", failure.getMessage());
        } else if (failure instanceof SQLException sql) {
            run.fail("database_error", sql.getSQLState() + ": " + sql.getMessage());
        } else {
            run.fail("internal_error", String.valueOf(failure));
        }
    }

    private SyncRun failed(RegisteredProvider provider, Throwable failure) {
        LOG.errorf(failure, "provider %s: sync could not be recorded properly", provider.name());
        SyncRun run = new SyncRun();
        classify(run, failure);
        return run;
    }

    private void log(RegisteredProvider provider, SyncRun run) {
        switch (run.outcome) {
            case SUCCEEDED -> LOG.infof(
                    "provider %s: synced %d plans (%d new, %d changed, %d back in scope, %d unchanged, %d gone stale), "
                            + "%d skipped, %d bytes",
                    provider.name(), run.plansInserted + run.plansUpdated + run.plansReturned + run.plansUnchanged,
                    run.plansInserted, run.plansUpdated, run.plansReturned, run.plansUnchanged, run.plansGoneStale,
                    run.skippedTotal(),
                    run.feedBytes == null ? 0 : run.feedBytes);
            case UNCHANGED -> LOG.debugf("provider %s: feed unchanged", provider.name());
            case HELD -> LOG.warnf("provider %s: feed held: %s", provider.name(), run.failureDetail);
            case FAILED -> LOG.warnf("provider %s: sync failed after %d attempt(s): %s (%s)", provider.name(),
                    run.attempts, run.failureReason, run.failureDetail);
        }
    }

    /**
     * Runs blocking work on an ingestion worker, with the provider and run in the logging MDC ({@code provider},
     * {@code sync.run}) so every line it logs (skipped records, failures, the summary) can be traced to its run.
     */
    private <T> Uni<T> blocking(RegisteredProvider provider, Long runId, java.util.concurrent.Callable<T> work) {
        return Uni.createFrom().item(() -> {
            MDC.put("provider", provider.name());
            if (runId != null) {
                MDC.put("sync.run", runId);
            }
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new WrappedCheckedException(e);
            } finally {
                MDC.remove("provider");
                MDC.remove("sync.run");
            }
        }).runSubscriptionOn(blocking).onFailure(WrappedCheckedException.class).transform(Throwable::getCause);
    }

    /** Lets checked exceptions cross the Uni boundary and come out as themselves. */
    private static final class WrappedCheckedException extends RuntimeException {
        WrappedCheckedException(Exception cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
