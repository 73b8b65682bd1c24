package io.eventsearch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.UUID;

/**
 * The provider's plans in scope when the sync began, as sorted arrays of (id, content hash): 24 bytes a plan, so
 * 2.4 MB for 100k plans. While the feed is parsed each plan is looked up here: an in-scope plan with the same hash
 * is only marked as seen (nothing of it is staged, not even its zones); the plans never marked are those that leave
 * the scope. So the drop check and the staleness accounting come from memory, and the database only hears of what
 * changes.
 */
final class ScopeIndex {

    /** In no order: sorting here is cheaper than a sort (or a merge of every partition's index) in PostgreSQL. */
    private static final String LOAD = "SELECT id, content_hash, base_plan_id FROM plans WHERE provider_id = ? AND "
            + "last_seen_at = " + Scope.IN_SCOPE;
    /** The same, for the plans of some base plans only (by plans_base_plan_idx). */
    private static final String LOAD_OF = LOAD + " AND base_plan_id = ANY (?)";
    /**
     * Above this share of the provider's base plans, their plans are read by one pass over the whole scope: a
     * lookup per base plan costs more than that.
     */
    private static final double LOOKUP_SHARE = 0.25;

    private long[] msb;
    private long[] lsb;
    private long[] hashes;
    private int size;
    private final BitSet seen;
    private final BitSet staged;
    private int seenCount;
    private int duplicates;

    private ScopeIndex(long[] msb, long[] lsb, long[] hashes, int size) {
        this.msb = msb;
        this.lsb = lsb;
        this.hashes = hashes;
        this.size = size;
        this.seen = new BitSet(size);
        this.staged = new BitSet(size);
    }

    /** An index of the given plans, in any order (tests). */
    static ScopeIndex of(long[] msb, long[] lsb, long[] hashes) {
        ScopeIndex index = new ScopeIndex(msb.clone(), lsb.clone(), hashes.clone(), msb.length);
        index.sort(0, msb.length - 1);
        return index;
    }

    /** The id at a position (tests). */
    UUID id(int index) {
        return new UUID(msb[index], lsb[index]);
    }

    static ScopeIndex empty() {
        return new ScopeIndex(new long[0], new long[0], new long[0], 0);
    }

    /** Reads the provider's in-scope plans and sorts them by id (as unsigned 128-bit numbers). */
    static ScopeIndex load(Connection connection, int providerId) throws SQLException {
        return load(connection, providerId, null, null);
    }

    /**
     * The in-scope plans of the base plans the sync compares plan by plan: those in scope that were not claimed
     * (the plans of a claimed base plan are all still in the feed, unchanged).
     */
    static ScopeIndex load(Connection connection, int providerId, BasePlanScope basePlans) throws SQLException {
        if (basePlans.claimedCount() == 0) {
            return load(connection, providerId);
        }
        String[] unclaimed = basePlans.unclaimed();
        if (unclaimed.length == 0) {
            return empty();
        }
        if (unclaimed.length <= LOOKUP_SHARE * basePlans.size()) {
            return load(connection, providerId, unclaimed, null);
        }
        return load(connection, providerId, null, basePlan -> !basePlans.isClaimed(basePlan));
    }

