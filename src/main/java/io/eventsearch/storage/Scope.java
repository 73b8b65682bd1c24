package io.eventsearch.storage;

/**
 * How the search scope is stored (V7): a plan or base plan of its provider's latest applied feed carries
 * {@code last_seen_at = 'infinity'}; its provider's {@code current_seen_at} says when that feed was applied. A row
 * that left the feed carries the time of the last applied sync that contained it. So a sync writes only the rows
 * that came, changed, came back or left, never the rows that merely stay.
 */
public final class Scope {

    /** The value of {@code last_seen_at} of a row in scope. */
    public static final String IN_SCOPE = "'infinity'::timestamptz";

    /** The condition on plans {@code p} for the latest scope. */
    public static final String PLAN_IN_SCOPE = "p.last_seen_at = " + IN_SCOPE;

    private Scope() {
    }
}
