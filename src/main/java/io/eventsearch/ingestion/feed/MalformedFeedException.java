package io.eventsearch.ingestion.feed;

/** The feed as a whole cannot be trusted (not XML, truncated, hostile, unknown format): nothing of it is applied. */
public class MalformedFeedException extends Exception {

    public MalformedFeedException(String message) {
        super(message);
    }

    public MalformedFeedException(String message, Throwable cause) {
        super(message, cause);
    }
}
