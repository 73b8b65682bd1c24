package io.eventsearch.it.oracle;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.eventsearch.storage.PlanIds;

/**
 * What the service must store and show, computed from the history of feeds alone: which feed of each provider was
 * applied, held or refused, what each applied feed left in the catalogue, and so which events each scope shows.
 * It never looks at the service's tables or SQL: it is the specification of the read side, written a second time.
 */
final class ServiceModel {

    /** A provider as configured on the instances, with its hold policy. */
    record ProviderConfig(String name, ZoneId zone, boolean allowEmptyFeed, int massDropFeeds, boolean massDropAfterZero) {
    }

    record StoredZone(String id, String name, int capacity, BigDecimal price, boolean numbered) {
    }

    record StoredPlan(String provider, String baseId, String planId, LocalDateTime start, LocalDateTime end,
            List<StoredZone> zones, Instant startsAt, Instant endsAt, UUID id) {
        BigDecimal min() {
            return zones.stream().map(StoredZone::price).min(Comparator.naturalOrder()).orElse(null);
        }

        BigDecimal max() {
            return zones.stream().map(StoredZone::price).max(Comparator.naturalOrder()).orElse(null);
        }
    }

    record StoredBase(String title, boolean online, boolean everOnline) {
    }

    /** One visible event, as both APIs show it. */
    record Event(StoredPlan plan, String title) {
    }

    static final class Stored {
        final ProviderConfig config;
        final Map<String, StoredBase> bases = new HashMap<>();
        final Map<String, StoredPlan> plans = new LinkedHashMap<>();
        /** Keys (base|plan) of the plans and ids of the base plans in the last applied feed: the latest scope. */
        java.util.Set<String> latestPlans = new java.util.HashSet<>();
        java.util.Set<String> latestBases = new java.util.HashSet<>();
        byte[] lastApplied;
        boolean applied;
        // the hold
        String heldReason;
        int heldFeeds;
        byte[] heldBytes;
        byte[] confirmedBytes;

        Stored(ProviderConfig config) {
            this.config = config;
        }
    }

    /** What a sync must end in. */
    record Outcome(String outcome, String reason) {
        static final Outcome SUCCEEDED = new Outcome("succeeded", null);
        static final Outcome UNCHANGED = new Outcome("unchanged", null);
        static final Outcome FAILED = new Outcome("failed", null);
    }

    private static final double MAX_DROP_RATIO = 0.5;

    final Map<String, Stored> providers = new LinkedHashMap<>();

    ServiceModel(List<ProviderConfig> configs) {
        configs.forEach(c -> providers.put(c.name(), new Stored(c)));
    }

    /** A download that gave no feed (an error status, a cut transfer, garbage): nothing changes. */
    Outcome failed(String provider) {
        return Outcome.FAILED;
    }

    /** A feed the provider served, as parsed content. */
    Outcome feed(String provider, byte[] bytes, FeedContent content) {
        Stored s = providers.get(provider);
        if (s.heldReason == null && s.applied && Arrays.equals(bytes, s.lastApplied)) {
            return Outcome.UNCHANGED;
        }
        long inScope = s.latestPlans.size();
        long stillPresent = s.latestPlans.stream().filter(content.plans::containsKey).count();
        double ratio = inScope == 0 ? 0 : (double) (inScope - stillPresent) / inScope;
        if (ratio > MAX_DROP_RATIO) {
            boolean confirmed = s.confirmedBytes != null && Arrays.equals(s.confirmedBytes, bytes);
            if (!confirmed) {
                String reason = null;
                if (content.plans.isEmpty()) {
                    if (!s.config.allowEmptyFeed()) {
                        reason = "empty_feed";
                    }
                } else {
                    int inARow = s.heldFeeds + 1;
                    // mass-drop-after is 0 (always passed) or an hour (never passed within a run)
                    boolean oldEnough = s.config.massDropAfterZero();
                    if (!(inARow >= s.config.massDropFeeds() && oldEnough)) {
                        reason = "mass_drop";
                    }
                }
                if (reason != null) {
                    s.heldReason = reason;
                    s.heldFeeds++;
                    s.heldBytes = bytes;
                    return new Outcome("held", reason);
                }
            }
        }
        apply(s, bytes, content);
        return Outcome.SUCCEEDED;
    }

