package io.eventsearch.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.provider.ProviderGuards;
import io.eventsearch.provider.ProviderSettings;
import io.eventsearch.storage.SyncRun;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.TestDatabase;
import io.eventsearch.tools.FeedGenerator;
import io.eventsearch.tools.FeedGenerator.Options;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The paths of a sync: a provider's first feed (COPY straight into the catalogue, or staged when it repeats a plan),
 * a later feed that changed a little (only the changed rows written), and a first sync interrupted mid-way.
 */
@QuarkusTest
class SyncPathsTest {

    @Inject
    SyncService sync;
    @Inject
    ProviderRegistry registry;
    @Inject
    ProviderGuards guards;
    @Inject
    TestDatabase db;

    Path file;
    RegisteredProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        db.reset();
        guards.reset("paths");
        file = Files.createTempFile("paths-", ".xml");
        file.toFile().deleteOnExit();
        provider = registry.register(ProviderSettings.of("paths", file.toUri()));
    }

    private SyncRun sync() {
        return sync.sync(provider).await().atMost(Duration.ofSeconds(120));
    }

    private long version() {
        return (long) db.value("SELECT data_version FROM catalogue_state");
    }

    private long inScope() {
        return db.count("SELECT count(*) FROM plans WHERE last_seen_at = 'infinity'");
    }

    @Test
    void aProvidersFirstFeedGoesStraightIntoTheCatalogueWithItsWholeChangeSet() throws Exception {
        FeedGenerator.write(file, Options.of(200, 5, 3));
        SyncRun first = sync();
        assertThat(first.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(first.plansInserted).isEqualTo(1_000);
        assertThat(first.basePlansInserted).isEqualTo(200);
        assertThat(first.zonesWritten).isEqualTo(3_000);
        assertThat(first.plansUpdated + first.plansUnchanged + first.plansReturned + first.plansGoneStale).isZero();
        assertThat(inScope()).isEqualTo(1_000);
        assertThat(db.count("SELECT count(*) FROM zones")).isEqualTo(3_000);
        assertThat(db.count("SELECT count(*) FROM base_plans WHERE last_seen_at = 'infinity'")).isEqualTo(200);
        // first seen, updated and applied at the transaction's time
        assertThat(db.count("""
                SELECT count(*) FROM plans p JOIN providers pr ON pr.id = p.provider_id
                WHERE p.first_seen_at = pr.current_seen_at AND p.updated_at = pr.current_seen_at""")).isEqualTo(1_000);
        // every plan entered the scope: the change set of the new version is all of them
        long version = version();
        assertThat(db.count("SELECT count(*) FROM catalogue_changes WHERE data_version = " + version)).isEqualTo(1_000);
        assertThat(db.count("SELECT count(*) FROM sync_runs WHERE outcome = 'succeeded' AND plans_inserted = 1000 "
                + "AND zones_written = 3000")).isEqualTo(1);
        // the load outgrew the planner's statistics (the tables were truncated): they were brought up to date with it
        assertThat(((Number) db.value("SELECT reltuples FROM pg_class WHERE oid = 'plan_identities'::regclass"))
                .doubleValue()).isEqualTo(1_000);
        assertThat(((Number) db.value("SELECT reltuples FROM pg_class WHERE oid = 'zones'::regclass")).doubleValue())
                .isEqualTo(3_000);
    }

    @Test
    void aFirstFeedThatRepeatsAPlanIsStagedAndTheLastOccurrenceWins() throws Exception {
        // 291's plan appears twice; the second time it costs 99.00
        String feed = Feeds.text(Feeds.planList(1));
        int start = feed.indexOf("<plan ", feed.indexOf("base_plan_id=\"291\""));
        int end = feed.indexOf("</plan>", start) + "</plan>".length();
        String again = feed.substring(start, end).replaceAll("price=\"[0-9.]+\"", "price=\"99.00\"");
        Files.writeString(file, feed.substring(0, end) + "\n" + again + feed.substring(end));
        SyncRun first = sync();
        assertThat(first.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(first.plansInserted).isEqualTo(4);
        assertThat(first.skipped).containsEntry("duplicate_plan", 1L);
        assertThat(db.value("SELECT min_price || '-' || max_price FROM plans WHERE base_plan_id = '291'"))
                .isEqualTo("99.00-99.00");
        assertThat(db.count("SELECT count(*) FROM plans")).isEqualTo(4);
        assertThat(inScope()).isEqualTo(4);
        assertThat(db.count("SELECT count(*) FROM catalogue_changes WHERE data_version = " + version())).isEqualTo(4);
    }

    @Test
    void aFeedWithOnePercentChangedWritesOnlyTheChangedPlansAndTheirZones() throws Exception {
        Options options = Options.of(200, 5, 3);
        FeedGenerator.write(file, options);
        sync();
        List<Map<String, Object>> before = db.rows("SELECT id, xmin::text AS v, content_hash FROM plans ORDER BY id");
        long zoneVersions = db.count("SELECT count(DISTINCT xmin::text) FROM zones");
        String baseRows = "SELECT base_plan_id, xmin::text AS v, content_hash, updated_at, feed_fingerprint FROM base_plans "
                + "ORDER BY base_plan_id";
        List<Map<String, Object>> basesBefore = db.rows(baseRows);

        // every 100th plan's first zone 1.00 dearer: 10 of 1,000
        FeedGenerator.write(file, options, 100);
        SyncRun delta = sync();
        assertThat(delta.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(delta.plansUpdated).isEqualTo(10);
        assertThat(delta.plansUnchanged).isEqualTo(990);
        assertThat(delta.plansInserted + delta.plansReturned + delta.plansGoneStale).isZero();
        assertThat(delta.zonesWritten).isEqualTo(30);
        assertThat(delta.basePlansUnchanged).isEqualTo(200);
        assertThat(delta.basePlansUpdated + delta.basePlansInserted).isZero();

        List<Map<String, Object>> after = db.rows("SELECT id, xmin::text AS v, content_hash FROM plans ORDER BY id");
        long rewritten = 0;
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).get("v").equals(after.get(i).get("v"))) {
                rewritten++;
                assertThat(after.get(i).get("content_hash")).isNotEqualTo(before.get(i).get("content_hash"));
            }
        }
        assertThat(rewritten).as("plan rows written").isEqualTo(10);
        assertThat(db.count("SELECT count(DISTINCT xmin::text) FROM zones")).isEqualTo(zoneVersions + 1);
        assertThat(db.count("SELECT count(*) FROM zones z JOIN plans p ON p.id = z.plan_id "
                + "WHERE p.updated_at > p.first_seen_at")).isEqualTo(30);
        // a base plan row is written only when its element's fingerprint changed (one of its plans did): its content
        // and updated_at stay
        List<Map<String, Object>> basesAfter = db.rows(baseRows);
        long basesRewritten = 0;
        for (int i = 0; i < basesBefore.size(); i++) {
            Map<String, Object> was = basesBefore.get(i);
            Map<String, Object> is = basesAfter.get(i);
            assertThat(is.get("content_hash")).isEqualTo(was.get("content_hash"));
            assertThat(is.get("updated_at")).isEqualTo(was.get("updated_at"));
            if (!was.get("v").equals(is.get("v"))) {
                basesRewritten++;
                assertThat(is.get("feed_fingerprint")).isNotEqualTo(was.get("feed_fingerprint"));
            }
        }
        assertThat(basesRewritten).as("base plan rows written").isEqualTo(10);
        // the change set is the changed plans, no more
        assertThat(db.count("SELECT count(*) FROM catalogue_changes WHERE data_version = " + version())).isEqualTo(10);
        assertThat(db.count("SELECT count(*) FROM sync_runs WHERE plans_updated = 10 AND plans_unchanged = 990 "
                + "AND zones_written = 30")).isEqualTo(1);
        assertThat(inScope()).isEqualTo(1_000);
    }

    @Test
    void plansThatLeaveAndComeBackKeepTheirHistoryAndAreTheOnlyRowsWritten() throws Exception {
        FeedGenerator.write(file, Options.of(200, 5, 3));
        sync();
        Object firstSync = db.value("SELECT current_seen_at FROM providers");
        // the last 20 base plans (100 plans) leave
        FeedGenerator.write(file, Options.of(180, 5, 3));
        SyncRun smaller = sync();
        assertThat(smaller.plansGoneStale).isEqualTo(100);
        assertThat(smaller.basePlansGoneStale).isEqualTo(20);
        assertThat(smaller.plansUnchanged).isEqualTo(900);
        assertThat(smaller.rowsWritten()).isZero();
        assertThat(inScope()).isEqualTo(900);
        assertThat(db.count("SELECT count(*) FROM catalogue_changes WHERE data_version = " + version())).isEqualTo(100);
        // they were last seen by the first sync
        assertThat(db.count("SELECT count(*) FROM plans WHERE last_seen_at = '" + firstSync + "'")).isEqualTo(100);
        assertThat(db.count("SELECT count(*) FROM base_plans WHERE last_seen_at = '" + firstSync + "'")).isEqualTo(20);

        FeedGenerator.write(file, Options.of(200, 5, 3));
        SyncRun back = sync();
        assertThat(back.plansReturned).isEqualTo(100);
        assertThat(back.basePlansReturned).isEqualTo(20);
        assertThat(back.plansUnchanged).isEqualTo(900);
        assertThat(back.plansInserted + back.plansUpdated + back.zonesWritten).isZero();
        assertThat(inScope()).isEqualTo(1_000);
        assertThat(db.count("SELECT count(*) FROM base_plans WHERE last_seen_at = 'infinity'")).isEqualTo(200);
        assertThat(db.count("SELECT count(*) FROM catalogue_changes WHERE data_version = " + version())).isEqualTo(100);
    }

    /** Every row of the catalogue with its row version: what a sync wrote shows as a changed version. */
    private List<Map<String, Object>> catalogue() {
        return db.rows("""
                SELECT 'b' AS t, base_plan_id AS k, xmin::text AS v, last_seen_at::text AS s, feed_fingerprint AS f
                FROM base_plans
                UNION ALL SELECT 'p', id::text, xmin::text, last_seen_at::text, content_hash FROM plans
                UNION ALL SELECT 'z', plan_id::text || '/' || position, xmin::text, NULL, NULL FROM zones
                ORDER BY 1, 2
                """);
    }

    @Test
    void aFeedOfTheSameContentInOtherBytesIsNotReadAndWritesNothing() throws Exception {
        Options options = Options.of(200, 5, 3);
        FeedGenerator.write(file, options);
        SyncRun first = sync();
        assertThat(first.basePlansUnread).isZero();
        assertThat(db.count("SELECT count(*) FROM base_plans WHERE feed_fingerprint IS NOT NULL "
                + "AND feed_plans = 5 AND feed_plan_elements = 5 AND feed_zone_elements = 15 AND feed_skips IS NULL"))
                .isEqualTo(200);
        List<Map<String, Object>> before = catalogue();
        long versionBefore = version();

        String feed = Files.readString(file);
        Files.writeString(file, feed.replace("\n", "\r\n\t"));
        SyncRun reindented = sync();
        assertThat(reindented.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(reindented.basePlansUnread).isEqualTo(200);
        assertThat(reindented.basePlansUnchanged).isEqualTo(200);
        assertThat(reindented.plansUnchanged).isEqualTo(1_000);
        assertThat(reindented.basePlansSeen).isEqualTo(200);
        assertThat(reindented.plansSeen).isEqualTo(1_000);
        assertThat(reindented.zonesSeen).isEqualTo(3_000);
        assertThat(reindented.rowsWritten() + reindented.plansGoneStale + reindented.basePlansGoneStale).isZero();
        assertThat(catalogue()).isEqualTo(before);
        assertThat(version()).isEqualTo(versionBefore);
        assertThat(db.count("SELECT count(*) FROM sync_runs WHERE base_plans_unread = 200 AND plans_unchanged = 1000"))
                .isEqualTo(1);
    }

    @Test
    void anUnchangedElementWithSkippedRecordsIsNotReadAgainButItsSkipsAreCountedAgain() throws Exception {
        Options options = Options.of(200, 5, 3).dirty(0.05);
        FeedGenerator.write(file, options);
        SyncRun first = sync();
        assertThat(first.skippedTotal()).isPositive();
        assertThat(db.count("SELECT count(*) FROM base_plans WHERE feed_skips IS NOT NULL")).isPositive();
        assertThat(db.count("SELECT count(*) FROM base_plans WHERE feed_fingerprint IS NULL")).isZero();
        List<Map<String, Object>> before = catalogue();

        Files.writeString(file, Files.readString(file).replace("\n", "\n  "));
        SyncRun again = sync();
        assertThat(again.basePlansUnread).isEqualTo(200);
        assertThat(again.skipped).isEqualTo(first.skipped);
        assertThat(again.plansSeen).isEqualTo(first.plansSeen);
        assertThat(again.zonesSeen).isEqualTo(first.zonesSeen);
        assertThat(again.plansUnchanged).isEqualTo(first.plansInserted);
        assertThat(again.rowsWritten()).isZero();
        assertThat(catalogue()).isEqualTo(before);
        assertThat(db.count("SELECT count(*) FROM sync_runs WHERE skipped_total = " + first.skippedTotal())).isEqualTo(2);
    }

    @Test
    void aBasePlanElementThatChangesIsReadAndOnlyItsChangedPlanWritten() throws Exception {
        FeedGenerator.write(file, Options.of(50, 4, 2));
        sync();
        List<Map<String, Object>> before = catalogue();
        String feed = Files.readString(file);
        // one plan of base plan 1010 ends a minute later; base plan 1020 leaves (with its four plans)
        int plan = feed.indexOf("plan_end_date=\"", feed.indexOf("base_plan_id=\"1010\""));
        int at = plan + "plan_end_date=\"".length();
        String end = feed.substring(at, at + 19);
        String later = java.time.LocalDateTime.parse(end).plusMinutes(1).toString();
        feed = feed.substring(0, at) + later + feed.substring(at + 19);
        int leaving = feed.lastIndexOf("<base_plan ", feed.indexOf("base_plan_id=\"1020\""));
        feed = feed.substring(0, leaving) + feed.substring(feed.indexOf("</base_plan>", leaving) + "</base_plan>".length());
        Files.writeString(file, feed);

        SyncRun delta = sync();
        assertThat(delta.basePlansUnread).isEqualTo(48);
        assertThat(delta.plansUpdated).isEqualTo(1);
        assertThat(delta.plansUnchanged).isEqualTo(195);
        assertThat(delta.plansGoneStale).isEqualTo(4);
        assertThat(delta.basePlansGoneStale).isEqualTo(1);
        assertThat(delta.basePlansUnchanged).isEqualTo(49);
        assertThat(delta.zonesWritten).isEqualTo(2);
        assertThat(inScope()).isEqualTo(196);
        // written: the changed plan, its zones, its base plan's fingerprint, the base plan and plans that left
        List<Map<String, Object>> after = catalogue();
        long written = 0;
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).get("v").equals(after.get(i).get("v"))) {
                written++;
            }
        }
        assertThat(written).isEqualTo(1 + 2 + 1 + 1 + 4);
        assertThat(db.count("SELECT count(*) FROM base_plans WHERE base_plan_id = '1010' AND feed_fingerprint <> "
                + before.stream().filter(r -> r.get("k").equals("1010")).findFirst().orElseThrow().get("f")))
                .isEqualTo(1);

        // the same feed again (other bytes): every element unchanged, nothing written
        Files.writeString(file, feed.replace("\n", "\n "));
        List<Map<String, Object>> settled = catalogue();
        SyncRun again = sync();
        assertThat(again.basePlansUnread).isEqualTo(49);
        assertThat(again.rowsWritten() + again.plansGoneStale).isZero();
        assertThat(catalogue()).isEqualTo(settled);
    }

    @Test
    void aFeedThatNamesAnUnchangedBasePlanAgainInAnotherElementIsReadWholeAndTheLastOccurrenceWins() throws Exception {
        FeedGenerator.write(file, Options.of(20, 3, 2));
        sync();
        String feed = Files.readString(file);
        int start = feed.lastIndexOf("<base_plan ", feed.indexOf("base_plan_id=\"1005\""));
        String element = feed.substring(start, feed.indexOf("</base_plan>", start) + "</base_plan>".length());
        // the same base plan once more at the end, renamed and with one plan fewer
        String copy = element.replaceFirst("title=\"[^\"]*\"", "title=\"Renamed\"");
        copy = copy.substring(0, copy.lastIndexOf("<plan ")) + "</base_plan>";
        int close = feed.indexOf("</output>");
        Files.writeString(file, feed.substring(0, close) + copy + "\n" + feed.substring(close));

        SyncRun run = sync();
        assertThat(run.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(run.basePlansUnread).isZero();
        assertThat(run.basePlansUpdated).isEqualTo(1);
        assertThat(run.plansGoneStale).isZero();
        assertThat(db.value("SELECT title FROM base_plans WHERE base_plan_id = '1005'")).isEqualTo("Renamed");
        // its rows are no one element's: no fingerprint, read again next time
        assertThat(db.value("SELECT feed_fingerprint FROM base_plans WHERE base_plan_id = '1005'")).isNull();
        assertThat(inScope()).isEqualTo(60);
        SyncRun next = sync();
        assertThat(next.outcome).isEqualTo(SyncRun.Outcome.UNCHANGED);
        Files.writeString(file, Files.readString(file).replace("\n", "\n "));
        SyncRun reread = sync();
        assertThat(reread.basePlansUnread).isEqualTo(19);
        assertThat(reread.rowsWritten()).isZero();
    }

    @Test
    void aDeltaSyncInterruptedMidwayLeavesEverythingAsItWasAndTheNextOneAppliesIt() throws Exception {
        Options options = Options.of(2_000, 10, 4);
        FeedGenerator.write(file, options);
        sync();
        List<Map<String, Object>> before = catalogue();
        Object seenBefore = db.value("SELECT current_seen_at FROM providers");
        // every plan changed (so the sync stages plenty), killed while it writes
        FeedGenerator.write(file, options.seed(43));
        CompletableFuture<SyncRun> running = sync.sync(provider).subscribeAsCompletionStage();
        db.killWriterRunning("COPY stage_zones%");
        SyncRun killed = running.get();
        assertThat(killed.outcome).isEqualTo(SyncRun.Outcome.FAILED);
        assertThat(catalogue()).isEqualTo(before);
        assertThat(db.value("SELECT current_seen_at FROM providers")).isEqualTo(seenBefore);

        SyncRun next = sync();
        assertThat(next.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(next.basePlansUnread).isZero();
        assertThat(next.plansUpdated + next.plansInserted).isPositive();
        assertThat(inScope()).isEqualTo(20_000);
    }

    @Test
    void aFirstSyncInterruptedMidwayLeavesNothingAndTheNextOneLoadsEverything() throws Exception {
        // big enough that its transaction is still open when we kill it
        FeedGenerator.write(file, Options.of(2_000, 10, 4));
        CompletableFuture<SyncRun> running = sync.sync(provider).subscribeAsCompletionStage();
        db.killWriterRunning("COPY zones%");
        SyncRun killed = running.get();
        assertThat(killed.outcome).isEqualTo(SyncRun.Outcome.FAILED);
        assertThat(killed.failureReason).isEqualTo("database_error");
        assertThat(db.count("SELECT count(*) FROM base_plans")).isZero();
        assertThat(db.count("SELECT count(*) FROM plan_identities")).isZero();
        assertThat(db.count("SELECT count(*) FROM plans")).isZero();
        assertThat(db.count("SELECT count(*) FROM zones")).isZero();
        assertThat(db.value("SELECT current_seen_at FROM providers")).isNull();

        SyncRun next = sync();
        assertThat(next.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(next.plansInserted).isEqualTo(20_000);
        assertThat(next.zonesWritten).isEqualTo(80_000);
        assertThat(inScope()).isEqualTo(20_000);
    }

    @Test
    void aMalformedFirstFeedLeavesNothing() throws Exception {
        String feed = Feeds.text(Feeds.planList(1));
        Files.writeString(file, feed.substring(0, feed.length() - 40));
        SyncRun broken = sync();
        assertThat(broken.outcome).isEqualTo(SyncRun.Outcome.FAILED);
        assertThat(broken.failureReason).isEqualTo("malformed_feed");
        assertThat(db.count("SELECT count(*) FROM base_plans")).isZero();
        assertThat(db.count("SELECT count(*) FROM plans")).isZero();
        assertThat(db.value("SELECT current_seen_at FROM providers")).isNull();
    }
}
