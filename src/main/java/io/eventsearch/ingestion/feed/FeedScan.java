package io.eventsearch.ingestion.feed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * What {@link FeedScanner} found: each base plan element in document order, with its fingerprint when it has one,
 * and which elements were claimed as known unchanged (they are left out of the parse).
 */
public final class FeedScan {

    private final Fingerprints found;
    private final BitSet claimed;
    /** Byte ranges [start, end) of the claimed elements, adjacent ones merged, in order. */
    private long[] skips;

    FeedScan(Fingerprints found, BitSet claimed, long[] skips) {
        this.found = found;
        this.claimed = claimed;
        this.skips = skips;
    }

    /** No scan: nothing fingerprinted, nothing claimed, the feed read whole. */
    public static FeedScan none() {
        return incomplete();
    }

    /** A feed the scanner did not follow: nothing fingerprinted, nothing claimed. */
    static FeedScan incomplete() {
        Fingerprints nothing = new Fingerprints();
        nothing.finish(false);
        return new FeedScan(nothing, new BitSet(), new long[0]);
    }

    /** A scan still running, of a feed read whole: nothing claimed. */
    static FeedScan alongside(Fingerprints found) {
        return new FeedScan(found, new BitSet(), new long[0]);
    }

    /**
     * Whether the scanner followed the document to its end (else nothing is claimed, and no element has a
     * fingerprint but those it had passed). Waits for the end of a scan still running.
     */
    public boolean complete() {
        return found.complete();
    }

    /** Base plan elements found (waits for the end of a scan still running). */
    public int elements() {
        return found.count();
    }

    public int claimedCount() {
        return claimed.cardinality();
    }

    public boolean claimed(int element) {
        return claimed.get(element);
    }

    /** The element's fingerprint, or null when it has none (see {@link FeedScanner}). */
    public Long fingerprint(int element) {
        return found.get(element);
    }

    /** The first element from {@code element} on that the parse reads (not claimed). */
    public int nextRead(int element) {
        return claimed.nextClearBit(element);
    }

    /** Forgets every claim: the feed is then read whole. */
    public void unclaimAll() {
        claimed.clear();
        skips = new long[0];
    }

    /** The feed without the claimed elements (the whole feed when none is claimed). */
    public InputStream withoutClaimed(Path file) throws IOException {
        return new Skipping(FileChannel.open(file, StandardOpenOption.READ), skips);
    }

    /** Reads a file leaving out the given byte ranges; positioned reads, so skipped bytes are never read. */
    private static final class Skipping extends InputStream {
        private final FileChannel channel;
        private final long[] skips;
        private int next;
        private long position;

        Skipping(FileChannel channel, long[] skips) {
            this.channel = channel;
            this.skips = skips;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (next < skips.length && position >= skips[next]) {
                position = Math.max(position, skips[next + 1]);
                next += 2;
            }
            long until = next < skips.length ? skips[next] : Long.MAX_VALUE;
            int want = (int) Math.min(len, until - position);
            int n = channel.read(ByteBuffer.wrap(b, off, want), position);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
