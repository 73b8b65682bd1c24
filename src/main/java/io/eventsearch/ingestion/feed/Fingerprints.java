package io.eventsearch.ingestion.feed;

import java.util.concurrent.locks.LockSupport;

/**
 * The fingerprints of a feed's base plan elements in document order, as {@link FeedScanner} finds them: readable
 * while the scan still runs on another thread. The scanner never waits or signals (it is far ahead of any parse);
 * a reader that gets ahead of it polls.
 */
final class Fingerprints {

    /** Stands for "no fingerprint"; a fingerprint that happens to equal it is stored as {@link #ZERO_STANDIN}. */
    private static final long NONE = 0;
    private static final long ZERO_STANDIN = 1;
    private static final int CHUNK = 4096;
    private static final long POLL_NANOS = 100_000;

    private volatile long[][] chunks = new long[16][];
    /** Elements published: their values are written before this moves. */
    private volatile int count;
    private volatile boolean done;
    private volatile boolean complete;

    /** The next element's fingerprint (null: it has none). Called by the scanner only. */
    void add(Long fingerprint) {
        int at = count;
        long[][] all = chunks;
        int chunk = at / CHUNK;
        if (chunk == all.length) {
            long[][] grown = new long[all.length * 2][];
            System.arraycopy(all, 0, grown, 0, all.length);
            chunks = all = grown;
        }
        if (all[chunk] == null) {
            all[chunk] = new long[CHUNK];
        }
        long value = fingerprint == null ? NONE : fingerprint == NONE ? ZERO_STANDIN : fingerprint;
        all[chunk][at % CHUNK] = value;
        count = at + 1;
    }

    /** The scan is over; {@code followed}: it followed the document to its end. */
    void finish(boolean followed) {
        complete = followed;
        done = true;
    }

    /** The element's fingerprint, or null when it has none or the scan ended before it. */
    Long get(int element) {
        awaitPast(element);
        if (element >= count) {
            return null;
        }
        long value = chunks[element / CHUNK][element % CHUNK];
        return value == NONE ? null : value;
    }

    /** Elements found; waits for the end of the scan. */
    int count() {
        awaitPast(Integer.MAX_VALUE);
        return count;
    }

    boolean complete() {
        awaitPast(Integer.MAX_VALUE);
        return complete;
    }

    private void awaitPast(int element) {
        while (element >= count && !done) {
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
