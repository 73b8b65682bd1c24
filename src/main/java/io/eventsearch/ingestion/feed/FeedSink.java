package io.eventsearch.ingestion.feed;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;

/** Receives a feed as it is parsed: each base plan, then its plans, in document order. */
public interface FeedSink {

    void basePlan(BasePlan basePlan);

    /** A plan of the base plan most recently passed to {@link #basePlan}. */
    void plan(BasePlan basePlan, Plan plan);

    void skipped(SkipReason reason, String detail);

    /**
     * The end of a base plan element, valid or not, after its plans (and after {@link #skipped} for whatever of it was
     * skipped), with how many plan and zone elements it held, valid or not.
     */
    default void basePlanEnd(int planElements, int zoneElements) {
    }
}
