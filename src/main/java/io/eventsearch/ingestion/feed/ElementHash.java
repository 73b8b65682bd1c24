package io.eventsearch.ingestion.feed;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A fast 64-bit hash of byte ranges, chained range after range (the seed of each is the hash so far), for
 * fingerprinting feed elements: eight bytes a step, MurmurHash3's mixing. Not cryptographic: a provider that
 * crafted a collision would only keep its own changed element from being read.
 */
final class ElementHash {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private ElementHash() {
    }

    /** The hash of {@code b[from, to)} continuing from {@code seed}. */
    static long hash(byte[] b, int from, int to, long seed) {
        long h = seed ^ ((to - from) * C2);
        int i = from;
        for (; i + 8 <= to; i += 8) {
            h = step(h, (long) LONGS.get(b, i));
        }
        long tail = 0;
        for (int shift = 0; i < to; i++, shift += 8) {
            tail |= (b[i] & 0xffL) << shift;
        }
        return step(h, tail);
    }

    private static long step(long h, long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        k *= C2;
        h ^= k;
        h = Long.rotateLeft(h, 27);
        return h * 5 + 0x52dce729;
    }

    /** MurmurHash3's finalizer: every input bit reaches every output bit. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
