package io.eventsearch.support;

import java.net.URI;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * A local HTTP provider that misbehaves on command: each request takes the next scripted {@link Answer}, or the
 * default one. Answers cover what real providers do: slow headers, trickled bodies, bodies cut mid-document,
 * wrong content types, error statuses with empty bodies.
 */
public final class ProviderStub implements AutoCloseable {

    /** How one request is answered. */
    public record Answer(int status, byte[] body, String contentType, long headerDelayMillis, long trickleMillisPerChunk,
            int chunkSize, boolean cut, String etag) {

        public static Answer ok(byte[] body) {
            return new Answer(200, body, "application/xml", 0, 0, 0, false, null);
        }

        public static Answer status(int status) {
            return new Answer(status, new byte[0], null, 0, 0, 0, false, null);
        }

        public Answer delayHeaders(long millis) {
            return new Answer(status, body, contentType, millis, trickleMillisPerChunk, chunkSize, cut, etag);
        }

        public Answer trickle(int chunk, long millisPerChunk) {
            return new Answer(status, body, contentType, headerDelayMillis, millisPerChunk, chunk, cut, etag);
        }

        public Answer cutHalfway() {
            return new Answer(status, body, contentType, headerDelayMillis, trickleMillisPerChunk, chunkSize, true, etag);
        }

        public Answer contentType(String type) {
            return new Answer(status, body, type, headerDelayMillis, trickleMillisPerChunk, chunkSize, cut, etag);
        }

        public Answer etag(String value) {
            return new Answer(status, body, contentType, headerDelayMillis, trickleMillisPerChunk, chunkSize, cut, value);
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> ifNoneMatch = new ConcurrentLinkedQueue<>();
    private volatile Answer fallback = Answer.status(404);

    public ProviderStub() {
        try {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.actualPort() + "/feed");
    }

    /** Answers used in order, one per request, before falling back to {@link #always}. */
    public ProviderStub then(Answer answer) {
        script.add(answer);
        return this;
    }

    public ProviderStub always(Answer answer) {
        script.clear();
        fallback = answer;
        return this;
    }

    public int requests() {
        return requests.get();
    }

    /** The If-None-Match headers received, in order (empty string for none). */
    public java.util.List<String> ifNoneMatchHeaders() {
        return java.util.List.copyOf(ifNoneMatch);
    }

    private void handle(HttpServerRequest request) {
        requests.incrementAndGet();
        String inm = request.getHeader("If-None-Match");
        ifNoneMatch.add(inm == null ? "" : inm);
        Answer answer = script.poll();
        if (answer == null) {
            answer = fallback;
        }
        Answer a = answer;
        if (a.etag() != null && a.etag().equals(inm)) {
            request.response().setStatusCode(304).end();
            return;
        }
        if (a.headerDelayMillis() > 0) {
            vertx.setTimer(a.headerDelayMillis(), id -> respond(request, a));
        } else {
            respond(request, a);
        }
    }

    private void respond(HttpServerRequest request, Answer a) {
        var response = request.response().setStatusCode(a.status());
        if (a.contentType() != null) {
            response.putHeader("Content-Type", a.contentType());
        }
        if (a.etag() != null) {
            response.putHeader("ETag", a.etag());
        }
        byte[] body = a.body();
        int length = a.cut() ? body.length / 2 : body.length;
        if (a.cut()) {
            // Announce the whole body, send half, then drop the connection: a transfer cut mid-document.
            response.putHeader("Content-Length", Integer.toString(body.length));
            response.write(Buffer.buffer(java.util.Arrays.copyOf(body, length)));
            vertx.setTimer(50, id -> request.connection().close());
            return;
        }
        if (a.trickleMillisPerChunk() <= 0) {
            response.end(Buffer.buffer(body));
            return;
        }
        response.setChunked(true);
        trickle(request, body, 0, a);
    }

    private void trickle(HttpServerRequest request, byte[] body, int from, Answer a) {
        if (request.response().closed()) {
            return;
        }
        if (from >= body.length) {
            request.response().end();
            return;
        }
        int to = Math.min(body.length, from + Math.max(1, a.chunkSize()));
        request.response().write(Buffer.buffer(java.util.Arrays.copyOfRange(body, from, to)));
        vertx.setTimer(a.trickleMillisPerChunk(), id -> trickle(request, body, to, a));
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
