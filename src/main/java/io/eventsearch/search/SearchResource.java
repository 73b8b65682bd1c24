package io.eventsearch.search;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestQuery;

import io.smallrye.mutiny.Uni;

/** {@code GET /search}: the v1 contract of {@code openapi.yaml}. */
@Path("/search")
public class SearchResource {

    private final SearchService search;

    public SearchResource(SearchService search) {
        this.search = search;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> search(@RestQuery("starts_at") List<String> startsAt, @RestQuery("ends_at") List<String> endsAt) {
        SearchWindow window = SearchWindow.parse(startsAt, endsAt);
        return search.search(window).map(answer -> Response.ok(answer.body(), MediaType.APPLICATION_JSON_TYPE).build());
    }
}
