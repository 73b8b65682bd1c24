package io.eventsearch.search.json;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.UUID;

/** One plan as the contract's EventSummary shows it; local date-times as the provider gave them. */
public record EventSummary(UUID id, String title, LocalDateTime start, LocalDateTime end, BigDecimal minPrice,
        BigDecimal maxPrice) {
}
