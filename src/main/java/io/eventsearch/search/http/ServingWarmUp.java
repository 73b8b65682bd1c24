package io.eventsearch.search.http;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.eventsearch.common.EpochMicros;
import io.eventsearch.search.ratelimit.WarmUpPass;
import io.eventsearch.search.readmodel.ReadModel;
import io.eventsearch.search.readmodel.Snapshot;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Warms the serving path up before readiness goes UP. A JVM that has just loaded its model still interprets the
 * code that answers searches, and compiling it under a full load of clients takes the JIT tens of seconds on two
 * cores: the first clients wait. So, once the model is loaded, the instance sends itself searches of every shape
 * over loopback for {@code events.search.warm-up.duration} (v1 windows from a day to months, a repeated window that
 * the near cache keeps, v2 pages with price filters, zones and cursors, revalidations, an invalid query), through the
 * whole stack a client's request takes, rate limit included (its requests pass it: {@link WarmUpPass}). Readiness
 * stays DOWN meanwhile ({@code read-model} check: "warming up"). Off (duration 0), or with nothing to answer from
 * (model off or over budget: the SQL path answers), it is done at once; an empty catalogue is warmed up on empty answers.
 */
@ApplicationScoped
public class ServingWarmUp {

    private static final Logger LOG = Logger.getLogger(ServingWarmUp.class);
    private static final long DAY = EpochMicros.PER_DAY;

    private final Vertx vertx;
    private final ReadModel model;
    private final WarmUpPass pass;
    private final Duration duration;
    private final int connections;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean done;
    private final AtomicBoolean started = new AtomicBoolean();

    public ServingWarmUp(Vertx vertx, ReadModel model, WarmUpPass pass, EventSearchConfig config) {
        this.vertx = vertx;
        this.model = model;
        this.pass = pass;
        this.duration = config.search().warmUp().duration();
        this.connections = Math.max(1, config.search().warmUp().connections());
        this.done = duration.isZero() || !model.enabled();
    }

    /** Shutting down: the warm-up's loops end at their next request. */
    @PreDestroy
    void stop() {
        done = true;
        pass.close();
    }

    /** Done (or off): the instance may take traffic as far as the warm-up goes. */
    public boolean done() {
        return done;
    }

    /** Searches sent so far, for readiness details and tests. */
    public long requests() {
        return requests.get();
    }

    /** Searches answered otherwise than expected (an error, a 429, no answer). */
    public long failed() {
        return failed.get();
    }

    /** Fired (asynchronously) once per event loop's server verticle: the first one starts the warm-up. */
    void onHttpStart(@ObservesAsync HttpServerStart start) {
        if (done || !started.compareAndSet(false, true)) {
            return;
        }
        int port = start.options().getPort();
        int actual = port > 0 ? port : ConfigProvider.getConfig().getOptionalValue("quarkus.http.test-port", Integer.class)
                .filter(p -> p > 0).orElseGet(() -> ConfigProvider.getConfig().getValue("quarkus.http.port", Integer.class));
        vertx.setPeriodic(100, timer -> {
            if (!model.status().ready()) {
                return; // loading: the warm-up answers from the model, so it waits for it
            }
            vertx.cancelTimer(timer);
            Snapshot snapshot = model.serving();
            if (snapshot == null) {
                LOG.info("serving warm-up: skipped (no read model to answer from)");
                done = true;
                return;
            }
            run(actual, snapshot);
        });
    }

