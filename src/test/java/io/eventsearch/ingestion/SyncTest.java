package io.eventsearch.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.provider.ProviderSettings;
import io.eventsearch.storage.PlanIds;
import io.eventsearch.storage.SyncRun;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.Feeds.FeedFile;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SyncTest {

    @Inject
    SyncService sync;

    @Inject
    ProviderRegistry registry;

    @Inject
    TestDatabase db;

    @Inject
    io.eventsearch.provider.ProviderGuards guards;

    FeedFile feed;
    RegisteredProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        db.reset();
        guards.reset("sample");
        feed = new FeedFile();
        provider = registry.register(ProviderSettings.of("sample", feed.uri()));
    }

    SyncRun syncWith(byte[] content) {
        feed.write(content);
        return sync.sync(provider).await().atMost(Duration.ofSeconds(30));
    }

    SyncRun syncWith(String content) {
        return syncWith(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    long inScope() {
        return db.count("SELECT count(*) FROM plans p WHERE p.last_seen_at = 'infinity'");
    }

    List<Map<String, Object>> planSnapshot() {
        return db.rows("SELECT id, starts_at, ends_at, min_price, max_price, content_hash, last_seen_at, updated_at FROM plans ORDER BY id");
    }

    @Test
    void theThreeSampleResponsesInOrder() {
        SyncRun first = syncWith(Feeds.planList(1));
        assertThat(first.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(first.plansInserted).isEqualTo(4);
        assertThat(first.basePlansInserted).isEqualTo(3);
        assertThat(first.zonesWritten).isEqualTo(7);
        assertThat(first.plansGoneStale).isZero();
        assertThat(db.count("SELECT count(*) FROM plans")).isEqualTo(4);
        // one identity per (provider, base_plan_id, plan_id), enforced across partitions
        assertThat(db.count("SELECT count(*) FROM plan_identities")).isEqualTo(4);
        // zone ids repeat inside 1591/1642: both rows are kept, in feed order
        assertThat(db.rows("SELECT zone_id, capacity, price FROM zones z JOIN plans p ON p.id = z.plan_id "
                + "WHERE p.base_plan_id = '1591' ORDER BY position"))
                .extracting(r -> r.get("zone_id") + ":" + r.get("capacity") + ":" + r.get("price"))
                .containsExactly("186:2:75.00", "186:16:65.00");
        assertThat(db.value("SELECT min_price || '-' || max_price FROM plans WHERE base_plan_id = '291'")).isEqualTo("15.00-30.00");
        assertThat(inScope()).isEqualTo(4);

        SyncRun second = syncWith(Feeds.planList(2));
        assertThat(second.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(second.plansInserted).isZero();
        assertThat(second.plansUpdated).isEqualTo(2); // 291 capacities; 1591/1642 end time and capacities
        assertThat(second.plansGoneStale).isEqualTo(2); // both plans of 322
        assertThat(second.basePlansInserted).isEqualTo(1); // 444, offline
        assertThat(second.basePlansGoneStale).isEqualTo(1); // 322
        assertThat(second.skipped).containsExactly(Map.entry("invalid_date", 1L));
        // nothing is deleted: the stale plans keep when they were last seen (the first sync) and leave the scope
        assertThat(db.count("SELECT count(*) FROM plans")).isEqualTo(4);
        assertThat(inScope()).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM plans p JOIN providers pr ON pr.id = p.provider_id "
                + "WHERE p.base_plan_id = '322' AND p.last_seen_at = p.first_seen_at AND p.last_seen_at < pr.current_seen_at"))
                .isEqualTo(2);
        assertThat(db.value("SELECT last_seen_at = first_seen_at FROM base_plans WHERE base_plan_id = '322'")).isEqualTo(true);
        assertThat(db.count("SELECT count(*) FROM zones WHERE plan_id IN (SELECT id FROM plans WHERE base_plan_id = '322')"))
                .isEqualTo(2);
        assertThat(db.rows("SELECT capacity FROM zones z JOIN plans p ON p.id = z.plan_id "
                + "WHERE p.base_plan_id = '1591' ORDER BY position")).extracting(r -> r.get("capacity")).containsExactly(0, 14);
        assertThat(db.value("SELECT sell_mode FROM base_plans WHERE base_plan_id = '444'")).isEqualTo("offline");

        SyncRun third = syncWith(Feeds.planList(3));
        assertThat(third.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(third.plansUpdated).isEqualTo(2);
        assertThat(third.plansGoneStale).isZero();
        assertThat(inScope()).isEqualTo(2);
        assertThat(db.value("SELECT to_char(end_local, 'HH24:MI') FROM plans WHERE base_plan_id = '291'")).isEqualTo("21:30");

        // every run is on record
        assertThat(db.rows("SELECT outcome, plans_seen, feed_bytes > 0 AS has_bytes, duration_ms >= 0 AS timed, skipped::text "
                + "FROM sync_runs ORDER BY id"))
                .extracting(r -> r.get("outcome") + " " + r.get("plans_seen") + " " + r.get("has_bytes") + " " + r.get("timed")
                        + " " + r.get("skipped"))
                .containsExactly("succeeded 4 true true {}", "succeeded 3 true true {\"invalid_date\": 1}",
                        "succeeded 3 true true {\"invalid_date\": 1}");
    }

    @Test
    void planIdsAreStableAndDistinctForAReusedPlanId() {
        syncWith(Feeds.planList(1));
        List<Object> ids = db.rows("SELECT id FROM plans WHERE plan_id = '1642' ORDER BY base_plan_id").stream()
                .map(r -> r.get("id")).toList();
        assertThat(ids).containsExactly(PlanIds.of("sample", "1591", "1642"), PlanIds.of("sample", "322", "1642"));
        db.reset();
        provider = registerAgain();
        syncWith(Feeds.planList(1));
        assertThat(db.rows("SELECT id FROM plans WHERE plan_id = '1642' ORDER BY base_plan_id").stream()
                .map(r -> r.get("id")).toList()).isEqualTo(ids);
    }

    private RegisteredProvider registerAgain() {
        try {
            return registry.register(ProviderSettings.of("sample", feed.uri()));
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anIdenticalFeedIsShortCircuitedAndStillCountsAsSeen() {
        syncWith(Feeds.planList(1));
        List<Map<String, Object>> before = planSnapshot();
        Object confirmedBefore = db.value("SELECT last_confirmed_at FROM providers");

        SyncRun again = syncWith(Feeds.planList(1));
        assertThat(again.outcome).isEqualTo(SyncRun.Outcome.UNCHANGED);
        assertThat(again.rowsWritten()).isZero();
        assertThat(planSnapshot()).isEqualTo(before);
        assertThat(inScope()).isEqualTo(4);
        assertThat((java.time.Instant) db.value("SELECT last_confirmed_at FROM providers"))
                .isAfter((java.time.Instant) confirmedBefore);
    }

    @Test
    void sameContentInOtherBytesRewritesNothing() {
        syncWith(Feeds.planList(1));
        List<Map<String, Object>> before = planSnapshot();
        long plansBefore = db.count("SELECT sum(xmin::text::bigint) FROM plans");
        long basePlansBefore = db.count("SELECT sum(xmin::text::bigint) FROM base_plans");
        long zonesBefore = db.count("SELECT sum(xmin::text::bigint) FROM zones");
        Object seenBefore = db.value("SELECT current_seen_at FROM providers");
        long version = (long) db.value("SELECT data_version FROM catalogue_state");

        SyncRun reformatted = syncWith(Feeds.text(Feeds.planList(1)).replace("   ", "\t"));
        assertThat(reformatted.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(reformatted.plansUnchanged).isEqualTo(4);
        assertThat(reformatted.basePlansUnchanged).isEqualTo(3);
        assertThat(reformatted.rowsWritten()).isZero();
        assertThat(reformatted.zonesWritten).isZero();
        // not a row version written: the plans stay in scope by their marker, the sync moves the provider's time only
        assertThat(planSnapshot()).isEqualTo(before);
        assertThat(db.count("SELECT sum(xmin::text::bigint) FROM plans")).isEqualTo(plansBefore);
        assertThat(db.count("SELECT sum(xmin::text::bigint) FROM base_plans")).isEqualTo(basePlansBefore);
        assertThat(db.count("SELECT sum(xmin::text::bigint) FROM zones")).isEqualTo(zonesBefore);
        assertThat((java.time.Instant) db.value("SELECT current_seen_at FROM providers"))
                .isAfter((java.time.Instant) seenBefore);
        assertThat(inScope()).isEqualTo(4);
        assertThat(db.value("SELECT data_version FROM catalogue_state")).isEqualTo(version);
    }

    @Test
    void noIndexHoldsLastSeenAt() {
        // the few last_seen_at writes left (plans that come back or leave) can still be in place
        assertThat(db.count("""
                SELECT count(*) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                WHERE (t.relname LIKE 'plans%' OR t.relname = 'base_plans') AND a.attname = 'last_seen_at'""")).isZero();
    }

    @Test
    void aMalformedFeedChangesNothingAndTheNextGoodOneSyncs() {
        syncWith(Feeds.planList(1));
        List<Map<String, Object>> before = planSnapshot();
        Object seenBefore = db.value("SELECT current_seen_at FROM providers");

        String truncated = Feeds.text(Feeds.planList(2));
        SyncRun broken = syncWith(truncated.substring(0, truncated.length() / 2));
        assertThat(broken.outcome).isEqualTo(SyncRun.Outcome.FAILED);
        assertThat(broken.failureReason).isEqualTo("malformed_feed");
        assertThat(planSnapshot()).isEqualTo(before);
        assertThat(db.value("SELECT current_seen_at FROM providers")).isEqualTo(seenBefore);
        assertThat(db.count("SELECT count(*) FROM base_plans")).isEqualTo(3);
        assertThat(db.value("SELECT outcome || ':' || failure_reason FROM sync_runs ORDER BY id DESC LIMIT 1"))
                .isEqualTo("failed:malformed_feed");

        SyncRun recovered = syncWith(Feeds.planList(2));
        assertThat(recovered.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(recovered.plansGoneStale).isEqualTo(2);
    }

    @Test
    void aFeedThatCannotBeReadIsAFailedRun() throws Exception {
        syncWith(Feeds.planList(1));
        java.nio.file.Files.delete(java.nio.file.Path.of(feed.uri()));
        SyncRun missing = sync.sync(provider).await().atMost(Duration.ofSeconds(30));
        assertThat(missing.outcome).isEqualTo(SyncRun.Outcome.FAILED);
        assertThat(missing.failureReason).isEqualTo("file_not_found");
        assertThat(inScope()).isEqualTo(4);
    }

    @Test
    void theOlderEventListDialectSyncsToo() {
        SyncRun run = syncWith(Feeds.sample("eventList", 1));
        assertThat(run.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(run.plansInserted).isEqualTo(3);
        assertThat(db.count("SELECT count(*) FROM zones")).isEqualTo(6);
    }

    @Test
    void anEmptyFeedIsNeverAppliedByItselfHoweverOftenItComes() {
        syncWith(Feeds.planList(1));
        String empty = "<planList><output/></planList>";
        long version = (long) db.value("SELECT data_version FROM catalogue_state");
        for (int i = 1; i <= 4; i++) {
            SyncRun held = syncWith(i % 2 == 0 ? empty : empty + "\n".repeat(i)); // same bytes, and other bytes
            assertThat(held.outcome).isEqualTo(SyncRun.Outcome.HELD);
            assertThat(held.failureReason).isEqualTo("empty_feed");
            assertThat(inScope()).isEqualTo(4);
            assertThat(db.rows("SELECT held_reason, held_feeds, held_since IS NOT NULL AS held FROM providers"))
                    .containsExactly(Map.of("held_reason", "empty_feed", "held_feeds", i, "held", true));
        }
        assertThat(db.value("SELECT data_version FROM catalogue_state")).isEqualTo(version);
        // a normal feed ends the hold
        SyncRun normal = syncWith(Feeds.planList(1));
        assertThat(normal.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(db.rows("SELECT held_reason IS NULL AS no_reason, held_feeds FROM providers"))
                .containsExactly(Map.of("no_reason", true, "held_feeds", 0));
    }

    @Test
    void anEmptyFeedAppliesWhereTheProviderAllowsIt() throws Exception {
        provider = registry.register(ProviderSettings.of("sample", feed.uri())
                .withHold(new ProviderSettings.HoldPolicy(true, 3, Duration.ofMinutes(5))));
        syncWith(Feeds.planList(1));
        SyncRun applied = syncWith("<planList><output/></planList>");
        assertThat(applied.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(applied.plansGoneStale).isEqualTo(4);
        assertThat(inScope()).isZero();
        assertThat(db.count("SELECT count(*) FROM plans")).isEqualTo(4); // history is kept
    }

    @Test
    void aMassDropAppliesOnlyOnceItPersistedOverEnoughFeedsAndTime() throws Exception {
        provider = registry.register(ProviderSettings.of("sample", feed.uri())
                .withHold(new ProviderSettings.HoldPolicy(false, 3, Duration.ofMillis(1500))));
        syncWith(Feeds.planList(1));
        // only Los Morancos (1591) is left: 3 of 4 plans dropped, 75% > 50%
        String drop = Feeds.text(Feeds.planList(1))
                .replaceAll("(?s)<base_plan base_plan_id=\"(291|322)\".*?</base_plan>", "");
        SyncRun first = syncWith(drop);
        assertThat(first.outcome).isEqualTo(SyncRun.Outcome.HELD);
        assertThat(first.failureReason).isEqualTo("mass_drop");
        assertThat(syncWith(drop).outcome).isEqualTo(SyncRun.Outcome.HELD);
        // the third feed in a row, but the first was less than the minimum time ago
        assertThat(syncWith(drop).outcome).isEqualTo(SyncRun.Outcome.HELD);
        assertThat(inScope()).isEqualTo(4);
        assertThat(db.value("SELECT held_feeds FROM providers")).isEqualTo(3);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> db.value(
                "SELECT now() - held_since >= interval '1.5 seconds' FROM providers").equals(true));
        SyncRun applied = syncWith(drop);
        assertThat(applied.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(applied.plansGoneStale).isEqualTo(3);
        assertThat(inScope()).isEqualTo(1);
        assertThat(db.value("SELECT held_since FROM providers")).isNull();
    }

    @Test
    void aFeedWithinTheDropRatioEndsAMassDropHold() throws Exception {
        syncWith(Feeds.planList(1));
        String drop = Feeds.text(Feeds.planList(1))
                .replaceAll("(?s)<base_plan base_plan_id=\"(291|322)\".*?</base_plan>", "");
        assertThat(syncWith(drop).outcome).isEqualTo(SyncRun.Outcome.HELD);
        assertThat(syncWith(drop).outcome).isEqualTo(SyncRun.Outcome.HELD);
        SyncRun normal = syncWith(Feeds.planList(1));
        assertThat(normal.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(db.value("SELECT held_feeds FROM providers")).isEqualTo(0);
        // a drop after that starts its count again
        assertThat(syncWith(drop).outcome).isEqualTo(SyncRun.Outcome.HELD);
        assertThat(db.value("SELECT held_feeds FROM providers")).isEqualTo(1);
    }

    @Test
    void aHeldFeedFollowedByANormalOneAppliesTheNormalOne() {
        syncWith(Feeds.planList(1));
        assertThat(syncWith("<planList><output/></planList>").outcome).isEqualTo(SyncRun.Outcome.HELD);
        SyncRun normal = syncWith(Feeds.planList(1));
        // the same bytes as the last applied feed, but a hold is pending: ingested, not short-circuited
        assertThat(normal.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(normal.plansUnchanged).isEqualTo(4);
        assertThat(db.value("SELECT held_since FROM providers")).isNull();
        assertThat(inScope()).isEqualTo(4);
    }

    @Test
    void aPlanWhoseStartMovesToAnotherYearMovesPartitionAndKeepsItsId() {
        syncWith(Feeds.planList(1));
        Object id = db.value("SELECT id FROM plans WHERE base_plan_id = '291'");
        String moved = Feeds.text(Feeds.planList(1))
                .replace("plan_start_date=\"2021-06-30T21:00:00\" plan_end_date=\"2021-06-30T22:00:00\"",
                        "plan_start_date=\"2022-06-30T21:00:00\" plan_end_date=\"2022-06-30T22:00:00\"");
        SyncRun run = syncWith(moved);
        assertThat(run.plansUpdated).isEqualTo(1);
        assertThat(db.value("SELECT tableoid::regclass::text FROM plans WHERE base_plan_id = '291'")).isEqualTo("plans_y2022");
        assertThat(db.value("SELECT id FROM plans WHERE base_plan_id = '291'")).isEqualTo(id);
        assertThat(db.count("SELECT count(*) FROM plans WHERE base_plan_id = '291'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM zones WHERE plan_id = '" + id + "'"))
                .isEqualTo(3);
    }

    @Test
    void theProvidersTimeZoneGivesTheInstantsAndLocalTimesStayAsGiven() throws Exception {
        provider = registry.register(ProviderSettings.of("madrid", feed.uri()).withTimeZone(java.time.ZoneId.of("Europe/Madrid")));
        syncWith(Feeds.planList(1));
        assertThat(db.value("SELECT to_char(start_local, 'HH24:MI') || ' ' || to_char(starts_at AT TIME ZONE 'UTC', 'HH24:MI') "
                + "FROM plans WHERE base_plan_id = '291'")).isEqualTo("21:00 19:00");
    }
}
