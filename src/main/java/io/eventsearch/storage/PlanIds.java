package io.eventsearch.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;
import io.eventsearch.common.Digests;

/**
 * The public id of a plan: a name-based UUID (version 5, RFC 9562) of (provider, base_plan_id, plan_id), so it is the
 * same across syncs, restarts and database rebuilds, and distinct for the plan_id reused under several base plans.
 */
public final class PlanIds {

    /** Namespace of event-search plan ids (a fixed random UUID; changing it changes every public id). */
    private static final UUID NAMESPACE = UUID.fromString("6f1c7d0e-3b7a-4c55-9a0f-2f7e4d9b8c31");
    private static final byte[] NAMESPACE_BYTES = bytes(NAMESPACE);

    private final MessageDigest sha1;

    public PlanIds() {
        sha1 = Digests.sha1();
    }

    /** Not thread-safe: one instance per sync. */
    public UUID planId(String provider, String basePlanId, String planId) {
        sha1.reset();
        sha1.update(NAMESPACE_BYTES);
        sha1.update(provider.getBytes(StandardCharsets.UTF_8));
        sha1.update((byte) 0);
        sha1.update(basePlanId.getBytes(StandardCharsets.UTF_8));
        sha1.update((byte) 0);
        sha1.update(planId.getBytes(StandardCharsets.UTF_8));
        byte[] hash = sha1.digest();
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (hash[i] & 0xff);
        }
        for (int i = 8; i < 16; i++) {
            lsb = (lsb << 8) | (hash[i] & 0xff);
        }
        return new UUID(msb, lsb);
    }

    public static UUID of(String provider, String basePlanId, String planId) {
        return new PlanIds().planId(provider, basePlanId, planId);
    }

    private static byte[] bytes(UUID uuid) {
        byte[] out = new byte[16];
        long msb = uuid.getMostSignificantBits();
        long lsb = uuid.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (msb >>> (56 - 8 * i));
            out[8 + i] = (byte) (lsb >>> (56 - 8 * i));
        }
        return out;
    }
}
