package io.eventsearch.storage;

import java.util.Map;
import java.util.TreeMap;

/** The record of one sync run, as stored in {@code sync_runs}. Filled in as the run goes. */
public final class SyncRun {

    public enum Outcome {
        SUCCEEDED, UNCHANGED, HELD, FAILED;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Outcome outcome = Outcome.FAILED;
    public String failureReason;
    public String failureDetail;
    public Integer httpStatus;
    public int attempts;
    public Long feedBytes;
    public long basePlansSeen;
    public long plansSeen;
    public long zonesSeen;
    public long plansInserted;
    public long plansUpdated;
    public long plansReturned;
    public long plansUnchanged;
    public long plansGoneStale;
    public long basePlansInserted;
    public long basePlansUpdated;
    public long basePlansReturned;
    public long basePlansUnchanged;
    public long basePlansGoneStale;
    /** Base plans (of those unchanged) whose element was not even read: the same bytes as in the last applied feed. */
    public long basePlansUnread;
    public long zonesWritten;
    public final Map<String, Long> skipped = new TreeMap<>();

    public long skippedTotal() {
        return skipped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Content rows written (plans and base plans inserted or updated, zones): what a change actually cost. */
    public long rowsWritten() {
        return plansInserted + plansUpdated + basePlansInserted + basePlansUpdated + zonesWritten;
    }

    public SyncRun fail(String reason, String detail) {
        this.outcome = Outcome.FAILED;
        this.failureReason = reason;
        this.failureDetail = detail == null || detail.length() <= 2000 ? detail : detail.substring(0, 2000);
        return this;
    }
}
