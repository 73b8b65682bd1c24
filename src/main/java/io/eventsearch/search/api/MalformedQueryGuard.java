package io.eventsearch.search.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

/**
 * A query string that cannot be decoded (a stray {@code %}, say) is rejected by Vert.x before any resource runs,
 * with an empty 400. This route, first in line, answers it with the contract's error body instead. Only queries
 * containing {@code %} can fail to decode, so the others pass untouched.
 */
@ApplicationScoped
public class MalformedQueryGuard {

    private static final io.vertx.core.buffer.Buffer BODY = io.vertx.core.buffer.Buffer.buffer(ApiError.body(
            ApiError.INVALID_QUERY, "The query string is not correctly URL-encoded"));

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            String query = ctx.request().query();
            if (query != null && query.indexOf('%') >= 0) {
                try {
                    ctx.queryParams();
                } catch (IllegalArgumentException e) {
                    ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json").end(BODY);
                    return;
                }
            }
            ctx.next();
        });
    }
}
