package io.eventsearch.ingestion.feed;

/** Thrown inside the validator to leave a record out; never escapes the parser. Stackless: it is control flow. */
final class Invalid extends Exception {

    final SkipReason reason;

    Invalid(SkipReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }
}
