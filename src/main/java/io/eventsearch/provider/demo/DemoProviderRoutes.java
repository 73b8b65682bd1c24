package io.eventsearch.provider.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * A built-in stand-in for the public provider, for the dev profile: {@code GET /demo-provider/feed} serves the
 * three sample responses in rotation. It can misbehave like the real one: a share of 503s with an empty body,
 * and answers taking between a minimum and a maximum latency. Off unless {@code events.demo-provider.enabled}.
 */
@ApplicationScoped
public class DemoProviderRoutes {

    public static final String PATH = "/demo-provider/feed";
    private static final Logger LOG = Logger.getLogger(DemoProviderRoutes.class);
    private static final int SAMPLES = 3;

    private final EventSearchConfig.DemoProvider config;
    private final Vertx vertx;
    private final AtomicLong served = new AtomicLong();
    private List<Buffer> feeds;

    public DemoProviderRoutes(EventSearchConfig config, Vertx vertx) {
        this.config = config.demoProvider();
        this.vertx = vertx;
    }

    void routes(@Observes Router router) {
        if (!config.enabled()) {
            return;
        }
        feeds = load();
        router.get(PATH).handler(this::serve);
        LOG.infof("demo provider serving %d sample feeds at %s (failure ratio %.2f, latency %s..%s)", feeds.size(), PATH,
                config.failureRatio(), config.minLatency(), config.maxLatency());
    }

    private void serve(RoutingContext ctx) {
        long min = config.minLatency().toMillis();
        long max = Math.max(min, config.maxLatency().toMillis());
        long delay = min == max ? min : ThreadLocalRandom.current().nextLong(min, max + 1);
        if (delay <= 0) {
            answer(ctx);
        } else {
            vertx.setTimer(delay, id -> answer(ctx));
        }
    }

    private void answer(RoutingContext ctx) {
        if (ctx.response().closed()) {
            return;
        }
        if (ThreadLocalRandom.current().nextDouble() < config.failureRatio()) {
            ctx.response().setStatusCode(503).end();
            return;
        }
        Buffer body = feeds.get((int) (served.getAndIncrement() % feeds.size()));
        ctx.response().putHeader("Content-Type", "application/xml; charset=utf-8").end(body);
    }

    private static List<Buffer> load() {
        List<Buffer> out = new ArrayList<>();
        for (int i = 1; i <= SAMPLES; i++) {
            try (InputStream in = DemoProviderRoutes.class.getResourceAsStream("/demo-feeds/response_" + i + ".xml")) {
                if (in == null) {
                    throw new IllegalStateException("demo feed response_" + i + ".xml missing from the classpath");
                }
                out.add(Buffer.buffer(in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
