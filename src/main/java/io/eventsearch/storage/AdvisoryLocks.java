package io.eventsearch.storage;

/**
 * Advisory lock key spaces, used as {@code pg_*advisory*lock(space, provider_id)}. Two spaces so that the instance
 * leading a provider (a session lock on its leader connection) never conflicts with its own sync transaction.
 */
public final class AdvisoryLocks {

    /** Session lock held by the instance that leads a provider: decides who fetches and syncs it. */
    public static final int LEADER = 0x45530001;

    /** Transaction lock taken by each sync: two syncs of one provider can never write at once, leader or not. */
    public static final int SYNC_FENCE = 0x45530002;

    private AdvisoryLocks() {
    }
}
