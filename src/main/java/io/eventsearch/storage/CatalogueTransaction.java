package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;

/**
 * One sync of one provider as one PostgreSQL transaction, in four jobs, each its own class:
 * <ol>
 * <li>the fence ({@link SyncFence}): one sync of a provider writes at a time, and its provider row is read locked;
 * <li>the claims ({@link BasePlanScope}): base plan elements whose bytes are those of the last applied feed are
 * not read at all;
 * <li>the rows ({@link FeedRows}), parsed and written on two threads ({@link CopyPipeline}): a provider's first feed
 * goes straight into the catalogue tables ({@link FreshLoad}); any later one stages only what differs from the
 * provider's scope, compared in memory ({@link StagedFeed}, {@link ScopeIndex});
 * <li>the drop check ({@link DropCheck}), from the same comparison;
 * <li>the merge ({@link DeltaMerge}) and the change set it leaves ({@link ChangeLog}).
 * </ol>
 * Closing without {@link #commit} rolls everything back.
 */
public final class CatalogueTransaction implements AutoCloseable {

    private final Connection connection;
    private final CopyManager copy;
    private final int providerId;
    private final String providerName;
    private final ZoneId timeZone;
    private final int batchSize;

    private SyncFence.State fence;
    private BasePlanScope basePlans;
    private FeedRows rows;
    private FreshLoad freshLoad;
    private StagedFeed stagedFeed;
    private Savepoint beforeLoad;
    private DropCheck check;
    private String mergeSteps = "";
    private boolean committed;

    CatalogueTransaction(Connection connection, int providerId, String providerName, ZoneId timeZone, int batchSize)
            throws SQLException {
        this.connection = connection;
        this.providerId = providerId;
        this.providerName = providerName;
        this.timeZone = timeZone;
        this.batchSize = batchSize;
        connection.setAutoCommit(false);
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
    }

    /**
     * Takes this provider's sync fence for the life of the transaction and reads its base plans in scope. False
     * means another sync of the provider is writing right now; nothing may be done.
     */
    public boolean tryFence() throws SQLException {
        fence = SyncFence.tryTake(connection, providerId, providerName);
        if (fence == null) {
            return false;
        }
        basePlans = fence.fresh() ? BasePlanScope.empty() : BasePlanScope.load(connection, providerId);
        return true;
    }

    /**
     * Whether the base plan element with this fingerprint is one of the provider's last applied feed, unchanged
     * since: then it is not read at all (see {@link BasePlanScope}). Called while the feed is scanned, before
     * {@link #prepareRows}.
     */
    public boolean claim(long fingerprint) {
        return basePlans.claim(fingerprint);
    }

    /** Base plans claimed, and their plan and zone elements and skips: what the feed holds without being read. */
    public long claimedBasePlans() {
        return basePlans.claimedCount();
    }

    public long claimedPlanElements() {
        return basePlans.claimedPlanElements();
    }

    public long claimedZoneElements() {
        return basePlans.claimedZoneElements();
    }

    public java.util.List<String> claimedSkips() {
        return basePlans.claimedSkips();
    }

    /**
     * Gets ready for the rows of the elements that are read: a provider's first feed goes straight into the
     * catalogue; a later one is staged, compared with the in-scope plans of the base plans not claimed.
     */
    public void prepareRows() throws SQLException {
        beforeLoad = connection.setSavepoint("before_load");
        if (fence.fresh()) {
            freshLoad = new FreshLoad(providerId, providerName, timeZone, batchSize, pipeline(), fence.now());
            rows = freshLoad;
        } else {
            stage(ScopeIndex.load(connection, providerId, basePlans));
        }
    }

    private void stage(ScopeIndex scope) throws SQLException {
        stagedFeed = new StagedFeed(connection, providerId, providerName, timeZone, batchSize, pipeline(), basePlans,
                scope);
        rows = stagedFeed;
    }

    private CopyPipeline pipeline() {
        return new CopyPipeline(copy, "ingest-copy-" + providerName);
    }

    /** The provider's hold: the feeds held in a row before this one, if any. */
    public Hold hold() {
        return fence.hold();
    }

    /** Whether the provider has no row yet: its feed is read whole (nothing to compare with). */
    public boolean firstFeed() {
        return fence.fresh();
    }

    /** Whether this feed is written straight into the catalogue (the provider's first), not staged. */
    public boolean fresh() {
        return freshLoad != null;
    }

    public void add(BasePlan basePlan) throws SQLException {
        try {
            rows.add(basePlan);
        } catch (SQLException e) {
            throw conflictOr(e);
        }
    }

    public void add(BasePlan basePlan, Plan plan) throws SQLException {
        try {
            rows.add(basePlan, plan);
        } catch (SQLException e) {
            throw conflictOr(e);
        }
    }

    /** The end of a base plan element: see {@link FeedRows#endBasePlan}. */
    public void endBasePlan(FeedElement element) throws SQLException {
        try {
            rows.endBasePlan(element);
        } catch (SQLException e) {
            throw conflictOr(e);
        }
    }

    /** A first feed that breaks a key names some plan or base plan twice: it must be staged instead. */
    private SQLException conflictOr(SQLException e) {
        return fresh() && "23505".equals(e.getSQLState()) ? new FreshLoadConflict(e) : e;
    }

