package io.eventsearch.ingestion.feed;

/** Receives a feed as it is parsed: each base plan, then its plans, in document order. */
public interface FeedSink {

    void basePlan(FeedRecords.BasePlan basePlan);

    /** A plan of the base plan most recently passed to {@link #basePlan}. */
    void plan(FeedRecords.BasePlan basePlan, FeedRecords.Plan plan);

    void skipped(SkipReason reason, String detail);
}
