package io.eventsearch.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.eventsearch.ingestion.feed.FeedParser;
import io.eventsearch.support.CollectingSink;

/**
 * The ingestion warm-up goes through what a sync runs on the CPU (the scan, a whole parse, a parse of the few
 * elements left unclaimed, the skip path) on a feed the parser accepts, and leaves nothing behind.
 */
class IngestionWarmUpTest {

    @TempDir
    Path spool;

    @Test
    void generatedFeedIsAValidFeedWithAFewDirtyRecords() throws Exception {
        Path file = spool.resolve("feed.xml");
        IngestionWarmUp.writeFeed(file);
        CollectingSink sink = new CollectingSink();
        FeedParser.Summary summary;
        try (InputStream in = Files.newInputStream(file)) {
            summary = new FeedParser().parse(in, sink);
        }
        assertThat(summary.basePlans()).isEqualTo(IngestionWarmUp.BASE_PLANS);
        assertThat(summary.plans()).isEqualTo(10 * IngestionWarmUp.BASE_PLANS);
        assertThat(summary.zones()).isEqualTo(50 * IngestionWarmUp.BASE_PLANS);
        assertThat(sink.skippedTotal()).as("the skip path is exercised too").isPositive().isLessThan(summary.zones() / 50);
        assertThat(sink.plans).hasSizeGreaterThan(summary.plans() * 9 / 10);
    }

    @Test
    void roundsReadTheFeedWholeThenMostlyClaimedAndCleanUp() throws Exception {
        IngestionWarmUp warmUp = new IngestionWarmUp(Duration.ofMillis(200), spool);
        IngestionWarmUp.Stats stats = warmUp.run();

        assertThat(stats.rounds()).isGreaterThanOrEqualTo(2);
        int wholeRounds = (stats.rounds() + 1) / 2;
        int claimedRounds = stats.rounds() / 2;
        // whole rounds read every element; the others only the few left unclaimed (about 1 in 32)
        assertThat(stats.elementsParsed())
                .isGreaterThan((long) wholeRounds * IngestionWarmUp.BASE_PLANS)
                .isLessThan((long) wholeRounds * IngestionWarmUp.BASE_PLANS + claimedRounds * IngestionWarmUp.BASE_PLANS / 4);
        assertThat(stats.fingerprinted()).as("each element read has the scan's fingerprint").isEqualTo(stats.elementsParsed());
        assertThat(stats.plansParsed()).isGreaterThan(stats.elementsParsed() * 9);
        try (var left = Files.list(spool)) {
            assertThat(left).as("the generated feed is deleted").isEmpty();
        }
    }

    @Test
    void startCompletesOnceAndOffIsDoneAtOnce() throws Exception {
        IngestionWarmUp off = new IngestionWarmUp(Duration.ZERO, spool);
        assertThat(off.start().toCompletableFuture().getNow(null)).isEqualTo(IngestionWarmUp.Stats.NONE);

        IngestionWarmUp on = new IngestionWarmUp(Duration.ofMillis(100), spool);
        IngestionWarmUp.Stats stats = on.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(stats.rounds()).isGreaterThanOrEqualTo(2);
        assertThat(on.start().toCompletableFuture().getNow(null)).as("started once").isSameAs(stats);
    }
}
