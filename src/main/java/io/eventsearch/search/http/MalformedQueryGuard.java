package io.eventsearch.search.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.eventsearch.search.api.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

/**
 * A query string that cannot be decoded (a stray {@code %}, say) fails the routing context with 400 before any
 * route runs, and Vert.x Web answers it with an empty body. This error handler gives that 400 the contract's error
 * body instead. (Quarkus' own earlier URI check is switched off in {@code EventSearchMain} so such requests get
 * here at all.)
 */
@ApplicationScoped
public class MalformedQueryGuard {

    private static final Buffer BODY = Buffer.buffer(ApiError.body(
            ApiError.INVALID_QUERY, "The request URI is not correctly encoded"));

    void install(@Observes Router router) {
        router.errorHandler(400, ctx -> {
            if (!ctx.response().headWritten()) {
                ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json").end(BODY);
            }
        });
    }
}
