package io.eventsearch.provider;

/** A download that did not produce a feed. {@code reason} is a stable code for sync runs and metrics. */
public class FeedFetchException extends RuntimeException {

    private final String reason;
    private final Integer httpStatus;
    private final boolean retryable;
    private int attempts;

    public FeedFetchException(String reason, String message, Integer httpStatus, boolean retryable) {
        super(message, null, false, false);
        this.reason = reason;
        this.httpStatus = httpStatus;
        this.retryable = retryable;
    }

    public String reason() {
        return reason;
    }

    public Integer httpStatus() {
        return httpStatus;
    }

    /** Worth another attempt: the provider may answer next time (5xx, 429, timeouts, refused connections). */
    public boolean retryable() {
        return retryable;
    }

    public int attempts() {
        return attempts;
    }

    FeedFetchException attempts(int count) {
        this.attempts = count;
        return this;
    }

    static FeedFetchException status(int status) {
        boolean retry = status >= 500 || status == 429 || status == 408;
        return new FeedFetchException("http_" + status, "provider answered HTTP " + status, status, retry);
    }

    static FeedFetchException timeout(String what) {
        return new FeedFetchException("timeout", what, null, true);
    }

    static FeedFetchException connection(Throwable cause) {
        return new FeedFetchException("connection_failed", String.valueOf(cause.getMessage()), null, true);
    }

    static FeedFetchException tooLarge(long max) {
        return new FeedFetchException("feed_too_large", "feed is larger than the configured maximum of " + max + " bytes",
                null, false);
    }
}
