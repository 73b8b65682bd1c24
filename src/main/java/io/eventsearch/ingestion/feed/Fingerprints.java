package io.eventsearch.ingestion.feed;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The fingerprints of a feed's base plan elements in document order, as {@link FeedScanner} finds them: readable
 * while the scan still runs on another thread (a reader waits until the scan has passed the element it asks for).
 */
final class Fingerprints {

    private long[] values = new long[1024];
    private final BitSet present = new BitSet();
    private int count;
    private boolean done;
    private boolean complete;

    /** The next element's fingerprint (null: it has none). */
    synchronized void add(Long fingerprint) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
        }
        if (fingerprint != null) {
            values[count] = fingerprint;
            present.set(count);
        }
        count++;
        if ((count & 63) == 0) {
            notifyAll();
        }
    }

    /** The scan is over; {@code followed}: it followed the document to its end. */
    synchronized void finish(boolean followed) {
        done = true;
        complete = followed;
        notifyAll();
    }

    /** The element's fingerprint, or null when it has none or the scan ended before it. */
    synchronized Long get(int element) {
        awaitPast(element);
        return element < count && present.get(element) ? values[element] : null;
    }

    /** Elements found; waits for the end of the scan. */
    synchronized int count() {
        awaitPast(Integer.MAX_VALUE);
        return count;
    }

    synchronized boolean complete() {
        awaitPast(Integer.MAX_VALUE);
        return complete;
    }

    private void awaitPast(int element) {
        boolean interrupted = false;
        while (element >= count && !done) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
