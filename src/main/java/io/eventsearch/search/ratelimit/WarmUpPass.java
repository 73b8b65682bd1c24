package io.eventsearch.search.ratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * Lets the instance's own warm-up requests past the rate limit (they would exhaust its loopback client's bucket
 * in a fraction of a second): they carry a secret drawn at start-up that never leaves the process, come over
 * loopback, and are only let past while the warm-up runs, so once it is over the check costs one volatile read.
 */
@ApplicationScoped
public class WarmUpPass {

    public static final String HEADER = "X-Event-Search-Warm-Up";

    private final String secret;
    private final byte[] secretBytes;
    private volatile boolean open;

    public WarmUpPass() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.secret = HexFormat.of().formatHex(random);
        this.secretBytes = secret.getBytes(StandardCharsets.US_ASCII);
    }

    /** The header value warm-up requests carry. */
    public String secret() {
        return secret;
    }

    public void open() {
        open = true;
    }

    public void close() {
        open = false;
    }

    boolean lets(HttpServerRequest request) {
        if (!open) {
            return false;
        }
        String presented = request.getHeader(HEADER);
        SocketAddress peer = request.connection() == null ? null : request.connection().remoteAddress();
        return presented != null && peer != null && isLoopback(peer.hostAddress())
                && MessageDigest.isEqual(secretBytes, presented.getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean isLoopback(String address) {
        return address != null && (address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1"));
    }
}
