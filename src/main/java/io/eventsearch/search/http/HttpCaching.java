package io.eventsearch.search.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.search.SearchService;
import io.eventsearch.search.cache.SearchCache;
import io.eventsearch.storage.CatalogueVersion;
import io.eventsearch.storage.DataVersion;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * HTTP caching of search answers for a CDN (and browsers) in front: a strong {@code ETag} made of the database
 * epoch, the data version the answer shows and a hash of the normalised query; {@code Last-Modified} and
 * {@code X-Data-Synced-At} from the time of that version's sync; {@code Cache-Control} from configuration. A
 * conditional request whose validator matches the current version is answered 304 before any cache or database
 * work.
 */
@ApplicationScoped
public class HttpCaching {

    public static final String SYNCED_AT = "X-Data-Synced-At";
    // header names made once: Netty compares and writes them without encoding them again per response
    private static final CharSequence SYNCED_AT_HEADER = HttpHeaders.createOptimized(SYNCED_AT);
    private static final CharSequence ETAG = HttpHeaders.createOptimized("ETag");
    private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("Cache-Control");
    private static final CharSequence LAST_MODIFIED = HttpHeaders.createOptimized("Last-Modified");
    private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("Content-Type");
    private static final CharSequence IF_NONE_MATCH = HttpHeaders.createOptimized("If-None-Match");
    private static final CharSequence IF_MODIFIED_SINCE = HttpHeaders.createOptimized("If-Modified-Since");
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    /** For answers read from an older snapshot (a lagging replica): a CDN may keep them but must ask again. */
    static final String REVALIDATE = "public, no-cache";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final CatalogueVersion catalogue;
    private final java.util.function.Supplier<DataVersion> serving;
    private final String cacheControl;
    /** Header values of the last version answered: rendered once per version, not per request. */
    private volatile Stamp stamp = new Stamp(new DataVersion(-1, Instant.EPOCH));

    public HttpCaching(CatalogueVersion catalogue, SearchService search, EventSearchConfig config) {
        this.catalogue = catalogue;
        // a 304 says "the body you have is what I would answer": compare with the version answers show here
        this.serving = search::servingVersion;
        this.cacheControl = cacheControl(config.search().http());
    }

    static String cacheControl(EventSearchConfig.Search.Http http) {
        StringBuilder value = new StringBuilder("public, max-age=").append(http.maxAge().toSeconds());
        if (!http.staleWhileRevalidate().isZero()) {
            value.append(", stale-while-revalidate=").append(http.staleWhileRevalidate().toSeconds());
        }
        if (!http.staleIfError().isZero()) {
            value.append(", stale-if-error=").append(http.staleIfError().toSeconds());
        }
        return value.toString();
    }

    /**
     * Answers 304 when the request's {@code If-None-Match} (or, without one, {@code If-Modified-Since}) matches
     * what the current data version would answer, and says so; false (nothing written) otherwise.
     */
    public boolean notModified(HttpServerRequest request, HttpServerResponse response, long queryHash) {
        String ifNoneMatch = request.getHeader(IF_NONE_MATCH);
        String ifModifiedSince = ifNoneMatch == null ? request.getHeader(IF_MODIFIED_SINCE) : null;
        if (ifNoneMatch == null && ifModifiedSince == null) {
            return false;
        }
        DataVersion current = serving.get();
        String etag = etag(current, queryHash);
        boolean match = ifNoneMatch != null ? matches(ifNoneMatch, etag) : notModifiedSince(ifModifiedSince, current);
        if (!match) {
            return false;
        }
        Stamp headers = stamp(current);
        response.setStatusCode(304)
                .putHeader(ETAG, etag)
                .putHeader(CACHE_CONTROL, cacheControl)
                .putHeader(LAST_MODIFIED, headers.lastModified)
                .putHeader(SYNCED_AT_HEADER, headers.syncedAt)
                .end();
        return true;
    }

    /** The headers of a 200 answer: its validators and freshness. */
    public void stamp(HttpServerResponse response, SearchCache.Loaded answer, long queryHash) {
        Stamp headers = stamp(answer.version());
        response.putHeader(CONTENT_TYPE, JSON)
                .putHeader(ETAG, etag(answer.version(), queryHash))
                .putHeader(CACHE_CONTROL, answer.cacheable() ? cacheControl : REVALIDATE)
                .putHeader(LAST_MODIFIED, headers.lastModified)
                .putHeader(SYNCED_AT_HEADER, headers.syncedAt);
    }

    String etag(DataVersion version, long queryHash) {
        return "\"" + catalogue.epoch() + '-' + version.version() + '-' + Long.toHexString(queryHash) + '"';
    }

    /** If-None-Match: {@code *} or a list of entity tags, compared weakly as RFC 9110 asks for this header. */
    static boolean matches(String header, String etag) {
        if (header.trim().equals("*")) {
            return true;
        }
        int from = 0;
        while (from < header.length()) {
            int comma = header.indexOf(',', from);
            int to = comma < 0 ? header.length() : comma;
            String candidate = header.substring(from, to).trim();
            if (candidate.startsWith("W/")) {
                candidate = candidate.substring(2);
            }
            if (candidate.equals(etag)) {
                return true;
            }
            from = to + 1;
        }
        return false;
    }

    private static boolean notModifiedSince(String header, DataVersion current) {
        try {
            Instant since = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return current.changedAt().getEpochSecond() <= since.getEpochSecond();
        } catch (DateTimeParseException e) {
            return false; // an unreadable date is ignored, as RFC 9110 says
        }
    }

    private Stamp stamp(DataVersion version) {
        Stamp current = stamp;
        if (current.version.version() == version.version() && current.version.changedAt().equals(version.changedAt())) {
            return current;
        }
        Stamp next = new Stamp(version);
        stamp = next;
        return next;
    }

    /** Header values of one data version. */
    private static final class Stamp {
        final DataVersion version;
        final String lastModified;
        final String syncedAt;

        Stamp(DataVersion version) {
            this.version = version;
            this.lastModified = HTTP_DATE.format(version.changedAt());
            this.syncedAt = version.changedAt().toString();
        }
    }
}
