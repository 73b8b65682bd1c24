package io.eventsearch.ingestion;

import java.util.EnumMap;
import java.util.Map;

import io.eventsearch.ingestion.feed.SkipReason;

/**
 * The records one base plan element had skipped, by reason, with the first one's detail: kept with its base plan so
 * that when the element comes again unchanged (and is not read) the sync still counts and reports them. Stored as
 * text, one line per reason: {@code code TAB count TAB detail}.
 */
final class ElementSkips {

    private static final int MAX_DETAIL = 300;

    private final EnumMap<SkipReason, Integer> counts = new EnumMap<>(SkipReason.class);
    private final EnumMap<SkipReason, String> details = new EnumMap<>(SkipReason.class);

    void add(SkipReason reason, String detail) {
        if (counts.merge(reason, 1, Integer::sum) == 1) {
            details.put(reason, detail);
        }
    }

    void clear() {
        counts.clear();
        details.clear();
    }

    /** The text stored, or null when nothing was skipped. */
    String encode() {
        if (counts.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<SkipReason, Integer> e : counts.entrySet()) {
            String detail = String.valueOf(details.get(e.getKey())).replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
            if (detail.length() > MAX_DETAIL) {
                detail = detail.substring(0, MAX_DETAIL) + "...";
            }
            out.append(e.getKey().code()).append('\t').append(e.getValue()).append('\t').append(detail).append('\n');
        }
        return out.toString();
    }

    /** Adds what {@code text} (from {@link #encode}) records to the sync's tally. */
    static void replay(String text, SkipTally tally) {
        for (String line : text.split("\n")) {
            String[] parts = line.split("\t", 3);
            if (parts.length < 3) {
                continue;
            }
            SkipReason reason = reason(parts[0]);
            if (reason != null) {
                tally.add(reason, Long.parseLong(parts[1]), parts[2] + " (unchanged since the last feed)");
            }
        }
    }

    private static SkipReason reason(String code) {
        for (SkipReason reason : SkipReason.values()) {
            if (reason.code().equals(code)) {
                return reason;
            }
        }
        return null;
    }
}
