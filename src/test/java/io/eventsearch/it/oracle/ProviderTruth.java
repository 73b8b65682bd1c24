package io.eventsearch.it.oracle;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a provider really offers at a point of the history: its base plans and plans, and which of them it lists in
 * its feed right now. Steps mutate it (plans appear, change, move, leave, come back; base plans go offline and
 * online); {@link FeedWriter} renders it as a feed, in many spellings.
 */
final class ProviderTruth {

    static final LocalDateTime FIRST = LocalDateTime.of(2026, 1, 1, 0, 0);
    static final int SPAN_DAYS = 730;

    record Zone(String id, String name, int capacity, BigDecimal price, boolean numbered) {
    }

    static final class Plan {
        final String id;
        LocalDateTime start;
        LocalDateTime end;
        boolean soldOut;
        List<Zone> zones = new ArrayList<>();
        boolean listed = true;

        Plan(String id) {
            this.id = id;
        }
    }

    static final class Base {
        final String id;
        String title;
        boolean online = true;
        final Map<String, Plan> plans = new LinkedHashMap<>();

        Base(String id, String title) {
            this.id = id;
            this.title = title;
        }
    }

    final String provider;
    final Map<String, Base> bases = new LinkedHashMap<>();
    private int nextBase = 100;
    private int nextPlan = 1000;

    ProviderTruth(String provider) {
        this.provider = provider;
    }

    List<Plan> plans() {
        List<Plan> all = new ArrayList<>();
        bases.values().forEach(b -> all.addAll(b.plans.values()));
        return all;
    }

    List<Plan> listedPlans() {
        return plans().stream().filter(p -> p.listed).toList();
    }

    Base baseOf(Plan plan) {
        return bases.values().stream().filter(b -> b.plans.get(plan.id) == plan).findFirst().orElseThrow();
    }

    void addPlans(SplittableRandom random, int count) {
        for (int i = 0; i < count; i++) {
            Base base;
            if (bases.isEmpty() || random.nextInt(3) == 0) {
                String id = Integer.toString(nextBase++);
                base = new Base(id, title(random, id));
                bases.put(id, base);
            } else {
                base = pick(random, new ArrayList<>(bases.values()));
            }
            // plan ids repeat across base plans, as the real provider's do
            String planId = random.nextInt(8) == 0 && !base.plans.containsKey("1642") ? "1642" : Integer.toString(nextPlan++);
            Plan plan = new Plan(planId);
            retime(random, plan);
            plan.zones = zones(random);
            plan.soldOut = random.nextInt(5) == 0;
            base.plans.put(planId, plan);
        }
    }

    void changeContent(SplittableRandom random, Plan plan) {
        switch (random.nextInt(5)) {
            case 0 -> plan.zones = zones(random);
            case 1 -> plan.soldOut = !plan.soldOut;
            case 2 -> plan.end = plan.end.plusMinutes(15L * (1 + random.nextInt(4)));
            case 3 -> {
                if (!plan.zones.isEmpty()) {
                    Zone z = plan.zones.get(0);
                    plan.zones.set(0, new Zone(z.id(), z.name(), z.capacity(), price(random), z.numbered()));
                }
            }
            default -> retime(random, plan); // moves to another day
        }
    }

    static void retime(SplittableRandom random, Plan plan) {
        LocalDateTime start = FIRST.plusMinutes(15L * random.nextInt(SPAN_DAYS * 24 * 4));
        plan.start = start;
        // some end on a later day, one in twenty ends when it starts
        plan.end = random.nextInt(20) == 0 ? start : start.plusMinutes(15L * (1 + random.nextInt(random.nextInt(10) == 0 ? 200 : 12)));
    }

    static List<Zone> zones(SplittableRandom random) {
        int n = random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(4);
        List<Zone> zones = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // zone ids repeat inside a plan with other prices, as in the samples
            String id = Integer.toString(random.nextInt(3) == 0 && i > 0 ? 40 + i - 1 : 40 + i);
            zones.add(new Zone(id, ZONE_NAMES[random.nextInt(ZONE_NAMES.length)], random.nextInt(500), price(random),
                    random.nextBoolean()));
        }
        return zones;
    }

    static BigDecimal price(SplittableRandom random) {
        return BigDecimal.valueOf(random.nextInt(20000), 2);
    }

    static String title(SplittableRandom random, String id) {
        return WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)] + " " + id;
    }

    static <T> T pick(SplittableRandom random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static final String[] WORDS = { "Camela", "Pantomima", "Morancos", "Ópera", "Jazz & Blues", "Flamenco",
            "Teatro \"Real\"", "Circo <del> Sol", "Gala", "Tributo" };
    private static final String[] ZONE_NAMES = { "Platea", "Anfiteatro", "Palco", "General", "Amfiteatre & VIP" };
}
