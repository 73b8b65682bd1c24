package io.eventsearch.search;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.eventsearch.search.api.ApiError;
import io.eventsearch.search.api.InvalidQueryException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/** {@code GET /search}: the v1 contract of {@code openapi.yaml}. */
@Path("/search")
public class SearchResource {

    private final SearchService search;

    public SearchResource(SearchService search) {
        this.search = search;
    }

    /**
     * Parameters are read from the raw query (not bound by JAX-RS) so that an empty value ({@code starts_at=}) and
     * a repeated one are seen, and refused, rather than silently dropped or merged.
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> search(@Context HttpServerRequest request) {
        MultiMap params;
        try {
            params = request.params();
        } catch (IllegalArgumentException e) {
            throw new InvalidQueryException(ApiError.INVALID_QUERY, "The query string is not correctly URL-encoded");
        }
        SearchWindow window = SearchWindow.parse(params.getAll("starts_at"), params.getAll("ends_at"));
        return search.search(window).map(answer -> Response.ok(answer.body(), MediaType.APPLICATION_JSON_TYPE).build());
    }
}
