package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * The provider's base plans in scope when the sync began, each with the fingerprint of the feed element it was read
 * from (when it has one) and what that element held ({@link FeedElement}). A base plan whose element comes again with the same
 * fingerprint is <em>claimed</em>: the same bytes mean the same rows, so it is not parsed, staged or merged, and its
 * plans are all still in scope. The base plans neither claimed nor parsed are those that leave the scope.
 *
 * <p>The invariant that makes a claim safe: a base plan has a fingerprint only when the last applied feed had it in
 * exactly one element, with no plan repeated, so its rows in scope are exactly that element's.
 * Anything else is stored without one and parsed again every time.
 */
final class BasePlanScope {

    private static final String LOAD = "SELECT base_plan_id, feed_fingerprint, feed_plan_elements, feed_zone_elements, "
            + "feed_plans, feed_skips FROM base_plans WHERE provider_id = ? AND last_seen_at = " + Scope.IN_SCOPE;

    /** Sorted. */
    private final String[] ids;
    /** What each one's element held (null without a fingerprint). */
    private final FeedElement[] elements;
    /** Fingerprints in ascending order, and the base plan (index into ids) each belongs to. */
    private final long[] fingerprints;
    private final int[] owners;
    private final BitSet claimed;
    private final BitSet parsed;
    private long claimedPlanElements;
    private long claimedZoneElements;
    private long claimedPlans;
    private final List<String> claimedSkips = new ArrayList<>();

    private BasePlanScope(String[] ids, FeedElement[] elements) {
        this.ids = ids;
        this.elements = elements;
        int n = 0;
        for (FeedElement element : elements) {
            n += element == null ? 0 : 1;
        }
        long[][] pairs = new long[n][];
        int k = 0;
        for (int i = 0; i < elements.length; i++) {
            if (elements[i] != null) {
                pairs[k++] = new long[] { elements[i].fingerprint(), i };
            }
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        this.fingerprints = new long[n];
        this.owners = new int[n];
        for (int j = 0; j < n; j++) {
            fingerprints[j] = pairs[j][0];
            owners[j] = (int) pairs[j][1];
        }
        this.claimed = new BitSet(ids.length);
        this.parsed = new BitSet(ids.length);
    }

    static BasePlanScope empty() {
        return new BasePlanScope(new String[0], new FeedElement[0]);
    }

    static BasePlanScope load(Connection connection, int providerId) throws SQLException {
        record Row(String id, FeedElement element) {
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement(LOAD)) {
            st.setInt(1, providerId);
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long fingerprint = rs.getLong(2);
                    FeedElement element = rs.wasNull() ? null
                            : new FeedElement(fingerprint, rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getString(6));
                    rows.add(new Row(rs.getString(1), element));
                }
            }
        }
        rows.sort((a, b) -> a.id().compareTo(b.id()));
        int n = rows.size();
        String[] ids = new String[n];
        FeedElement[] elements = new FeedElement[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rows.get(i).id();
            elements[i] = rows.get(i).element();
        }
        return new BasePlanScope(ids, elements);
    }

    /** Claims the base plan whose element had this fingerprint, if one is in scope and not claimed yet. */
    boolean claim(long fingerprint) {
        int at = Arrays.binarySearch(fingerprints, fingerprint);
        if (at < 0) {
            return false;
        }
        // equal fingerprints (a collision) sit side by side: take the first one free
        while (at > 0 && fingerprints[at - 1] == fingerprint) {
            at--;
        }
        for (; at < fingerprints.length && fingerprints[at] == fingerprint; at++) {
            int owner = owners[at];
            if (!claimed.get(owner)) {
                claimed.set(owner);
                FeedElement element = elements[owner];
                claimedPlanElements += element.planElements();
                claimedZoneElements += element.zoneElements();
                claimedPlans += element.plans();
                if (element.skips() != null) {
                    claimedSkips.add(element.skips());
                }
                return true;
            }
        }
        return false;
    }

    /** Forgets every claim: the feed is parsed whole. */
    void unclaimAll() {
        claimed.clear();
        parsed.clear();
        claimedPlanElements = 0;
        claimedZoneElements = 0;
        claimedPlans = 0;
        claimedSkips.clear();
    }

    /**
     * A base plan the parse read: false when it is one already claimed (the feed names it again, in another element:
     * the claim no longer stands for all its rows).
     */
    boolean parsed(String id) {
        int at = Arrays.binarySearch(ids, id);
        if (at < 0) {
            return true;
        }
        if (claimed.get(at)) {
            return false;
        }
        parsed.set(at);
        return true;
    }

    boolean isClaimed(String id) {
        int at = Arrays.binarySearch(ids, id);
        return at >= 0 && claimed.get(at);
    }

    int size() {
        return ids.length;
    }

    int claimedCount() {
        return claimed.cardinality();
    }

    /** Plans of the claimed base plans: all in scope, unchanged. */
    long claimedPlans() {
        return claimedPlans;
    }

    /** What the claimed elements held: plan and zone elements, and their skips. */
    long claimedPlanElements() {
        return claimedPlanElements;
    }

    long claimedZoneElements() {
        return claimedZoneElements;
    }

    List<String> claimedSkips() {
        return claimedSkips;
    }

    /** The base plans in scope that were not claimed: their plans are compared one by one. */
    String[] unclaimed() {
        String[] out = new String[ids.length - claimed.cardinality()];
        int k = 0;
        for (int i = claimed.nextClearBit(0); i < ids.length; i = claimed.nextClearBit(i + 1)) {
            out[k++] = ids[i];
        }
        return out;
    }

    /** Calls {@code gone} with each base plan in scope that the feed did not contain. */
    void forEachGone(Consumer<String> gone) {
        for (int i = 0; i < ids.length; i++) {
            if (!claimed.get(i) && !parsed.get(i)) {
                gone.accept(ids[i]);
            }
        }
    }
}
