package io.eventsearch.search.http;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

import io.eventsearch.search.cache.ResponseBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.quarkus.vertx.utils.NoBoundChecksBuffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes a {@link ResponseBody} straight to the Vert.x response. RESTEasy's writers for {@code byte[]} and
 * {@code Buffer} copy the body into a new buffer; here a shared body is written as is (the socket reads the
 * shared off-heap bytes) and a composed one is written once, into pooled pieces that Netty releases after the
 * write, as RESTEasy's own writer does with its copy.
 * <p>
 * Pieces, not one buffer: Netty pools buffers up to its chunk size only (64 KiB under Quarkus' default
 * {@code io.netty.allocator.maxOrder}); a larger one is a fresh, zeroed direct allocation per response. A body of
 * {@value #PIECE}-byte pieces always comes from the pool (and from the event loop's own cache), and the socket
 * gathers them in one write.
 */
@Provider
@Produces(MediaType.APPLICATION_JSON)
public class ResponseBodyWriter implements ServerMessageBodyWriter<ResponseBody> {

    static final int PIECE = 32 * 1024;
    private static final PooledByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target, MediaType mediaType) {
        return ResponseBody.class.isAssignableFrom(type);
    }

    @Override
    public void writeResponse(ResponseBody body, Type genericType, ServerRequestContext context) {
        HttpServerResponse response = context instanceof ResteasyReactiveRequestContext rest
                ? rest.serverRequest().unwrap(HttpServerResponse.class) : null;
        if (response == null) {
            context.serverResponse().end(bytes(body)); // not on Vert.x: the plain way
            return;
        }
        if (body instanceof ResponseBody.Shared shared) {
            response.end(shared.buffer(), null);
            return;
        }
        ResponseBody.Composed composed = (ResponseBody.Composed) body;
        ByteBuf out = pieces(composed.size());
        try {
            composed.writeTo(out);
            if (out.writerIndex() != composed.size()) {
                throw new IllegalStateException("an answer of " + composed.size() + " bytes wrote " + out.writerIndex());
            }
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        // the buffer itself (not a slice) goes to Netty, which releases it once written
        response.end(new NoBoundChecksBuffer(out), null);
    }

    /** Pieces of the pool's size read as one buffer of {@code size} bytes, empty (writer index 0). */
    static ByteBuf pieces(int size) {
        if (size <= PIECE) {
            return ALLOCATOR.directBuffer(size);
        }
        CompositeByteBuf out = ALLOCATOR.compositeDirectBuffer(Integer.MAX_VALUE);
        for (int left = size; left > 0; left -= PIECE) {
            int length = Math.min(PIECE, left);
            // a component counts with its readable bytes: its space is the composite's, written from index 0
            out.addComponent(false, ALLOCATOR.directBuffer(length).writerIndex(length));
        }
        return out;
    }

    private static byte[] bytes(ResponseBody body) {
        return body instanceof ResponseBody.Shared shared ? shared.buffer().getBytes()
                : ((ResponseBody.Composed) body).bytes();
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return ResponseBody.class.isAssignableFrom(type);
    }

    @Override
    public void writeTo(ResponseBody body, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> httpHeaders, OutputStream entityStream) throws IOException {
        entityStream.write(bytes(body));
    }
}
