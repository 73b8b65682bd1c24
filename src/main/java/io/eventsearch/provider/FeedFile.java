package io.eventsearch.provider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.HexFormat;
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
            MessageDigest digest = Digests.sha256();
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
        } catch (NoSuchFileException e) {
            throw new FeedFetchException("file_not_found", "no such feed file: " + file, null, true);
        } catch (IOException e) {
            throw new FeedFetchException("io_error", e.getMessage(), null, true);
        }
    }
}
