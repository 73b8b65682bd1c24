package io.eventsearch.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** A file's SHA-256 in lower-case hex, and how many bytes were hashed. */
    public record FileDigest(String sha256Hex, long bytes) {
    }

    /** Reads the file once, in 64 KiB chunks, and hashes what it read. Blocking. */
    public static FileDigest sha256(Path file) throws IOException {
        MessageDigest digest = sha256();
        byte[] chunk = new byte[64 * 1024];
        long total = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                digest.update(chunk, 0, n);
                total += n;
            }
        }
        return new FileDigest(HexFormat.of().formatHex(digest.digest()), total);
    }

    private static MessageDigest of(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }
}
