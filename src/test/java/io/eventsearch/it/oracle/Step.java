package io.eventsearch.it.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One step of a history: what happens to one provider (or instance) and then a sync, with its own seed, so a step
 * list replays the same way and any sub-list of it is a valid history too (which is how a failure is shrunk).
 */
record Step(Kind kind, int provider, long seed) {

    enum Kind {
        /** Plans appear (the first steps of every history). */
        GROW,
        /** A mix of changes: content, times, days, plans leaving and coming back, a base plan offline or online. */
        CHANGE,
        /** The same truth in other bytes (indentation, attribute order, padded titles). */
        RESPELL,
        /** The truth with dirt in it: bad records, bad zones, repeated plans. */
        DIRTY,
        /** The bytes served last time, again. */
        SAME_BYTES,
        /** More than half of the listed plans leave at once. */
        MASS_DROP,
        /** Every plan the provider has is listed again. */
        RESTORE,
        /** An empty, well-formed feed. */
        EMPTY,
        /** HTTP 500, a transfer cut halfway, or garbage. */
        FAIL,
        /** An operator confirms or rejects a held feed (nothing when nothing is held). */
        DECIDE,
        /** An instance is stopped and started again. */
        RESTART
    }

    @Override
    public String toString() {
        return kind + "(p" + provider + "," + seed + ")";
    }

    static List<Step> history(long seed, int count, int providers) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Step> steps = new ArrayList<>();
        for (int p = 0; p < providers; p++) {
            steps.add(new Step(Kind.GROW, p, random.nextLong()));
        }
        while (steps.size() < count) {
            int roll = random.nextInt(100);
            Kind kind = roll < 34 ? Kind.CHANGE : roll < 42 ? Kind.RESPELL : roll < 50 ? Kind.DIRTY
                    : roll < 56 ? Kind.SAME_BYTES : roll < 63 ? Kind.MASS_DROP : roll < 71 ? Kind.RESTORE
                    : roll < 77 ? Kind.EMPTY : roll < 84 ? Kind.FAIL : roll < 91 ? Kind.DECIDE : roll < 95 ? Kind.RESTART
                    : Kind.GROW;
            steps.add(new Step(kind, random.nextInt(providers), random.nextLong()));
        }
        return steps;
    }

    /** Parses {@code CHANGE(p1,123) EMPTY(p0,-5) ...}, as a failure prints it. */
    static List<Step> parse(String text) {
        List<Step> steps = new ArrayList<>();
        for (String part : text.trim().split("\\s+")) {
            int open = part.indexOf('(');
            int comma = part.indexOf(',');
            steps.add(new Step(Kind.valueOf(part.substring(0, open)), Integer.parseInt(part.substring(open + 2, comma)),
                    Long.parseLong(part.substring(comma + 1, part.length() - 1))));
        }
        return steps;
    }
}
