package io.eventsearch.catalogue;

import java.time.LocalDateTime;
import java.util.List;

/**
 * One date of a base plan ({@code plan} or {@code event}), validated and normalised. Local date-times are exactly
 * as the provider gave them; zones in feed order, repeated zone ids kept.
 */
public record Plan(
        String planId,
        LocalDateTime start,
        LocalDateTime end,
        LocalDateTime sellFrom,
        LocalDateTime sellTo,
        boolean soldOut,
        List<Zone> zones,
        long contentHash) {
}
