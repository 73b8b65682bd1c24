package io.eventsearch.search.api;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.vertx.core.MultiMap;

/**
 * A {@code GET /v2/search} request: the v1 window plus a page ({@code limit}, {@code cursor}) and optional filters
 * ({@code provider}, {@code min_price}/{@code max_price} bounds on the returned prices) and {@code include=zones}.
 * Every parameter is given at most once; the window must not be longer than the configured maximum.
 */
public record PageQuery(SearchWindow window, int limit, Cursor cursor, String provider, BigDecimal minPrice,
        BigDecimal maxPrice, boolean zones, int filterHash) {

    private static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern PRICE = Pattern.compile("\\d{1,10}(\\.\\d{1,2})?");

    public static PageQuery parse(MultiMap params, Duration maxWindow, int defaultLimit, int maxLimit) {
        SearchWindow window = SearchWindow.parse(params.getAll("starts_at"), params.getAll("ends_at"))
                .requireClosedAndAtMost(maxWindow);
        String rawLimit = single(params, "limit");
        int limit = defaultLimit;
        if (rawLimit != null) {
            limit = !rawLimit.isEmpty() && rawLimit.length() <= 6 && rawLimit.chars().allMatch(Character::isDigit) ? Integer.parseInt(rawLimit) : -1;
            if (limit < 1 || limit > maxLimit) {
                throw invalid("limit must be a whole number from 1 to " + maxLimit + ", got '" + rawLimit + "'");
            }
        }
        String provider = single(params, "provider");
        if (provider != null && !PROVIDER.matcher(provider).matches()) {
            throw invalid("provider must be a provider name ([a-z0-9_-], up to 63 characters)");
        }
        BigDecimal minPrice = price(params, "min_price");
        BigDecimal maxPrice = price(params, "max_price");
        if (minPrice != null && maxPrice != null && minPrice.compareTo(maxPrice) > 0) {
            throw new InvalidQueryException(ApiError.INVALID_RANGE, "min_price must not be above max_price");
        }
        String include = single(params, "include");
        if (include != null && !include.equals("zones")) {
            throw invalid("include accepts 'zones' only");
        }
        int filterHash = (int) QueryHash.of(window.key(), filters(provider, minPrice, maxPrice));
        String rawCursor = single(params, "cursor");
        Cursor cursor = rawCursor == null ? null : Cursor.decode(rawCursor, filterHash);
        return new PageQuery(window, limit, cursor, provider, minPrice, maxPrice, include != null, filterHash);
    }

    /** Normalised form for cache keys and ETags: equal queries, whatever their spelling, share one key. */
    public String key() {
        return window.key() + '|' + filters(provider, minPrice, maxPrice) + '|' + (zones ? 'z' : '-') + '|' + limit + '|'
                + (cursor == null ? "-" : cursor.key());
    }

    private static String filters(String provider, BigDecimal minPrice, BigDecimal maxPrice) {
        return (provider == null ? "-" : provider) + '|' + (minPrice == null ? "-" : minPrice.toPlainString()) + '|'
                + (maxPrice == null ? "-" : maxPrice.toPlainString());
    }

    private static BigDecimal price(MultiMap params, String name) {
        String raw = single(params, name);
        if (raw == null) {
            return null;
        }
        if (!PRICE.matcher(raw).matches()) {
            throw invalid(name + " must be a non-negative amount with at most two decimals, such as 25 or 25.50");
        }
        return new BigDecimal(raw).stripTrailingZeros();
    }

    private static String single(MultiMap params, String name) {
        List<String> values = params.getAll(name);
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new InvalidQueryException(ApiError.REPEATED_PARAMETER, name + " must be given at most once");
        }
        return values.get(0);
    }

    private static InvalidQueryException invalid(String message) {
        return new InvalidQueryException(ApiError.INVALID_PARAMETER, message);
    }
}