    private void run(int port, Snapshot snapshot) {
        LOG.infof("serving warm-up: %s over %d connections before readiness", duration, connections);
        pass.open();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(port).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(connections));
        long started = System.nanoTime();
        long deadline = started + duration.toNanos();
        AtomicInteger running = new AtomicInteger(connections);
        AtomicBoolean finished = new AtomicBoolean();
        Runnable finish = () -> {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            done = true;
            pass.close();
            client.close();
            LOG.infof("serving warm-up: %d searches in %d ms (%d failed); ready", requests.get(),
                    (System.nanoTime() - started) / 1_000_000, failed.get());
        };
        // a request that never completes must not hold readiness back
        vertx.setTimer(duration.toMillis() + 5_000, id -> finish.run());
        SplittableRandom seeds = new SplittableRandom(snapshot.version().version());
        for (int c = 0; c < connections; c++) {
            loop(client, new Shapes(snapshot, seeds.split()), deadline, () -> {
                if (running.decrementAndGet() == 0) {
                    finish.run();
                }
            });
        }
    }

    private void loop(HttpClient client, Shapes shapes, long deadline, Runnable stopped) {
        if (done || System.nanoTime() >= deadline) {
            stopped.run();
            return;
        }
        Shapes.Next next = shapes.next();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(next.uri())
                .setIdleTimeout(5_000).addHeader(WarmUpPass.HEADER, pass.secret());
        if (next.etag() != null) {
            options.addHeader("If-None-Match", next.etag());
        }
        client.request(options)
                .compose(request -> request.send())
                .compose(response -> {
                    int status = response.statusCode();
                    if (!next.uri().startsWith("/v2/")) { // v1 bodies are read and dropped: no copy, no string
                        response.handler(ignored -> { });
                        return response.end().map(ended -> {
                            shapes.answered(next, status, response.getHeader("ETag"), null);
                            return status;
                        });
                    }
                    return response.body().map(body -> {
                        shapes.answered(next, status, response.getHeader("ETag"), body.toString());
                        return status;
                    });
                })
                .recover(failure -> Future.succeededFuture(-1))
                .onComplete(status -> {
                    requests.incrementAndGet();
                    if (status.result() != next.expected()) {
                        failed.incrementAndGet();
                    }
                    loop(client, shapes, deadline, stopped);
                });
    }

    /** The warm-up's queries, drawn over the model's span, one connection's worth. */
    static final class Shapes {
        private final long first;
        private final long last;
        private final SplittableRandom random;
        private final String hot;
        private String cursorPage;
        private String etag;
        private String etagUri;

        record Next(String uri, String etag, int expected) {
        }

        Shapes(Snapshot snapshot, SplittableRandom random) {
            this.first = snapshot.firstStart();
            this.last = Math.max(snapshot.lastStart(), first + DAY);
            this.random = random;
            this.hot = "/search?starts_at=" + iso(first + (last - first) / 2) + "&ends_at=" + iso(first + (last - first) / 2 + 7 * DAY);
        }

        Next next() {
            int draw = random.nextInt(100);
            if (draw < 5 && etag != null) {
                return new Next(etagUri, etag, 304);
            }
            if (draw < 8) {
                return new Next("/search?starts_at=yesterday", null, 400);
            }
            if (draw < 20) {
                return new Next(hot, null, 200);
            }
            if (draw < 30 && cursorPage != null) {
                String uri = cursorPage;
                cursorPage = null;
                return new Next(uri, null, 200);
            }
            if (draw < 50) {
                long from = instant(random.nextLong(first, last));
                String uri = "/v2/search?starts_at=" + iso(from) + "&ends_at=" + iso(from + random.nextLong(DAY, 60 * DAY))
                        + "&limit=" + (1 + random.nextInt(200));
                if (random.nextBoolean()) {
                    uri += "&min_price=" + random.nextInt(50);
                }
                if (random.nextBoolean()) {
                    uri += "&max_price=" + (50 + random.nextInt(200));
                }
                if (random.nextInt(3) == 0) {
                    uri += "&include=zones";
                }
                return new Next(uri, null, 200);
            }
            long from = instant(random.nextLong(first, last));
            long length = draw < 90 ? random.nextLong(DAY, 14 * DAY) : random.nextLong(30 * DAY, 120 * DAY);
            return new Next("/search?starts_at=" + iso(from) + "&ends_at=" + iso(from + length), null, 200);
        }

        /** Remembers what a later request revalidates or pages on. */
        void answered(Next next, int status, String etag, String body) {
            if (status != 200) {
                return;
            }
            if (etag != null && random.nextInt(4) == 0) {
                this.etag = etag;
                this.etagUri = next.uri();
            }
            int at = body == null ? -1 : body.indexOf("\"next_cursor\":\"");
            if (at >= 0) {
                int from = at + "\"next_cursor\":\"".length();
                String cursor = body.substring(from, body.indexOf('"', from));
                String base = next.uri().replaceAll("&cursor=[^&]*", "");
                cursorPage = base + "&cursor=" + cursor;
            }
        }

        /** Whole minutes, as clients send. */
        private static long instant(long micros) {
            return micros - Math.floorMod(micros, 60 * EpochMicros.PER_SECOND);
        }

        private static String iso(long micros) {
            return Instant.ofEpochSecond(Math.floorDiv(micros, EpochMicros.PER_SECOND)).toString();
        }
    }
}
