package io.eventsearch.support;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.ingestion.feed.FeedSink;
import io.eventsearch.ingestion.feed.SkipReason;

/** Collects what a feed parser hands out: base plans, plans ("basePlanId/planId" and the records), skips by reason. */
public final class CollectingSink implements FeedSink {
    public final List<BasePlan> basePlans = new ArrayList<>();
    public final List<String> plans = new ArrayList<>();
    public final List<Plan> planRecords = new ArrayList<>();
    public final Map<SkipReason, Integer> skipped = new EnumMap<>(SkipReason.class);

    @Override
    public void basePlan(BasePlan basePlan) {
        basePlans.add(basePlan);
    }

    @Override
    public void plan(BasePlan basePlan, Plan plan) {
        plans.add(basePlan.basePlanId() + "/" + plan.planId());
        planRecords.add(plan);
    }

    @Override
    public void skipped(SkipReason reason, String detail) {
        skipped.merge(reason, 1, Integer::sum);
    }

    /** Records skipped, whatever the reason. */
    public int skippedTotal() {
        return skipped.values().stream().mapToInt(Integer::intValue).sum();
    }
}
