package io.eventsearch.ingestion;

import java.util.EnumMap;
import java.util.Map;

import org.jboss.logging.Logger;

import io.eventsearch.ingestion.feed.SkipReason;

/** Counts skipped records by reason for one sync, and logs the first of each reason only. */
final class SkipTally {

    private static final Logger LOG = Logger.getLogger(SkipTally.class);

    private final String provider;
    private final EnumMap<SkipReason, Long> counts = new EnumMap<>(SkipReason.class);

    SkipTally(String provider) {
        this.provider = provider;
    }

    void add(SkipReason reason, String detail) {
        add(reason, 1, detail);
    }

    void add(SkipReason reason, long count, String detail) {
        if (count <= 0) {
            return;
        }
        Long before = counts.merge(reason, count, Long::sum) - count;
        if (before == 0) {
            LOG.warnf("provider %s: skipped a record (%s): %s; further ones for this reason in this sync are only counted",
                    provider, reason.code(), detail);
        }
    }

    Map<SkipReason, Long> counts() {
        return counts;
    }

    long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
