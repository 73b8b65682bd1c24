package io.eventsearch.search.ratelimit;

import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.common.Digests;
import io.eventsearch.search.api.ApiError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;

/**
 * The rate limit of the search routes, checked before a query is read. A client is its API key when it sends one
 * (hashed: keys are not stored in Redis), else its remote address. That address is the peer's unless Quarkus' proxy
 * support is configured ({@code quarkus.http.proxy.*}, docs/api.md "Rate limiting"): only then, and only from
 * trusted proxies, do {@code Forwarded}/{@code X-Forwarded-For} count. Over the limit: 429, the contract's error
 * body, {@code Retry-After} in seconds, and {@code Cache-Control: no-store} so no CDN serves one client's 429 to
 * everyone.
 */
@ApplicationScoped
public class RateLimitCheck {

    private static final Buffer BODY = Buffer.buffer(ApiError.body(ApiError.RATE_LIMITED,
            "Too many requests from this client; retry after the number of seconds in Retry-After"));
    private static final RateLimiter.Decision PASS = RateLimiter.Decision.ALLOWED;

    private final RateLimiter limiter;
    private final WarmUpPass warmUp;
    private final boolean enabled;
    private final String apiKeyHeader;
    /** Whether Quarkus' proxy support rewrites the remote address from trusted proxies' headers. */
    private final boolean forwarding;
    private final Counter allowed;
    private final Counter denied;

    public RateLimitCheck(RateLimiter limiter, WarmUpPass warmUp, EventSearchConfig config, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.http.proxy.proxy-address-forwarding", defaultValue = "false") boolean forwarding) {
        this.limiter = limiter;
        this.warmUp = warmUp;
        this.forwarding = forwarding;
        this.enabled = config.rateLimit().enabled();
        this.apiKeyHeader = config.rateLimit().apiKeyHeader();
        this.allowed = counter(registry, "allowed");
        this.denied = counter(registry, "denied");
    }

    private static Counter counter(MeterRegistry registry, String result) {
        return Counter.builder("events.rate.limit").description("Rate-limited requests by decision")
                .tags("result", result).register(registry);
    }

    /**
     * The decision for this request if it can be made at once: almost always, from this instance's lease of the
     * client's tokens (no I/O, no allocation); null when the shared bucket must be asked ({@link #acquire}).
     */
    public RateLimiter.Decision decideNow(HttpServerRequest request) {
        if (!enabled || warmUp.lets(request)) {
            return PASS;
        }
        return counted(limiter.decideNow(client(request)));
    }

    /** The decision after asking the shared bucket (Redis), or the local one when Redis is unavailable. */
    public Uni<RateLimiter.Decision> acquire(HttpServerRequest request) {
        return limiter.acquire(client(request)).map(this::counted);
    }

    private RateLimiter.Decision counted(RateLimiter.Decision decision) {
        if (decision != null) {
            (decision.allowed() ? allowed : denied).increment();
        }
        return decision;
    }

    /** Answers a refused request: 429 with the contract's body. */
    public static void refuse(HttpServerResponse response, RateLimiter.Decision decision) {
        long seconds = Math.max(1, (decision.retryAfterMillis() + 999) / 1000);
        response.setStatusCode(429)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader("Retry-After", Long.toString(seconds))
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(BODY.slice());
    }

    String client(HttpServerRequest request) {
        String apiKey = request.getHeader(apiKeyHeader);
        if (apiKey != null && !apiKey.isBlank()) {
            return "k:" + digest(apiKey);
        }
        // without proxy support the peer is the client: the connection's address, read once per connection, instead
        // of the request's, which Vert.x Web works out per request from scheme, host and forwarding headers
        SocketAddress address = forwarding || request.connection() == null ? request.remoteAddress()
                : request.connection().remoteAddress();
        return "a:" + (address == null || address.hostAddress() == null ? "unknown" : address.hostAddress());
    }

    private static String digest(String apiKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Digests.sha256(apiKey)).substring(0, 22);
    }
}
