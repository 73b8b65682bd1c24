package io.eventsearch.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A feed body on local disk (spooled from HTTP, or the provider's own file), its SHA-256 and the validators the
 * provider sent. {@code notModified} means the provider answered 304 and there is no body.
 */
public record FeedDownload(
        Path file,
        boolean temporary,
        long bytes,
        String sha256,
        int httpStatus,
        String etag,
        String lastModified,
        boolean notModified,
        int attempts) {

    static FeedDownload notModified(int attempts) {
        return new FeedDownload(null, false, 0, null, 304, null, null, true, attempts);
    }

    FeedDownload withAttempts(int count) {
        return new FeedDownload(file, temporary, bytes, sha256, httpStatus, etag, lastModified, notModified, count);
    }

    /** Removes a spooled body; the provider's own files are never touched. */
    public void discard() {
        if (temporary && file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless; the spool directory is temporary space
            }
        }
    }
}
