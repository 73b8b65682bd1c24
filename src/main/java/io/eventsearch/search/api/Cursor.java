package io.eventsearch.search.api;

import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;
import java.util.zip.CRC32C;

import io.eventsearch.common.EpochMicros;

/**
 * A v2 page cursor: the keyset position (start instant, id) of the last event of a page. Opaque to clients:
 * base64url of a version byte, the position, a hash of the filters it was issued for (so it cannot be replayed
 * against another query) and a CRC32C of all that, so a truncated, altered or made-up cursor is a 400 and never
 * a wrong page. It is an integrity check, not a secret: a forged cursor could only skip to a position the same
 * query could reach with {@code starts_at}.
 */
public record Cursor(long startMicros, UUID id) {

    private static final byte FORMAT = 1;
    private static final int LENGTH = 1 + 8 + 16 + 4 + 4;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    public static Cursor after(OffsetDateTime start, UUID id) {
        return new Cursor(EpochMicros.of(start), id);
    }

    public OffsetDateTime start() {
        return EpochMicros.utc(startMicros);
    }

    public String encode(int filterHash) {
        ByteBuffer bytes = ByteBuffer.allocate(LENGTH);
        bytes.put(FORMAT).putLong(startMicros).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
                .putInt(filterHash);
        bytes.putInt(crc(bytes.array(), LENGTH - 4));
        return ENCODER.encodeToString(bytes.array());
    }

    /** Normalised form for cache keys. */
    public String key() {
        return startMicros + "/" + id;
    }

    public static Cursor decode(String raw, int filterHash) {
        byte[] bytes;
        try {
            bytes = raw.length() > 64 ? null : DECODER.decode(raw);
        } catch (IllegalArgumentException e) {
            bytes = null;
        }
        if (bytes == null || bytes.length != LENGTH || bytes[0] != FORMAT) {
            throw invalid("cursor is not one this service issued");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(LENGTH - 4) != crc(bytes, LENGTH - 4)) {
            throw invalid("cursor is damaged");
        }
        buffer.position(1);
        long start = buffer.getLong();
        UUID id = new UUID(buffer.getLong(), buffer.getLong());
        if (buffer.getInt() != filterHash) {
            throw invalid("cursor belongs to a query with other filters; repeat the query it came from");
        }
        return new Cursor(start, id);
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static InvalidQueryException invalid(String message) {
        return new InvalidQueryException(ApiError.INVALID_CURSOR, message);
    }
}
