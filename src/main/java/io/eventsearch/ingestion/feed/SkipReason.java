package io.eventsearch.ingestion.feed;

/** Why a record of a feed was left out. The code is what sync runs, logs and metrics show. */
public enum SkipReason {
    MISSING_BASE_PLAN_ID,
    MISSING_PLAN_ID,
    MISSING_ZONE_ID,
    MISSING_TITLE,
    MISSING_DATE,
    INVALID_DATE,
    END_BEFORE_START,
    INVALID_SELL_MODE,
    INVALID_BOOLEAN,
    INVALID_CAPACITY,
    NEGATIVE_CAPACITY,
    INVALID_PRICE,
    NEGATIVE_PRICE,
    FIELD_TOO_LONG,
    /** A plan whose base plan was skipped. */
    PARENT_SKIPPED,
    /** The same plan twice in one feed: the last one counts. */
    DUPLICATE_PLAN;

    private final String code = name().toLowerCase(java.util.Locale.ROOT);

    public String code() {
        return code;
    }
}
