package io.eventsearch.search.cache;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/** A search answer's body in a form the server writes without an intermediate copy. */
public sealed interface ResponseBody {

    int size();

    /**
     * Held off-heap, read-only, and written as is by every answer that sends it: Vert.x writes a slice of it (its
     * own indices, never released), so many responses share one copy. The memory is the JDK's direct buffer,
     * freed by the garbage collector once the cached answer is gone.
     */
    final class Shared implements ResponseBody {
        private final Buffer buffer;

        private Shared(Buffer buffer) {
            this.buffer = buffer;
        }

        static Shared of(byte[] bytes) {
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            return new Shared(Buffer.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct).asReadOnly())));
        }

        public Buffer buffer() {
            return buffer;
        }

        @Override
        public int size() {
            return buffer.length();
        }
    }

    /**
     * Made for one response: its size, how to write it into a buffer, and the buffer to hand to the socket (for the
     * read model's answers, mostly its own bytes, not a copy; Netty releases it once written).
     */
    record Composed(int size, Consumer<ByteBuf> writer, Supplier<ByteBuf> socketBuffer) implements ResponseBody {

        public void writeTo(ByteBuf out) {
            writer.accept(out);
        }

        /** The buffer to hand to the socket, which releases it once written. */
        public ByteBuf buffer() {
            ByteBuf out = socketBuffer.get();
            if (out.readableBytes() != size) {
                out.release();
                throw new IllegalStateException("an answer of " + size + " bytes made " + out.readableBytes());
            }
            return out;
        }

        public byte[] bytes() {
            byte[] out = new byte[size];
            ByteBuf buf = Unpooled.wrappedBuffer(out).clear();
            writer.accept(buf);
            if (buf.writerIndex() != size) {
                throw new IllegalStateException("an answer of " + size + " bytes wrote " + buf.writerIndex());
            }
            return out;
        }
    }
}
