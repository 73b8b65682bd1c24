package io.eventsearch.ingestion.feed;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;

/** Validated, normalised records of a provider feed. Local date-times are exactly as the provider gave them. */
public final class FeedRecords {

    private FeedRecords() {
    }

    /** A base plan (the event): {@code base_plan} or, in the older dialect, {@code base_event}. */
    public record BasePlan(String basePlanId, String title, String sellMode, String organizerCompanyId, long contentHash) {
        public boolean online() {
            return "online".equals(sellMode);
        }
    }

    /** One date of a base plan: {@code plan} or {@code event}. Zones in feed order, repeats kept. */
    public record Plan(
            String planId,
            LocalDateTime start,
            LocalDateTime end,
            LocalDateTime sellFrom,
            LocalDateTime sellTo,
            boolean soldOut,
            List<Zone> zones,
            long contentHash) {
    }

    public record Zone(String zoneId, String name, int capacity, BigDecimal price, boolean numbered) {
    }
}
