package io.eventsearch.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.common.Digests;
import io.netty.channel.ConnectTimeoutException;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;

/**
 * Downloads one feed attempt without blocking the event loop: the Vert.x HTTP client's response piped
 * ({@code pipeTo}, with its back-pressure) to a spool file, its SHA-256 and size computed on the way. The download
 * stops at the configured maximum size; the client's connect and idle timeouts and Fault Tolerance's timeout for
 * the total time bound it. {@code file:} feeds are {@link FeedFile}'s. Retries and the circuit breaker live in
 * {@link ProviderGuards}; this class does one attempt.
 */
@ApplicationScoped
public class FeedFetcher {

    private static final Logger LOG = Logger.getLogger(FeedFetcher.class);
    private static final TypeLiteral<Uni<FeedDownload>> DOWNLOAD = new TypeLiteral<>() {
    };

    private final Vertx vertx;
    private final HttpClient client;
    private final Path spoolDirectory;
    private final FeedFile files;
    /** The total-time bound, by duration (providers share a guard when their timeouts are equal). */
    private final Map<Duration, TypedGuard<Uni<FeedDownload>>> totalTime = new ConcurrentHashMap<>();

    public FeedFetcher(Vertx vertx, EventSearchConfig config, FeedFile files) {
        this.vertx = vertx;
        this.files = files;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(32)
                .setTryUseCompression(true)
                .setName("provider-feeds"));
        this.spoolDirectory = config.ingestion().spoolPath();
        try {
            Files.createDirectories(spoolDirectory);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create spool directory " + spoolDirectory, e);
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** One attempt: a spooled body, a 304, or a {@link FeedFetchException}. */
    public Uni<FeedDownload> fetchOnce(ProviderSettings provider, String etag, String lastModified) {
        if (provider.isFile()) {
            return files.read(provider);
        }
        Download download = new Download(provider);
        return totalTime(provider.timeout()).get(() -> download.start(etag, lastModified))
                .onFailure(TimeoutException.class)
                .transform(e -> FeedFetchException.timeout("no complete answer within " + provider.timeout()))
                .onFailure(failure -> !(failure instanceof FeedFetchException)).transform(FeedFetchException::connection)
                .onFailure().invoke(failure -> {
                    download.abort();
                    LOG.debugf("provider %s: download failed: %s", provider.name(), failure.getMessage());
                })
                // cancelled from outside (shutdown): stop the download
                .onCancellation().invoke(download::abort);
    }

    private TypedGuard<Uni<FeedDownload>> totalTime(Duration timeout) {
        return totalTime.computeIfAbsent(timeout, duration -> TypedGuard.create(DOWNLOAD)
                .withDescription("feed download total time")
                .withTimeout().duration(duration.toMillis(), ChronoUnit.MILLIS).done()
                .build());
    }

    /** Accepts XML, and the generic types some providers send XML under; refuses HTML, JSON and the like. */
    static boolean acceptableContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.contains("xml") || type.startsWith("application/octet-stream") || type.startsWith("text/plain");
    }

    /** The client's own timeouts (connect, idle) as a typed failure; anything else as a connection failure. */
    static FeedFetchException transportFailure(Throwable failure) {
        if (failure instanceof FeedFetchException fetch) {
            return fetch;
        }
        if (failure instanceof java.util.concurrent.TimeoutException || failure instanceof ConnectTimeoutException) {
            return FeedFetchException.timeout(String.valueOf(failure.getMessage()));
        }
        return FeedFetchException.connection(failure);
    }

    /** What one attempt leaves to clean up when it does not end in a download: the request and the spool file. */
    private final class Download {
        private final ProviderSettings provider;
        private final AtomicBoolean aborted = new AtomicBoolean();
        private volatile HttpClientRequest request;
        private volatile HttpClientResponse response;
        private volatile Path path;

        Download(ProviderSettings provider) {
            this.provider = provider;
        }

        Uni<FeedDownload> start(String etag, String lastModified) {
            RequestOptions options = new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setAbsoluteURI(provider.url().toString())
                    .setFollowRedirects(true)
                    .setConnectTimeout(provider.connectTimeout().toMillis())
                    .setIdleTimeout(Math.max(1000, provider.timeout().toMillis() / 2))
                    .putHeader(HttpHeaders.ACCEPT, "application/xml, text/xml;q=0.9, */*;q=0.1")
                    .putHeader(HttpHeaders.USER_AGENT, "event-search/1.0");
            if (etag != null) {
                options.putHeader(HttpHeaders.IF_NONE_MATCH, etag);
            }
            if (lastModified != null) {
                options.putHeader(HttpHeaders.IF_MODIFIED_SINCE, lastModified);
            }
            Future<FeedDownload> download = client.request(options)
                    .recover(e -> Future.failedFuture(FeedFetchException.connection(e)))
                    .compose(req -> {
                        request = req;
                        if (aborted.get()) {
                            req.reset();
                            return Future.failedFuture(FeedFetchException.connection(new IllegalStateException("aborted")));
                        }
                        return req.send().recover(e -> Future.failedFuture(transportFailure(e)));
                    })
                    .compose(this::response);
            return Uni.createFrom().completionStage(download.toCompletionStage());
        }

