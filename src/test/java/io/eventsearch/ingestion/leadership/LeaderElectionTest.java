package io.eventsearch.ingestion.leadership;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.ingestion.ProviderRegistry;
import io.eventsearch.ingestion.RegisteredProvider;
import io.eventsearch.ingestion.SyncCoordinator;
import io.eventsearch.ingestion.SyncCoordinator.TickResult;
import io.eventsearch.ingestion.SyncService;
import io.eventsearch.provider.IngestionExecutor;
import io.eventsearch.provider.ProviderGuards;
import io.eventsearch.provider.ProviderSettings;
import io.eventsearch.storage.DirectConnections;
import io.eventsearch.storage.ProviderRepository;
import io.eventsearch.storage.SyncRunRepository;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.ProviderStub;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;

/**
 * Two schedulers (two leaderships, each on its own connection, as two instances have) against one database:
 * a provider is never synced by both at once, and the survivor takes over when the leader's session dies.
 */
@QuarkusTest
class LeaderElectionTest {

    @Inject
    Vertx vertx;
    @Inject
    DirectConnections connections;
    @Inject
    ProviderRegistry registry;
    @Inject
    ProviderRepository providers;
    @Inject
    SyncRunRepository runs;
    @Inject
    SyncService sync;
    @Inject
    IngestionExecutor executor;
    @Inject
    ProviderGuards guards;
    @Inject
    TestDatabase db;

    ProviderStub stub;
    ProviderLeadership leadershipA;
    ProviderLeadership leadershipB;
    SyncCoordinator instanceA;
    SyncCoordinator instanceB;
    RegisteredProvider provider;

    @BeforeEach
    void setUp() throws Exception {
        db.reset();
        stub = new ProviderStub();
        // a slow provider: each sync takes a while, so overlapping ticks would show
        stub.always(ProviderStub.Answer.ok(Feeds.planList(1)).delayHeaders(150));
        provider = registry.register(ProviderSettings.of("shared", stub.uri()));
        guards.reset("shared");
        leadershipA = new ProviderLeadership(vertx, connections.options("test"), "instance-a");
        leadershipB = new ProviderLeadership(vertx, connections.options("test"), "instance-b");
        instanceA = new SyncCoordinator(leadershipA, registry, providers, runs, sync, executor);
        instanceB = new SyncCoordinator(leadershipB, registry, providers, runs, sync, executor);
    }

    @AfterEach
    void tearDown() {
        leadershipA.close().await().indefinitely();
        leadershipB.close().await().indefinitely();
        stub.close();
    }

    private TickResult tick(SyncCoordinator coordinator) {
        return coordinator.tick(provider).await().atMost(Duration.ofSeconds(30));
    }

    private long overlappingRuns() {
        return db.count("""
                SELECT count(*) FROM sync_runs a JOIN sync_runs b
                  ON a.provider_id = b.provider_id AND a.id < b.id
                 AND a.started_at < b.finished_at AND b.started_at < a.finished_at
                """);
    }

    @Test
    void twoInstancesTickingTogetherNeverSyncTheSameProviderAtOnce() throws Exception {
        AtomicInteger syncedByA = new AtomicInteger();
        AtomicInteger syncedByB = new AtomicInteger();
        for (int round = 0; round < 8; round++) {
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> tickCounting(instanceA, syncedByA));
            CompletableFuture<Void> b = CompletableFuture.runAsync(() -> tickCounting(instanceB, syncedByB));
            CompletableFuture.allOf(a, b).get();
        }
        assertThat(syncedByA.get() + syncedByB.get()).isEqualTo(8);
        // sticky leadership: one instance did every sync, the other none
        assertThat(syncedByA.get() == 0 || syncedByB.get() == 0).isTrue();
        // and no two runs of the provider overlap in time (start/finish are the database's clock)
        assertThat(overlappingRuns()).isZero();
        assertThat(db.count("SELECT count(*) FROM sync_runs WHERE finished_at IS NOT NULL")).isEqualTo(8);
    }

    private void tickCounting(SyncCoordinator coordinator, AtomicInteger synced) {
        if (coordinator.tick(provider).await().atMost(Duration.ofSeconds(30)) instanceof TickResult.Synced) {
            synced.incrementAndGet();
        }
    }

    @Test
    void whenTheLeadersSessionDiesTheOtherInstanceTakesOver() {
        assertThat(tick(instanceA)).isInstanceOf(TickResult.Synced.class);
        assertThat(tick(instanceB)).isInstanceOf(TickResult.NotLeader.class);
        assertThat(leadershipA.leads(provider.id())).isTrue();

        // the leader's connection is killed (a crash, a network cut, a failover)
        db.rows("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'es-leader/instance-a' AND datname = current_database()");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !leadershipA.leads(provider.id()));

        assertThat(tick(instanceB)).isInstanceOf(TickResult.Synced.class);
        assertThat(tick(instanceA)).isInstanceOf(TickResult.NotLeader.class);
        assertThat(leadershipB.leads(provider.id())).isTrue();
        assertThat(overlappingRuns()).isZero();
    }

    @Test
    void aLeaderThatShutsDownHandsOverAtTheNextTick() {
        assertThat(tick(instanceA)).isInstanceOf(TickResult.Synced.class);
        leadershipA.close().await().indefinitely();
        assertThat(tick(instanceB)).isInstanceOf(TickResult.Synced.class);
    }

    @Test
    void aPausedProviderIsNotSyncedByItsLeader() throws Exception {
        providers.setPaused("shared", true);
        assertThat(tick(instanceA)).isInstanceOf(TickResult.Paused.class);
        assertThat(stub.requests()).isZero();
        providers.setPaused("shared", false);
        assertThat(tick(instanceA)).isInstanceOf(TickResult.Synced.class);
    }

    @Test
    void theSyncFenceStopsASecondWriterEvenWithoutLeadership() throws Exception {
        // a split brain: both think they lead. The transaction fence still lets only one write at a time.
        CompletableFuture<io.eventsearch.storage.SyncRun> one = sync.sync(provider).subscribeAsCompletionStage();
        CompletableFuture<io.eventsearch.storage.SyncRun> two = sync.sync(provider).subscribeAsCompletionStage();
        List<io.eventsearch.storage.SyncRun> both = List.of(one.get(), two.get());
        assertThat(both).extracting(r -> r.outcome).contains(io.eventsearch.storage.SyncRun.Outcome.SUCCEEDED);
        assertThat(db.count("SELECT count(*) FROM plans")).isEqualTo(4);
    }
}
