package io.eventsearch.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.ExecutorService;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.common.Digests;
import io.smallrye.mutiny.Uni;

/**
 * Feeds at {@code file:} URLs: read in place (never copied, never deleted), sized and hashed on an ingestion
 * thread (blocking file I/O).
 */
@ApplicationScoped
public class FeedFile {

    private final ExecutorService blocking;

    public FeedFile(IngestionExecutor executor) {
        this.blocking = executor.service();
    }

    /** The provider's file as a download: its size and SHA-256, or a {@link FeedFetchException}. */
    public Uni<FeedDownload> read(ProviderSettings provider) {
        return Uni.createFrom().item(() -> readNow(provider)).runSubscriptionOn(blocking);
    }

    private static FeedDownload readNow(ProviderSettings provider) {
        Path file = Paths.get(provider.url());
        try {
            long size = Files.size(file);
            if (size > provider.maxFeedBytes()) {
                throw FeedFetchException.tooLarge(provider.maxFeedBytes());
            }
            Digests.FileDigest hashed = Digests.sha256(file);
            return new FeedDownload(file, false, hashed.bytes(), hashed.sha256Hex(), 200, null, null, false, 1);
        } catch (NoSuchFileException e) {
            throw new FeedFetchException("file_not_found", "no such feed file: " + file, null, true);
        } catch (IOException e) {
            throw new FeedFetchException("io_error", e.getMessage(), null, true);
        }
    }
}