        private Future<FeedDownload> response(HttpClientResponse response) {
            this.response = response;
            int status = response.statusCode();
            if (status == 304) {
                response.end();
                return Future.succeededFuture(FeedDownload.notModified(1));
            }
            if (status != 200) {
                response.end();
                return Future.failedFuture(FeedFetchException.status(status));
            }
            String contentType = response.getHeader(HttpHeaders.CONTENT_TYPE);
            if (!acceptableContentType(contentType)) {
                return Future.failedFuture(
                        new FeedFetchException("unexpected_content_type", "provider sent " + contentType, 200, false));
            }
            String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null && parseLong(declared) > provider.maxFeedBytes()) {
                return Future.failedFuture(FeedFetchException.tooLarge(provider.maxFeedBytes()));
            }
            response.pause();
            String etag = response.getHeader(HttpHeaders.ETAG);
            String lastModified = response.getHeader(HttpHeaders.LAST_MODIFIED);
            Metered body = new Metered(response, provider.maxFeedBytes());
            return openSpool()
                    .recover(e -> Future.failedFuture(new FeedFetchException("spool_failed", e.getMessage(), null, true)))
                    .compose(file -> body.pipeTo(file).transform(piped -> piped.succeeded()
                            ? Future.succeededFuture(new FeedDownload(path, true, body.bytes, body.hex(), 200, etag,
                                    lastModified, false, 1))
                            : Future.failedFuture(transportFailure(piped.cause()))));
        }

        private Future<AsyncFile> openSpool() {
            return vertx.fileSystem()
                    .createTempFile(spoolDirectory.toString(), "feed-" + provider.name() + "-", ".xml", (String) null)
                    .compose(created -> {
                        path = Paths.get(created);
                        if (aborted.get()) {
                            abort();
                            return Future.failedFuture(new FeedFetchException("spool_failed", "aborted", null, true));
                        }
                        return vertx.fileSystem().open(created, new OpenOptions().setWrite(true).setTruncateExisting(true));
                    });
        }

        /**
         * Stops the transfer and removes the spool file (the pipe has closed it, or closes it on the reset). Never
         * throws: it runs on the failure path, whose failure (a {@link FeedFetchException}) decides on a retry.
         */
        void abort() {
            aborted.set(true);
            HttpClientResponse receiving = response;
            HttpClientRequest sent = request;
            try {
                if (receiving != null) {
                    // the reset below fails the response too: expected, not worth Vert.x' error line
                    receiving.exceptionHandler(ignored -> {
                    });
                }
            } catch (IllegalStateException alreadyEnded) {
                // the response was read to its end: nothing of it to silence
            }
            try {
                if (sent != null) {
                    sent.reset();
                }
            } catch (RuntimeException alreadyClosed) {
                LOG.debugf("provider %s: reset of an ended request: %s", provider.name(), alreadyClosed);
            }
            Path spooled = path;
            if (spooled != null) {
                vertx.fileSystem().delete(spooled.toString());
            }
        }

        private long parseLong(String value) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** The response body as it goes by: counted, hashed, and failed with {@code feed_too_large} past the maximum. */
    private static final class Metered implements ReadStream<Buffer> {
        private final HttpClientResponse response;
        private final long max;
        private final MessageDigest digest = Digests.sha256();
        private volatile Handler<Throwable> exceptionHandler;
        long bytes;

        Metered(HttpClientResponse response, long max) {
            this.response = response;
            this.max = max;
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> handler) {
            if (handler == null) {
                response.handler(null);
                return this;
            }
            response.handler(buffer -> {
                bytes += buffer.length();
                if (bytes > max) {
                    response.handler(null);
                    response.pause();
                    Handler<Throwable> failed = exceptionHandler;
                    if (failed != null) {
                        failed.handle(FeedFetchException.tooLarge(max));
                    }
                    return;
                }
                digest.update(buffer.getBytes());
                handler.handle(buffer);
            });
            return this;
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            this.exceptionHandler = handler;
            response.exceptionHandler(handler);
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            response.pause();
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            response.resume();
            return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            response.fetch(amount);
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
            response.endHandler(endHandler);
            return this;
        }
    }
}
