package io.eventsearch.ops;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.netty.channel.Channel;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;

/**
 * Drains the public port during the shutdown delay, so that a rolling update drops no request.
 *
 * <p>Quarkus' graceful shutdown reports readiness DOWN for {@code quarkus.shutdown.delay} while it keeps serving,
 * then answers every new request with 503 until the HTTP server closes. Keep-alive clients (and load balancers
 * that pool connections) keep sending on their open connections through the delay and then meet those 503s. From
 * the start of the delay this drain:
 * <ul>
 * <li>answers every public response with {@code Connection: close} and closes the connection once it is written
 * (HTTP/2 connections get a GOAWAY), so each client opens a new connection for its next request;</li>
 * <li>closes the keep-alive connections that are idle at that moment;</li>
 * <li>closes the listening socket a little before the delay is over ({@link #listenerCloseAt}), so that a client
 * that still connects is refused (its cue to use another instance) instead of answered with 503. Requests in
 * flight on accepted connections finish: the server closes them only after the response, and Quarkus waits up to
 * {@code quarkus.shutdown.timeout} for the last ones before it closes the HTTP server.</li>
 * </ul>
 * The management port (probes, metrics, operator endpoints) is not drained: kubelet and Prometheus keep seeing
 * readiness DOWN until the process exits.
 */
@ApplicationScoped
public class ConnectionDrain {

    private static final Logger LOG = Logger.getLogger(ConnectionDrain.class);

    /** Open public connections (HTTP/1 and HTTP/2) and how many of their requests are in flight. */
    private final Map<ConnectionBase, AtomicInteger> connections = new ConcurrentHashMap<>();
    /** The listening sockets the public connections were accepted on. */
    private final Set<ConnectionBase> http2 = ConcurrentHashMap.newKeySet();
    private final Set<Channel> listeners = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean draining = new AtomicBoolean();

    private final Vertx vertx;
    private final boolean delayEnabled;
    private final Optional<Duration> delay;

    ConnectionDrain(Vertx vertx,
            @ConfigProperty(name = "quarkus.shutdown.delay-enabled", defaultValue = "false") boolean delayEnabled,
            @ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay) {
        this.vertx = vertx;
        this.delayEnabled = delayEnabled;
        this.delay = delay;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            HttpConnection connection = ctx.request().connection();
            HttpVersion version = ctx.request().version();
            if (connection instanceof ConnectionBase base) {
                AtomicInteger inFlight = track(base, version);
                inFlight.incrementAndGet();
                ctx.addEndHandler(done -> inFlight.decrementAndGet());
            }
            if (draining.get() && version != HttpVersion.HTTP_2) {
                // HTTP/1: this response is the connection's last (an HTTP/2 connection got a GOAWAY instead)
                HttpServerResponse response = ctx.response();
                response.headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                ctx.addEndHandler(done -> {
                    if (!response.closed()) {
                        response.close(); // after what was written is flushed
                    }
                });
            }
            ctx.next();
        });
    }

    private AtomicInteger track(ConnectionBase connection, HttpVersion version) {
        AtomicInteger inFlight = connections.get(connection);
        if (inFlight != null) {
            return inFlight;
        }
        AtomicInteger fresh = new AtomicInteger();
        inFlight = connections.putIfAbsent(connection, fresh);
        if (inFlight != null) {
            return inFlight;
        }
        if (version == HttpVersion.HTTP_2) {
            http2.add(connection);
        }
        Channel channel = connection.channel();
        channel.closeFuture().addListener(closed -> {
            connections.remove(connection);
            http2.remove(connection);
        });
        if (channel.parent() != null) {
            listeners.add(channel.parent());
        }
        return fresh;
    }

    /** Readiness is DOWN from now on: the shutdown delay begins. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        Duration drain = delay.filter(d -> delayEnabled && !d.isZero() && !d.isNegative()).orElse(null);
        if (drain == null || !draining.compareAndSet(false, true)) {
            return;
        }
        int idle = 0;
        for (Map.Entry<ConnectionBase, AtomicInteger> e : connections.entrySet()) {
            ConnectionBase connection = e.getKey();
            AtomicInteger inFlight = e.getValue();
            if (http2.contains(connection)) {
                // GOAWAY: the client opens a new connection for new requests, the streams in flight finish
                ((HttpConnection) connection).shutdown(drain.toMillis(), TimeUnit.MILLISECONDS);
                continue;
            }
            if (inFlight.get() == 0) {
                idle++;
                // on the connection's event loop, where requests are decoded: a request that arrived meanwhile
                // keeps its connection, which then closes after the response
                connection.channel().eventLoop().execute(() -> {
                    if (inFlight.get() == 0) {
                        connection.close();
                    }
                });
            }
        }
        Duration closeAt = listenerCloseAt(drain);
        LOG.infof("Shutdown delay of %s begins: public responses carry Connection: close, %d idle keep-alive connection(s) "
                + "close now (%d open), the public listener closes in %d ms", drain, idle, connections.size(), closeAt.toMillis());
        vertx.setTimer(Math.max(1, closeAt.toMillis()), t -> closeListeners());
    }

    /**
     * When the listening socket closes, counted from the start of the delay: one second before its end (a quarter of
     * it for delays under four seconds), so that a connection accepted just before has its request answered before
     * Quarkus' own filter starts refusing new requests at the end of the delay.
     */
    static Duration listenerCloseAt(Duration delay) {
        Duration margin = Duration.ofSeconds(1);
        if (delay.compareTo(Duration.ofSeconds(4)) < 0) {
            margin = delay.dividedBy(4);
        }
        return delay.minus(margin);
    }

    private void closeListeners() {
        int inFlight = connections.values().stream().mapToInt(AtomicInteger::get).sum();
        for (Channel listener : listeners) {
            listener.close();
        }
        LOG.infof("Public listener closed: new connections are refused; %d request(s) in flight on %d open connection(s) finish",
                inFlight, connections.size());
    }

    /** For tests and logs: whether the drain has begun. */
    public boolean draining() {
        return draining.get();
    }
}
