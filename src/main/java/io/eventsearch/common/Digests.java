package io.eventsearch.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The digests the service computes (every JVM has both algorithms, so their absence is a bug, not a case). */
public final class Digests {

    private Digests() {
    }

    /** A fresh SHA-256 digest (not thread-safe: one per use or per owner). */
    public static MessageDigest sha256() {
        return of("SHA-256");
    }

    /** A fresh SHA-1 digest (not thread-safe: one per use or per owner). */
    public static MessageDigest sha1() {
        return of("SHA-1");
    }

    /** SHA-256 of the text's UTF-8 bytes. */
    public static byte[] sha256(String text) {
        return sha256().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 of the text's UTF-8 bytes, in lower-case hex. */
    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }

    /** SHA-1 of the text's UTF-8 bytes, in lower-case hex. */
    public static String sha1Hex(String text) {
        return HexFormat.of().formatHex(sha1().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest of(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }
}
