package io.eventsearch.search.http;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.eventsearch.search.SearchService;
import io.eventsearch.search.api.ApiError;
import io.eventsearch.search.api.InvalidQueryException;
import io.eventsearch.search.api.QueryHash;
import io.eventsearch.search.api.SearchWindow;
import io.eventsearch.search.ratelimit.RateLimited;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /search}: the v1 contract of {@code openapi.yaml}. The body is the contract's, unchanged; HTTP caching
 * headers and a 304 for a matching conditional request come on top (see {@link HttpCaching}).
 */
@Path("/search")
@RateLimited
public class SearchResource {

    private static final String API = "v1";

    private final SearchService search;
    private final HttpCaching http;

    public SearchResource(SearchService search, HttpCaching http) {
        this.search = search;
        this.http = http;
    }

    /**
     * Parameters are read from the raw query (not bound by JAX-RS) so that an empty value ({@code starts_at=}) and
     * a repeated one are seen, and refused, rather than silently dropped or merged. Any valid window is answered,
     * however long: the contract sets no limit (v2, which pages, has one).
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> search(@Context HttpServerRequest request) {
        MultiMap params = params(request);
        SearchWindow window = SearchWindow.parse(params.getAll("starts_at"), params.getAll("ends_at"));
        long queryHash = QueryHash.of(API, window.key());
        Response notModified = http.notModified(request, queryHash);
        if (notModified != null) {
            return Uni.createFrom().item(notModified);
        }
        return search.search(window).map(answer -> http.ok(answer, queryHash));
    }

    static MultiMap params(HttpServerRequest request) {
        try {
            return request.params();
        } catch (IllegalArgumentException e) {
            throw new InvalidQueryException(ApiError.INVALID_QUERY, "The query string is not correctly URL-encoded");
        }
    }
}
