package io.eventsearch.search.api;

/** A request the contract calls malformed: answered with 400 and the error envelope. */
public class InvalidQueryException extends RuntimeException {

    private final String code;

    public InvalidQueryException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
