package io.eventsearch.common;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Response bodies in pooled pieces. Netty pools direct buffers up to its chunk size only (64 KiB under Quarkus' default
 * {@code io.netty.allocator.maxOrder}); a larger one is a fresh, zeroed direct allocation each time. Pieces of
 * {@value #PIECE} bytes always come from the pool (and from the event loop's own cache), and a socket gathers them in
 * one write. Whoever writes the buffer to Netty hands it over: Netty releases it once written.
 */
public final class PooledPieces {

    public static final int PIECE = 32 * 1024;
    private static final PooledByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    private PooledPieces() {
    }

    /** An empty buffer with room for exactly {@code size} bytes, written from index 0. */
    public static ByteBuf of(int size) {
        if (size <= PIECE) {
            return ALLOCATOR.directBuffer(size, size);
        }
        CompositeByteBuf out = ALLOCATOR.compositeDirectBuffer(Integer.MAX_VALUE);
        for (int left = size; left > 0; left -= PIECE) {
            int length = Math.min(PIECE, left);
            // a component counts with its readable bytes: its space is the composite's, written from index 0
            out.addComponent(false, ALLOCATOR.directBuffer(length).writerIndex(length));
        }
        return out;
    }

    /** One piece to copy short runs of bytes into. */
    public static ByteBuf piece() {
        return ALLOCATOR.directBuffer(PIECE, PIECE);
    }
}
