package io.eventsearch.ingestion.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.eventsearch.catalogue.BasePlan;
import io.eventsearch.catalogue.Plan;
import io.eventsearch.tools.FeedGenerator;

/** Every parser test again, with the records validated on a second thread: the same records, skips and failures. */
class FeedParserTwoThreadsTest extends FeedParserTest {

    @Override
    boolean twoThreads() {
        return true;
    }

    /** Everything a sink hears, in order. */
    static class Events implements FeedSink {
        final List<String> seen = new ArrayList<>();

        @Override
        public void basePlan(BasePlan basePlan) {
            seen.add("base " + basePlan);
        }

        @Override
        public void plan(BasePlan basePlan, Plan plan) {
            seen.add("plan " + basePlan.basePlanId() + " " + plan);
        }

        @Override
        public void skipped(SkipReason reason, String detail) {
            seen.add("skip " + reason + " " + detail);
        }
    }

    @Test
    void aDirtyFeedGivesTheSameEventsInTheSameOrderOnOneThreadOrTwo() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FeedGenerator.write(out, FeedGenerator.Options.of(300, 7, 4).dirty(0.05));
        Events one = new Events();
        Events two = new Events();
        FeedParser.Summary a = new FeedParser(false).parse(new ByteArrayInputStream(out.toByteArray()), one);
        FeedParser.Summary b = new FeedParser(true).parse(new ByteArrayInputStream(out.toByteArray()), two);
        assertThat(two.seen).hasSizeGreaterThan(2_000).isEqualTo(one.seen);
        assertThat(b).isEqualTo(a);
    }

    @Test
    void aFailureOfTheSinkStopsTheParseAndComesOutAsItself() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FeedGenerator.write(out, FeedGenerator.Options.of(300, 7, 4));
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> new FeedParser(true).parse(new ByteArrayInputStream(out.toByteArray()), new Events() {
            @Override
            public void plan(BasePlan basePlan, Plan plan) {
                if (seen.size() > 500) {
                    throw boom;
                }
                super.plan(basePlan, plan);
            }
        })).isSameAs(boom);
    }
}
