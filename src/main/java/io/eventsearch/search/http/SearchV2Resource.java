package io.eventsearch.search.http;

import java.time.Duration;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.search.SearchService;
import io.eventsearch.search.api.PageQuery;
import io.eventsearch.search.api.QueryHash;
import io.eventsearch.search.ratelimit.RateLimited;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /v2/search}: the v1 filters plus keyset pages ({@code limit}, opaque {@code cursor}), provider and
 * price filters, zones on request, and the data's freshness in the body. Cached and conditional like v1.
 */
@Path("/v2/search")
@RateLimited
public class SearchV2Resource {

    private static final String API = "v2";

    private final SearchService search;
    private final HttpCaching http;
    private final Duration maxWindow;
    private final int defaultLimit;
    private final int maxLimit;

    public SearchV2Resource(SearchService search, HttpCaching http, EventSearchConfig config) {
        this.search = search;
        this.http = http;
        this.maxWindow = config.search().maxWindow();
        this.defaultLimit = config.search().page().defaultSize();
        this.maxLimit = config.search().page().maxSize();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> search(@Context HttpServerRequest request) {
        PageQuery query = PageQuery.parse(SearchResource.params(request), maxWindow, defaultLimit, maxLimit);
        long queryHash = QueryHash.of(API, query.key());
        Response notModified = http.notModified(request, queryHash);
        if (notModified != null) {
            return Uni.createFrom().item(notModified);
        }
        return search.page(query).map(answer -> http.ok(answer, queryHash));
    }
}
