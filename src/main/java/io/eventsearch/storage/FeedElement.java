package io.eventsearch.storage;

/**
 * What one base plan element of a feed held, as stored with its base plan: its fingerprint, its plan and zone
 * elements (valid or not), the plans stored from it, and the records of it that were skipped ({@code skips}, in the
 * ingestion's own notation, null when none). With it, an element that comes again unchanged is accounted for
 * without being read.
 */
public record FeedElement(Long fingerprint, int planElements, int zoneElements, int plans, String skips) {

    /** An element as the parser reports it (the plans stored are counted as they are written). */
    public static FeedElement read(Long fingerprint, int planElements, int zoneElements, String skips) {
        return new FeedElement(fingerprint, planElements, zoneElements, 0, skips);
    }

    FeedElement withPlans(int value) {
        return new FeedElement(fingerprint, planElements, zoneElements, value, skips);
    }
}
