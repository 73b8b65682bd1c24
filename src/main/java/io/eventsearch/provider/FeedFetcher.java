package io.eventsearch.provider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.smallrye.mutiny.Uni;
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

/**
 * Downloads one feed attempt without blocking the event loop: Vert.x HTTP client, body streamed to a spool file
 * with back-pressure while its SHA-256 and size are computed. The download stops at the configured maximum size,
 * and a connect timeout, an idle timeout and a total timeout bound it. Retries and the circuit breaker live in
 * {@link ProviderGuards}; this class does one attempt.
 */
@ApplicationScoped
public class FeedFetcher {

    private static final Logger LOG = Logger.getLogger(FeedFetcher.class);

    private final Vertx vertx;
    private final HttpClient client;
    private final Path spoolDirectory;
    private final ExecutorService blocking;

    public FeedFetcher(Vertx vertx, EventSearchConfig config, IngestionExecutor executor) {
        this.vertx = vertx;
        this.blocking = executor.service();
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(32)
                .setTryUseCompression(true)
                .setName("provider-feeds"));
        this.spoolDirectory = Paths.get(config.ingestion().spoolDirectory().orElse(System.getProperty("java.io.tmpdir")));
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
            return Uni.createFrom().item(() -> readLocalFile(provider)).runSubscriptionOn(blocking);
        }
        return Uni.createFrom().emitter(emitter -> new HttpAttempt(provider, etag, lastModified, emitter).start());
    }

    private FeedDownload readLocalFile(ProviderSettings provider) {
        Path file = Paths.get(provider.url());
        try {
            long size = Files.size(file);
            if (size > provider.maxFeedBytes()) {
                throw FeedFetchException.tooLarge(provider.maxFeedBytes());
            }
            MessageDigest digest = sha256();
            byte[] chunk = new byte[64 * 1024];
            long total = 0;
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    digest.update(chunk, 0, n);
                    total += n;
                }
            }
            return new FeedDownload(file, false, total, HexFormat.of().formatHex(digest.digest()), 200, null, null, false, 1);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new FeedFetchException("file_not_found", "no such feed file: " + file, null, true);
        } catch (IOException e) {
            throw new FeedFetchException("io_error", e.getMessage(), null, true);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Accepts XML, and the generic types some providers send XML under; refuses HTML, JSON and the like. */
    static boolean acceptableContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.contains("xml") || type.startsWith("application/octet-stream") || type.startsWith("text/plain");
    }

    /** The state of one HTTP attempt; every path ends in exactly one emitter call and no leftover file. */
    private final class HttpAttempt {
        private final ProviderSettings provider;
        private final String etag;
        private final String lastModified;
        private final io.smallrye.mutiny.subscription.UniEmitter<? super FeedDownload> emitter;
        private final AtomicBoolean done = new AtomicBoolean();
        private final MessageDigest digest = sha256();
        private long bytes;
        private long totalTimer = -1;
        private HttpClientRequest request;
        private AsyncFile file;
        private Path path;

        HttpAttempt(ProviderSettings provider, String etag, String lastModified,
                io.smallrye.mutiny.subscription.UniEmitter<? super FeedDownload> emitter) {
            this.provider = provider;
            this.etag = etag;
            this.lastModified = lastModified;
            this.emitter = emitter;
        }

        void start() {
            emitter.onTermination(() -> {
                if (done.compareAndSet(false, true)) {
                    // cancelled from outside (shutdown): stop the download
                    abort();
                }
            });
            totalTimer = vertx.setTimer(provider.timeout().toMillis(),
                    id -> fail(FeedFetchException.timeout("no complete answer within " + provider.timeout())));
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
            client.request(options)
                    .onFailure(e -> fail(FeedFetchException.connection(e)))
                    .onSuccess(req -> {
                        request = req;
                        if (done.get()) {
                            req.reset();
                            return;
                        }
                        req.send().onSuccess(this::response).onFailure(this::transportFailure);
                    });
        }

        private void transportFailure(Throwable e) {
            String message = String.valueOf(e.getMessage());
            if (e instanceof java.util.concurrent.TimeoutException || message.toLowerCase(Locale.ROOT).contains("timeout")) {
                fail(FeedFetchException.timeout(message));
            } else {
                fail(FeedFetchException.connection(e));
            }
        }

        private void response(HttpClientResponse response) {
            int status = response.statusCode();
            if (status == 304) {
                response.end();
                succeed(FeedDownload.notModified(1));
                return;
            }
            if (status != 200) {
                response.end();
                fail(FeedFetchException.status(status));
                return;
            }
            String contentType = response.getHeader(HttpHeaders.CONTENT_TYPE);
            if (!acceptableContentType(contentType)) {
                fail(new FeedFetchException("unexpected_content_type", "provider sent " + contentType, 200, false));
                return;
            }
            String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null && parseLong(declared) > provider.maxFeedBytes()) {
                fail(FeedFetchException.tooLarge(provider.maxFeedBytes()));
                return;
            }
            response.pause();
            String responseEtag = response.getHeader(HttpHeaders.ETAG);
            String responseLastModified = response.getHeader(HttpHeaders.LAST_MODIFIED);
            openSpool().onFailure(e -> fail(new FeedFetchException("spool_failed", e.getMessage(), null, true)))
                    .onSuccess(opened -> {
                        file = opened;
                        if (done.get()) {
                            abort();
                            return;
                        }
                        response.exceptionHandler(this::transportFailure);
                        response.handler(buffer -> chunk(response, buffer));
                        response.endHandler(v -> file.end().onComplete(ended -> {
                            if (ended.failed()) {
                                fail(new FeedFetchException("spool_failed", ended.cause().getMessage(), null, true));
                            } else {
                                succeed(new FeedDownload(path, true, bytes, HexFormat.of().formatHex(digest.digest()), 200,
                                        responseEtag, responseLastModified, false, 1));
                            }
                        }));
                        response.resume();
                    });
        }

        private void chunk(HttpClientResponse response, Buffer buffer) {
            if (done.get()) {
                return;
            }
            bytes += buffer.length();
            if (bytes > provider.maxFeedBytes()) {
                fail(FeedFetchException.tooLarge(provider.maxFeedBytes()));
                return;
            }
            digest.update(buffer.getBytes());
            file.write(buffer);
            if (file.writeQueueFull()) {
                response.pause();
                file.drainHandler(v -> response.resume());
            }
        }

        private io.vertx.core.Future<AsyncFile> openSpool() {
            return vertx.fileSystem()
                    .createTempFile(spoolDirectory.toString(), "feed-" + provider.name() + "-", ".xml", (String) null)
                    .compose(created -> {
                        path = Paths.get(created);
                        return vertx.fileSystem().open(created, new OpenOptions().setWrite(true).setTruncateExisting(true));
                    });
        }

        private void succeed(FeedDownload download) {
            if (done.compareAndSet(false, true)) {
                vertx.cancelTimer(totalTimer);
                emitter.complete(download);
            }
        }

        private void fail(FeedFetchException failure) {
            if (done.compareAndSet(false, true)) {
                vertx.cancelTimer(totalTimer);
                abort();
                LOG.debugf("provider %s: download failed: %s", provider.name(), failure.getMessage());
                emitter.fail(failure);
            }
        }

        /** Stops the transfer and removes the partial spool file. */
        private void abort() {
            if (request != null) {
                request.reset();
            }
            AsyncFile open = file;
            Path partial = path;
            if (open != null) {
                open.close().onComplete(closed -> deleteQuietly(partial));
            } else if (partial != null) {
                deleteQuietly(partial);
            }
        }

        private void deleteQuietly(Path partial) {
            if (partial != null) {
                vertx.fileSystem().delete(partial.toString());
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
}
