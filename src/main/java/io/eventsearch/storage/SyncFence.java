package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * The fence of one sync and the provider row it guards: the advisory lock that lets one sync of a provider write at
 * a time, the provider's state read under a row lock, and what the sync finally records there (applied or held).
 */
final class SyncFence {

    private static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(?, ?)";

    /**
     * The provider row, locked; the transaction's time in microseconds since PostgreSQL's epoch (as binary COPY
     * writes it); whether the provider has any row yet.
     */
    private static final String LOCK_PROVIDER = """
            SELECT current_seen_at, held_since, held_reason, held_feeds, held_digest, confirmed_digest,
                   (extract(epoch FROM now() - held_since) * 1000)::bigint,
                   (extract(epoch FROM now()) * 1000000)::bigint - 946684800000000,
                   NOT EXISTS (SELECT 1 FROM base_plans b WHERE b.provider_id = providers.id)
            FROM providers WHERE id = ? FOR UPDATE
            """;

    private static final String MARK_APPLIED = """
            UPDATE providers SET current_seen_at = now(), last_confirmed_at = now(), feed_digest = ?, feed_etag = ?,
                                 feed_last_modified = ?, held_since = NULL, held_reason = NULL, held_feeds = 0,
                                 held_digest = NULL, confirmed_digest = NULL
            WHERE id = ?
            """;

    /** One more held feed in a row; the hold began with the first of them. */
    private static final String MARK_HELD = """
            UPDATE providers SET held_since = coalesce(held_since, now()), held_reason = ?, held_feeds = held_feeds + 1,
                                 held_digest = ?
            WHERE id = ?
            """;

    /**
     * What the fence found. {@code previousSeenAt}: when the provider's latest applied feed was applied (null before
     * the first). {@code now}: the transaction's time in microseconds since PostgreSQL's epoch. {@code fresh}: the
     * provider has no row yet.
     */
    record State(Instant previousSeenAt, CatalogueTransaction.Hold hold, long now, boolean fresh) {
    }

    private SyncFence() {
    }

    /** Takes the fence for the life of the transaction; null when another sync of the provider holds it. */
    static State tryTake(Connection connection, int providerId, String providerName) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(TRY_LOCK)) {
            st.setInt(1, AdvisoryLocks.SYNC_FENCE);
            st.setInt(2, providerId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return null;
                }
            }
        }
        try (PreparedStatement st = connection.prepareStatement(LOCK_PROVIDER)) {
            st.setInt(1, providerId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("provider " + providerName + " is not registered");
                }
                Instant previousSeenAt = instant(rs.getTimestamp(1));
                Instant heldSince = instant(rs.getTimestamp(2));
                CatalogueTransaction.Hold hold = heldSince == null ? CatalogueTransaction.Hold.NONE
                        : new CatalogueTransaction.Hold(heldSince, rs.getString(3), rs.getInt(4), rs.getString(5),
                                rs.getString(6), Duration.ofMillis(rs.getLong(7)));
                return new State(previousSeenAt, hold, rs.getLong(8), rs.getBoolean(9));
            }
        }
    }

    static void markApplied(Connection connection, int providerId, String feedDigest, String etag, String lastModified)
            throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(MARK_APPLIED)) {
            st.setString(1, feedDigest);
            st.setString(2, etag);
            st.setString(3, lastModified);
            st.setInt(4, providerId);
            st.executeUpdate();
        }
    }

    static void markHeld(Connection connection, int providerId, String reason, String feedDigest) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(MARK_HELD)) {
            st.setString(1, reason);
            st.setString(2, feedDigest);
            st.setInt(3, providerId);
            st.executeUpdate();
        }
    }

    static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
