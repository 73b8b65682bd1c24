package io.eventsearch.catalogue;

/**
 * A base plan (the event), validated and normalised: {@code base_plan} or, in the older feed dialect,
 * {@code base_event}. Produced by ingestion, stored by storage.
 */
public record BasePlan(String basePlanId, String title, String sellMode, String organizerCompanyId, long contentHash) {

    public boolean online() {
        return "online".equals(sellMode);
    }
}
