package io.eventsearch.catalogue;

import java.math.BigDecimal;

/** A priced area of a plan. */
public record Zone(String zoneId, String name, int capacity, BigDecimal price, boolean numbered) {
}
