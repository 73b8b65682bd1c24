package io.eventsearch.ingestion.feed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.BitSet;

/**
 * What {@link FeedScanner} found: each base plan element in document order, with its fingerprint when it has one,
 * and which elements were claimed as known unchanged (they are left out of the parse).
 */
public final class FeedScan {

    private final Fingerprints found;
    /** Where the elements are, once the scan is over (null: no scan). */
    private final FeedScanner scanner;
    private final BitSet claimed = new BitSet();
    /** Byte ranges [start, end) of the claimed elements, adjacent ones merged, in order. */
    private long[] skips = new long[0];

    FeedScan(Fingerprints found, FeedScanner scanner) {
        this.found = found;
        this.scanner = scanner;
    }

    /** No scan: nothing fingerprinted, nothing claimed, the feed read whole. */
    public static FeedScan none() {
        Fingerprints nothing = new Fingerprints();
        nothing.finish(false);
        return new FeedScan(nothing, null);
    }

    /**
     * Waits for the end of the scan, then asks {@code known} about each fingerprinted element in document order: the
     * elements it claims are left out of what {@link #withoutClaimed} reads (a run of them, one skip). Nothing is
     * claimed when the scan did not follow the document to its end.
     */
    public void claim(FeedScanner.Known known) {
        if (!found.complete()) {
            return;
        }
        int elements = found.count();
        long[] ranges = new long[64];
        int n = 0;
        for (int e = 0; e < elements; e++) {
            Long fingerprint = found.get(e);
            if (fingerprint == null || !known.claim(fingerprint)) {
                continue;
            }
            claimed.set(e);
            if (e > 0 && claimed.get(e - 1) && scanner.adjacent(e)) {
                ranges[n - 1] = scanner.end(e);
                continue;
            }
            if (n + 2 > ranges.length) {
                ranges = Arrays.copyOf(ranges, ranges.length * 2);
            }
            ranges[n++] = scanner.start(e);
            ranges[n++] = scanner.end(e);
        }
        skips = Arrays.copyOf(ranges, n);
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
