package io.eventsearch.ops;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.eventsearch.EventSearchConfig;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * The public port speaks HTTP/1.1 in clear text, and HTTP/2 only over TLS (ALPN), unless
 * {@code events.search.http.cleartext-http2} is on.
 *
 * <p>Why: a client that asks for HTTP/2 with HTTP/1.1's {@code Upgrade: h2c} (the JDK's {@code java.net.http.HttpClient}
 * does by default on every {@code http://} connection, curl with {@code --http2}) gets the 101, the server's SETTINGS
 * and the whole answer in one burst, which is correct HTTP/2 but more than these clients read right after an upgrade:
 * from about 32 KiB of answer on, the JDK client (17 and 25) now and then waits forever or fails with a protocol
 * error, and curl gives up. Search answers are often that large. RFC 9113 deprecates the upgrade anyway, and Vert.x
 * cannot turn it off without turning off clear-text HTTP/2 altogether, prior knowledge included. A mesh that speaks h2c
 * to the pod with prior knowledge can have it back with the key.
 */
@Singleton
public class PublicHttpProtocols implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(PublicHttpProtocols.class);

    private final boolean cleartextHttp2;

    public PublicHttpProtocols(EventSearchConfig config) {
        this.cleartextHttp2 = config.search().http().cleartextHttp2();
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        if (!cleartextHttp2) {
            options.setHttp2ClearTextEnabled(false);
            LOG.debug("public port: HTTP/1.1 in clear text (events.search.http.cleartext-http2=false)");
        }
    }
}
