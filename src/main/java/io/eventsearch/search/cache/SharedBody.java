package io.eventsearch.search.cache;

import java.nio.ByteBuffer;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * A response body held off-heap, read-only, and written as is by every answer that sends it: Vert.x writes a slice
 * of it (its own indices, never released), so many responses share one copy. The memory is the JDK's direct
 * buffer, freed by the garbage collector once the cached answer is gone.
 */
public final class SharedBody {

    private final Buffer buffer;

    private SharedBody(Buffer buffer) {
        this.buffer = buffer;
    }

    static SharedBody of(byte[] bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return new SharedBody(Buffer.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct).asReadOnly())));
    }

    public Buffer buffer() {
        return buffer;
    }

    public int length() {
        return buffer.length();
    }
}