    /**
     * After a {@link ParseAgain}: undoes what was loaded or staged and stages the feed whole, nothing claimed; the
     * caller parses all of it again.
     */
    public void restage() throws SQLException {
        rows.abort();
        connection.rollback(beforeLoad);
        boolean wasFresh = freshLoad != null;
        freshLoad = null;
        basePlans.unclaimAll();
        stage(wasFresh ? ScopeIndex.empty() : ScopeIndex.load(connection, providerId));
    }

    /** Everything is parsed: the rows are written, and how much of the scope the feed keeps is measured. */
    public DropCheck prepareMerge() throws SQLException {
        try {
            rows.finish();
        } catch (SQLException e) {
            throw conflictOr(e);
        }
        check = fresh() ? new DropCheck(0, 0, freshLoad.plans(), 0) : stagedFeed.dropCheck(connection);
        return check;
    }

    /** Applies the feed and records its change set. The caller commits. */
    public MergeResult merge(String feedDigest, String etag, String lastModified) throws SQLException {
        MergeResult result;
        if (fresh()) {
            result = freshLoad.result();
            PlannerStatistics.refreshIfOutgrown(connection, freshLoad.plans());
        } else {
            ChangeLog.open(connection);
            DeltaMerge delta = new DeltaMerge(connection, providerId, fence.previousSeenAt());
            result = delta.merge(check.feedPlans(), basePlans.claimedCount());
            mergeSteps = delta.steps();
        }
        SyncFence.markApplied(connection, providerId, feedDigest, etag, lastModified);
        // Rows that came, changed, came back or left change what search shows; rows that stay are not written.
        return result.withVersion(result.visibleChange()
                ? ChangeLog.record(connection, fresh() ? Integer.valueOf(providerId) : null)
                : null);
    }

    /** What each step of the merge took (empty for a first feed: nothing to merge). */
    public String mergeSteps() {
        return mergeSteps;
    }

    /** Records that a feed was held; nothing of it is applied. The caller commits. */
    public void markHeld(String reason, String feedDigest) throws SQLException {
        SyncFence.markHeld(connection, providerId, reason, feedDigest);
    }

    /** Drops what was staged or loaded but keeps the transaction (and its fence) for bookkeeping. */
    public void discardStaged() throws SQLException {
        if (fresh()) {
            connection.rollback(beforeLoad);
            return;
        }
        try (Statement st = connection.createStatement()) {
            st.execute("TRUNCATE stage_base_plans, stage_plans, stage_zones, stage_gone, stage_base_gone");
        }
    }

    public void commit() throws SQLException {
        connection.commit();
        committed = true;
    }

    @Override
    public void close() throws SQLException {
        try {
            if (rows != null) {
                rows.abort();
            }
            if (!committed) {
                connection.rollback();
            }
        } finally {
            connection.setAutoCommit(true);
            connection.close();
        }
    }

    /** The feed must be parsed again, whole and staged: see {@link #restage}. */
    public static class ParseAgain extends SQLException {
        protected ParseAgain(String message) {
            super(message);
        }

        ParseAgain(String message, String sqlState, Throwable cause) {
            super(message, sqlState, cause);
        }
    }

    /** A provider's first feed named a plan or base plan twice. */
    public static final class FreshLoadConflict extends ParseAgain {
        FreshLoadConflict(SQLException cause) {
            super("the feed repeats a plan or base plan: " + cause.getMessage(), cause.getSQLState(), cause);
        }
    }

    /** The feed names a claimed base plan again in another element: the claim no longer stands for its rows. */
    public static final class ClaimConflict extends ParseAgain {
        ClaimConflict(String basePlanId) {
            super("the feed repeats base plan " + basePlanId + ", unchanged in another element", null, null);
        }
    }

    /**
     * The provider's current hold: since when feeds are held, why (empty_feed or mass_drop), how many in a row,
     * the digest of the last one, the digest an operator confirmed (or null), and how long ago the hold began.
     */
    public record Hold(Instant since, String reason, int feeds, String digest, String confirmedDigest, Duration age) {
        public static final Hold NONE = new Hold(null, null, 0, null, null, Duration.ZERO);

        public boolean active() {
            return since != null;
        }
    }

    /**
     * How much of the provider's in-scope catalogue the feed still contains, and how many (valid, distinct) plans
     * it has.
     */
    public record DropCheck(long inScope, long stillPresent, long feedPlans, int duplicatePlans) {
        public long dropped() {
            return inScope - stillPresent;
        }

        /** A feed without a single valid plan, for a provider that has plans in scope. */
        public boolean empty() {
            return feedPlans == 0 && inScope > 0;
        }

        public double dropRatio() {
            return inScope == 0 ? 0 : (double) dropped() / inScope;
        }
    }

    /** What a merge changed. {@code version} is null when nothing visible changed. */
    public record MergeResult(
            long basePlansInserted, long basePlansUpdated, long basePlansReturned, long basePlansUnchanged,
            long basePlansGoneStale, long plansInserted, long plansUpdated, long plansReturned, long plansUnchanged,
            long plansGoneStale, long zonesWritten, DataVersion version) {

        boolean visibleChange() {
            return plansInserted + plansUpdated + plansReturned + plansGoneStale + basePlansInserted
                    + basePlansUpdated + basePlansReturned + basePlansGoneStale > 0;
        }

        MergeResult withVersion(DataVersion value) {
            return new MergeResult(basePlansInserted, basePlansUpdated, basePlansReturned, basePlansUnchanged,
                    basePlansGoneStale, plansInserted, plansUpdated, plansReturned, plansUnchanged, plansGoneStale,
                    zonesWritten, value);
        }
    }
}
