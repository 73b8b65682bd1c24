package io.eventsearch.ops;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import io.vertx.ext.web.Router;

/**
 * Gives every public request an id: the caller's {@code X-Request-Id} when it is a sane token (so a trace crosses
 * the CDN and load balancer), else a fresh one. It is echoed in the response and put in the logging MDC as
 * {@code request.id}, which Quarkus keeps on the request's Vert.x context: every log line of the request carries
 * it (a field of the JSON logs in prod, a column of the dev format).
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "request.id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String id = ctx.request().getHeader(HEADER);
            if (id == null || !SANE.matcher(id).matches()) {
                id = fresh();
            }
            MDC.put(MDC_KEY, id);
            ctx.response().putHeader(HEADER, id);
            ctx.next();
        });
    }

    /** 16 hex digits: unique enough to find a request in the logs, and cheap. */
    static String fresh() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }
}