    private void apply(Stored s, byte[] bytes, FeedContent content) {
        for (Map.Entry<String, FeedContent.Base> e : content.bases.entrySet()) {
            StoredBase before = s.bases.get(e.getKey());
            boolean online = e.getValue().online();
            s.bases.put(e.getKey(), new StoredBase(e.getValue().title(), online,
                    online || (before != null && before.everOnline())));
        }
        for (Map.Entry<String, StoredPlan> e : content.plans.entrySet()) {
            s.plans.put(e.getKey(), e.getValue());
        }
        s.latestPlans = new java.util.HashSet<>(content.plans.keySet());
        s.latestBases = new java.util.HashSet<>(content.bases.keySet());
        s.lastApplied = bytes;
        s.applied = true;
        s.heldReason = null;
        s.heldFeeds = 0;
        s.heldBytes = null;
        s.confirmedBytes = null;
    }

    /** Operator: the held feed applies when it comes again. */
    void confirm(String provider) {
        Stored s = providers.get(provider);
        s.confirmedBytes = s.heldBytes;
    }

    /** Operator: the hold ends, nothing applies. */
    void reject(String provider) {
        Stored s = providers.get(provider);
        s.heldReason = null;
        s.heldFeeds = 0;
        s.heldBytes = null;
        s.confirmedBytes = null;
    }

    boolean held(String provider) {
        return providers.get(provider).heldReason != null;
    }

    /** Every visible event of a scope, in the APIs' order: start instant, then id as PostgreSQL orders uuids. */
    List<Event> visible(boolean everSeen) {
        List<Event> out = new ArrayList<>();
        for (Stored s : providers.values()) {
            for (Map.Entry<String, StoredPlan> e : s.plans.entrySet()) {
                StoredPlan plan = e.getValue();
                StoredBase base = s.bases.get(plan.baseId());
                boolean visible = everSeen ? base.everOnline() : s.latestPlans.contains(e.getKey()) && base.online();
                if (visible) {
                    out.add(new Event(plan, base.title()));
                }
            }
        }
        out.sort(ORDER);
        return out;
    }

    static final Comparator<Event> ORDER = Comparator.<Event, Instant>comparing(e -> e.plan().startsAt())
            .thenComparing((a, b) -> compareUuids(a.plan().id(), b.plan().id()));

    /** PostgreSQL compares uuids as bytes: unsigned, most significant first (Java's UUID.compareTo is signed). */
    static int compareUuids(UUID a, UUID b) {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    /** The valid content of one feed, after the service's normalisation and "last occurrence wins". */
    static final class FeedContent {
        record Base(String title, boolean online) {
        }

        final Map<String, Base> bases = new LinkedHashMap<>();
        final Map<String, StoredPlan> plans = new LinkedHashMap<>();

        /** The truth as the feed lists it: what a correct service reads from any spelling of it. */
        static FeedContent of(ProviderTruth truth, ZoneId zone) {
            FeedContent content = new FeedContent();
            for (ProviderTruth.Base base : truth.bases.values()) {
                List<ProviderTruth.Plan> listed = base.plans.values().stream().filter(p -> p.listed).toList();
                if (listed.isEmpty()) {
                    continue;
                }
                content.bases.put(base.id, new Base(base.title, base.online));
                for (ProviderTruth.Plan plan : listed) {
                    List<StoredZone> zones = plan.zones.stream()
                            .map(z -> new StoredZone(z.id(), z.name(), z.capacity(), z.price(), z.numbered())).toList();
                    content.plans.put(base.id + '|' + plan.id, new StoredPlan(truth.provider, base.id, plan.id,
                            plan.start, plan.end, zones, plan.start.atZone(zone).toInstant(),
                            plan.end.atZone(zone).toInstant(), PlanIds.of(truth.provider, base.id, plan.id)));
                }
            }
            return content;
        }

        static FeedContent empty() {
            return new FeedContent();
        }
    }
}