    private static ScopeIndex load(Connection connection, int providerId, String[] basePlans,
            java.util.function.Predicate<String> keep) throws SQLException {
        // keep: which rows to keep, by base plan (null: all)
        long[] msb = new long[1024];
        long[] lsb = new long[1024];
        long[] hashes = new long[1024];
        int n = 0;
        try (PreparedStatement st = connection.prepareStatement(basePlans == null ? LOAD : LOAD_OF)) {
            st.setInt(1, providerId);
            if (basePlans != null) {
                st.setArray(2, connection.createArrayOf("text", basePlans));
            }
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    if (keep != null && !keep.test(rs.getString(3))) {
                        continue;
                    }
                    if (n == msb.length) {
                        int grown = n * 2;
                        msb = Arrays.copyOf(msb, grown);
                        lsb = Arrays.copyOf(lsb, grown);
                        hashes = Arrays.copyOf(hashes, grown);
                    }
                    UUID id = rs.getObject(1, UUID.class);
                    msb[n] = id.getMostSignificantBits();
                    lsb[n] = id.getLeastSignificantBits();
                    hashes[n] = rs.getLong(2);
                    n++;
                }
            }
        }
        ScopeIndex index = new ScopeIndex(Arrays.copyOf(msb, n), Arrays.copyOf(lsb, n), Arrays.copyOf(hashes, n), n);
        index.sort(0, n - 1);
        return index;
    }

    private int compare(int i, int j) {
        int c = Long.compareUnsigned(msb[i], msb[j]);
        return c != 0 ? c : Long.compareUnsigned(lsb[i], lsb[j]);
    }

    private void swap(int i, int j) {
        long t = msb[i];
        msb[i] = msb[j];
        msb[j] = t;
        t = lsb[i];
        lsb[i] = lsb[j];
        lsb[j] = t;
        t = hashes[i];
        hashes[i] = hashes[j];
        hashes[j] = t;
    }

    /** Quicksort of the three arrays together (ids are hashes, so no input is adversarial); insertion sort below 16. */
    void sort(int low, int high) {
        while (high - low >= 16) {
            int mid = (low + high) >>> 1;
            if (compare(mid, low) < 0) {
                swap(mid, low);
            }
            if (compare(high, low) < 0) {
                swap(high, low);
            }
            if (compare(high, mid) < 0) {
                swap(high, mid);
            }
            swap(mid, high - 1);
            int pivot = high - 1;
            int i = low;
            int j = high - 1;
            while (true) {
                while (compare(++i, pivot) < 0) {
                }
                while (compare(--j, pivot) > 0) {
                }
                if (i >= j) {
                    break;
                }
                swap(i, j);
            }
            swap(i, high - 1);
            // recurse into the smaller side, loop on the larger: the stack stays logarithmic
            if (i - low < high - i) {
                sort(low, i - 1);
                low = i + 1;
            } else {
                sort(i + 1, high);
                high = i - 1;
            }
        }
        for (int i = low + 1; i <= high; i++) {
            for (int j = i; j > low && compare(j, j - 1) < 0; j--) {
                swap(j, j - 1);
            }
        }
    }

    int size() {
        return size;
    }

    /** The position of a plan id, or -1 when it was not in scope. */
    int find(UUID id) {
        long hi = id.getMostSignificantBits();
        long lo = id.getLeastSignificantBits();
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int c = Long.compareUnsigned(msb[mid], hi);
            if (c == 0) {
                c = Long.compareUnsigned(lsb[mid], lo);
            }
            if (c < 0) {
                low = mid + 1;
            } else if (c > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /**
     * Marks an occurrence of the in-scope plan at {@code index} with content {@code hash}; true when it must be
     * staged: its content changed, or an earlier occurrence in this feed was staged (the last occurrence wins, so it
     * must be staged too even when it restores the stored content).
     */
    boolean occurrence(int index, long hash) {
        if (seen.get(index)) {
            duplicates++;
        } else {
            seen.set(index);
            seenCount++;
        }
        if (hashes[index] == hash && !staged.get(index)) {
            return false;
        }
        staged.set(index);
        return true;
    }

    /** Distinct in-scope plans the feed contains. */
    int seen() {
        return seenCount;
    }

    /** Repeated occurrences of in-scope plans. */
    int duplicates() {
        return duplicates;
    }

    /** Calls {@code gone} with each in-scope plan the feed did not contain. */
    void forEachGone(java.util.function.Consumer<UUID> gone) {
        for (int i = seen.nextClearBit(0); i < size; i = seen.nextClearBit(i + 1)) {
            gone.accept(new UUID(msb[i], lsb[i]));
        }
    }

    /** Frees the arrays once the merge no longer needs them. */
    void release() {
        msb = lsb = hashes = new long[0];
        size = 0;
    }
}
