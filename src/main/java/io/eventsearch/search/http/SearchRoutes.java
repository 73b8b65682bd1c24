package io.eventsearch.search.http;

import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.common.PooledPieces;
import io.eventsearch.search.SearchService;
import io.eventsearch.search.api.ApiError;
import io.eventsearch.search.api.InvalidQueryException;
import io.eventsearch.search.api.PageQuery;
import io.eventsearch.search.api.QueryHash;
import io.eventsearch.search.api.SearchWindow;
import io.eventsearch.search.cache.ResponseBody;
import io.eventsearch.search.cache.SearchCache.Loaded;
import io.eventsearch.search.ratelimit.RateLimitCheck;
import io.eventsearch.search.ratelimit.RateLimiter;
import io.netty.buffer.ByteBuf;
import io.quarkus.vertx.utils.NoBoundChecksBuffer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /search} (the v1 contract of {@code openapi.yaml}, its body unchanged) and {@code GET /v2/search}
 * (keyset pages, filters, zones, freshness in the body), as Vert.x Web routes: the rate limit, then the query, then a
 * 304 for a matching conditional request ({@link HttpCaching}), then the answer with its validators. Every error
 * leaves in the contract's envelope: 400 for bad input, 404, 405 and 406 for routing errors, and a 500 whose body
 * carries an error id to find the logged cause, never a stack trace.
 * <p>
 * Routes rather than JAX-RS resources: a cached answer costs about half the CPU this way (measured: 15 against 29
 * µs a request for the same 180 KB answer on the bench machine), and for short answers the framework was most of
 * the cost. Parameters are read from the raw query so that an empty value ({@code starts_at=}) and a repeated one
 * are seen, and refused, rather than silently dropped or merged.
 */
@ApplicationScoped
public class SearchRoutes {

    private static final Logger LOG = Logger.getLogger(SearchRoutes.class);
    private static final String JSON = "application/json";

    private final SearchService search;
    private final HttpCaching http;
    private final RateLimitCheck rateLimit;
    private final Duration maxWindow;
    private final int defaultLimit;
    private final int maxLimit;

    public SearchRoutes(SearchService search, HttpCaching http, RateLimitCheck rateLimit, EventSearchConfig config) {
        this.search = search;
        this.http = http;
        this.rateLimit = rateLimit;
        this.maxWindow = config.search().maxWindow();
        this.defaultLimit = config.search().page().defaultSize();
        this.maxLimit = config.search().page().maxSize();
    }

    void install(@Observes Router router) {
        router.route("/search").method(HttpMethod.GET).method(HttpMethod.HEAD).produces(JSON)
                .handler(ctx -> limited(ctx, false));
        router.route("/v2/search").method(HttpMethod.GET).method(HttpMethod.HEAD).produces(JSON)
                .handler(ctx -> limited(ctx, true));
        router.errorHandler(404, ctx -> error(ctx.response(), 404, ApiError.NOT_FOUND, "No such resource"));
        router.errorHandler(405, ctx -> error(ctx.response(), 405, ApiError.METHOD_NOT_ALLOWED, "Method not allowed"));
        router.errorHandler(406, ctx -> error(ctx.response(), 406, ApiError.NOT_ACCEPTABLE,
                "This resource answers application/json only"));
        router.errorHandler(500, ctx -> failed(ctx.response(), ctx.failure()));
    }

    private void limited(RoutingContext ctx, boolean v2) {
        HttpServerRequest request = ctx.request();
        RateLimiter.Decision now = rateLimit.decideNow(request);
        if (now != null) {
            answer(ctx, v2, now);
            return;
        }
        rateLimit.acquire(request).subscribe().with(decision -> answer(ctx, v2, decision),
                failure -> failed(ctx.response(), failure));
    }

    private void answer(RoutingContext ctx, boolean v2, RateLimiter.Decision decision) {
        HttpServerResponse response = ctx.response();
        if (!decision.allowed()) {
            RateLimitCheck.refuse(response, decision);
            return;
        }
        HttpServerRequest request = ctx.request();
        long queryHash;
        Loaded now; // the read model answers at once; the SQL path later
        Uni<Loaded> later = null;
        try {
            MultiMap params = params(request);
            if (v2) {
                PageQuery query = PageQuery.parse(params, maxWindow, defaultLimit, maxLimit);
                queryHash = QueryHash.of("v2", query.key());
                if (http.notModified(request, response, queryHash)) {
                    return;
                }
                now = search.pageModel(query);
                later = now == null ? search.page(query) : null;
            } else {
                SearchWindow window = SearchWindow.parse(params.getAll("starts_at"), params.getAll("ends_at"));
                queryHash = QueryHash.of("v1", window.key());
                if (http.notModified(request, response, queryHash)) {
                    return;
                }
                now = search.searchModel(window);
                later = now == null ? search.search(window) : null;
            }
        } catch (InvalidQueryException e) {
            error(response, 400, e.code(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            failed(response, e);
            return;
        }
        if (now != null) {
            send(request, response, now, queryHash);
        } else {
            later.subscribe().with(loaded -> send(request, response, loaded, queryHash), failure -> failed(response, failure));
        }
    }

    private static MultiMap params(HttpServerRequest request) {
        try {
            return request.params();
        } catch (IllegalArgumentException e) {
            throw new InvalidQueryException(ApiError.INVALID_QUERY, "The query string is not correctly URL-encoded");
        }
    }

    private void send(HttpServerRequest request, HttpServerResponse response, Loaded loaded, long queryHash) {
        if (response.ended() || response.closed()) {
            return; // the client left meanwhile
        }
        http.stamp(response, loaded, queryHash);
        Object entity = loaded.entity();
        if (request.method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(size(entity))).end();
            return;
        }
        if (entity instanceof ResponseBody.Shared shared) {
            response.end(shared.buffer()); // the shared off-heap copy, as is
            return;
        }
        ByteBuf out;
        try {
            out = entity instanceof ResponseBody.Composed composed ? composed.buffer() : copied((byte[]) entity);
        } catch (RuntimeException e) {
            failed(response, e);
            return;
        }
        // the buffer itself (not a copy or slice) goes to Netty, which releases it once written
        response.end(new NoBoundChecksBuffer(out));
    }

    private static ByteBuf copied(byte[] body) {
        return PooledPieces.of(body.length).writeBytes(body);
    }

    private static int size(Object entity) {
        if (entity instanceof ResponseBody body) {
            return body.size();
        }
        return ((byte[]) entity).length;
    }

    private static void error(HttpServerResponse response, int status, String code, String message) {
        if (response.headWritten()) {
            return;
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(Buffer.buffer(ApiError.body(code, message)));
    }

    private static void failed(HttpServerResponse response, Throwable failure) {
        if (failure instanceof InvalidQueryException invalid) {
            error(response, 400, invalid.code(), invalid.getMessage());
            return;
        }
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(failure, "unexpected failure, error id %s", errorId);
        error(response, 500, ApiError.INTERNAL_ERROR, "The request could not be served; error id " + errorId);
    }
}
