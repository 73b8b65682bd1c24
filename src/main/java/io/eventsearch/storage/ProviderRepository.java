package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/** {@code providers}: registration, feed validators, pause flag. Blocking (JDBC). */
@ApplicationScoped
public class ProviderRepository {

    private static final String REGISTER = """
            INSERT INTO providers (name) VALUES (?)
            ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
            RETURNING id
            """;

    private static final String STATE = """
            SELECT id, name, current_seen_at, last_confirmed_at, feed_digest, feed_etag, feed_last_modified, held_since, paused
            FROM providers WHERE id = ?
            """;

    private static final String CONFIRM_UNCHANGED = """
            UPDATE providers SET last_confirmed_at = now() WHERE id = ?
            """;

    private static final String SET_PAUSED = "UPDATE providers SET paused = ? WHERE name = ?";

    /** The held feed is to be applied when it comes again (the provider answers the same feed until it changes). */
    private static final String CONFIRM_HELD = """
            UPDATE providers SET confirmed_digest = held_digest WHERE name = ? AND held_since IS NOT NULL
            RETURNING held_reason
            """;

    /** The held feed is not to be applied: the hold ends, the catalogue stays, a dropping feed starts a new hold. */
    private static final String REJECT_HELD = """
            UPDATE providers SET held_since = NULL, held_reason = NULL, held_feeds = 0, held_digest = NULL,
                                 confirmed_digest = NULL
            WHERE name = ? AND held_since IS NOT NULL
            RETURNING name
            """;

    private static final String EXISTS = "SELECT 1 FROM providers WHERE name = ?";

    /** Every provider (or the one named), with what operators see of it. */
    private static final String OVERVIEW = """
            SELECT p.id, p.name, p.paused, p.current_seen_at, p.last_confirmed_at, p.held_since, p.held_reason,
                   p.held_feeds, p.confirmed_digest IS NOT NULL AS hold_confirmed,
                   (SELECT count(*) FROM plans pl WHERE pl.provider_id = p.id AND pl.last_seen_at = %s)
                       AS plans_in_scope
            FROM providers p
            WHERE ?::text IS NULL OR p.name = ?
            ORDER BY p.name
            """.formatted(Scope.IN_SCOPE);

    private final DataSource dataSource;

    public ProviderRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** What ingestion needs to know of a provider before a sync. */
    public record ProviderState(
            int id,
            String name,
            Instant currentSeenAt,
            Instant lastConfirmedAt,
            String feedDigest,
            String feedEtag,
            String feedLastModified,
            Instant heldSince,
            boolean paused) {
    }

    /** A provider as operators see it (the operator endpoints). */
    public record ProviderOverview(int id, String name, boolean paused, Instant currentSeenAt, Instant lastConfirmedAt,
            Instant heldSince, String heldReason, Integer heldFeeds, boolean holdConfirmed, long plansInScope) {
    }

    /** Every provider by name, or only the one named ({@code name} not null). */
    public List<ProviderOverview> overview(String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(OVERVIEW)) {
            st.setString(1, name);
            st.setString(2, name);
            List<ProviderOverview> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new ProviderOverview(rs.getInt("id"), rs.getString("name"), rs.getBoolean("paused"),
                            instant(rs.getTimestamp("current_seen_at")), instant(rs.getTimestamp("last_confirmed_at")),
                            instant(rs.getTimestamp("held_since")), rs.getString("held_reason"),
                            rs.getObject("held_feeds", Integer.class), rs.getBoolean("hold_confirmed"),
                            rs.getLong("plans_in_scope")));
                }
            }
            return out;
        }
    }

    public int register(String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(REGISTER)) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    public ProviderState state(int id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(STATE)) {
            st.setInt(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no provider with id " + id);
                }
                return new ProviderState(rs.getInt(1), rs.getString(2), instant(rs.getTimestamp(3)),
                        instant(rs.getTimestamp(4)), rs.getString(5), rs.getString(6), rs.getString(7),
                        instant(rs.getTimestamp(8)), rs.getBoolean(9));
            }
        }
    }

    public void confirmUnchanged(int id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(CONFIRM_UNCHANGED)) {
            st.setInt(1, id);
            st.executeUpdate();
        }
    }

    /** False when no provider has that name. */
    public boolean setPaused(String name, boolean paused) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(SET_PAUSED)) {
            st.setBoolean(1, paused);
            st.setString(2, name);
            return st.executeUpdate() == 1;
        }
    }

    /** What an operator's decision on a held feed found. */
    public enum HoldDecision {
        DONE, NOT_HELD, UNKNOWN_PROVIDER
    }

    /** Operator action: apply the held feed the next time the provider sends it. */
    public HoldDecision confirmHeld(String name) throws SQLException {
        return decide(CONFIRM_HELD, name);
    }

    /** Operator action: do not apply the held feed; the hold ends. */
    public HoldDecision rejectHeld(String name) throws SQLException {
        return decide(REJECT_HELD, name);
    }

    private HoldDecision decide(String sql, String name) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    return HoldDecision.DONE;
                }
            }
            try (PreparedStatement exists = c.prepareStatement(EXISTS)) {
                exists.setString(1, name);
                try (ResultSet rs = exists.executeQuery()) {
                    return rs.next() ? HoldDecision.NOT_HELD : HoldDecision.UNKNOWN_PROVIDER;
                }
            }
        }
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }
}
