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
import io.eventsearch.support.TestDatabase;
import io.eventsearch.tools.FeedGenerator;
import io.quarkus.test.junit.QuarkusTest;

/** A sync whose database connection is killed mid-transaction rolls back whole; the next one succeeds. */
@QuarkusTest
class DatabaseFailureDuringSyncTest {

    @Inject
    SyncService sync;
    @Inject
    ProviderRegistry registry;
    @Inject
    ProviderGuards guards;
    @Inject
    TestDatabase db;

    @BeforeEach
    void setUp() {
        db.reset();
        guards.reset("big");
    }

    @Test
    void aKilledTransactionLeavesTheCatalogueAsItWasAndTheNextSyncSucceeds() throws Exception {
        Path file = Files.createTempFile("big-feed-", ".xml");
        file.toFile().deleteOnExit();
        // the generator is sequential from its seed: the first 500 base plans of a bigger feed are these ones
        FeedGenerator.write(file, FeedGenerator.Options.of(500, 10, 4));
        RegisteredProvider provider = registry.register(ProviderSettings.of("big", file.toUri()));
        assertThat(sync.sync(provider).await().atMost(Duration.ofSeconds(30)).outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        List<Map<String, Object>> before = db.rows("SELECT id, last_seen_at, updated_at FROM plans ORDER BY id");
        Object scope = db.value("SELECT current_seen_at FROM providers WHERE name = 'big'");

        // a feed big enough that its transaction is still open when we kill it
        FeedGenerator.write(file, FeedGenerator.Options.of(2_000, 10, 4));
        CompletableFuture<SyncRun> running = sync.sync(provider).subscribeAsCompletionStage();
        db.killWriterRunning("%stage_%");
        SyncRun killed = running.get();
        assertThat(killed.outcome).isEqualTo(SyncRun.Outcome.FAILED);
        assertThat(killed.failureReason).isEqualTo("database_error");
        assertThat(db.rows("SELECT id, last_seen_at, updated_at FROM plans ORDER BY id")).isEqualTo(before);
        assertThat(db.value("SELECT current_seen_at FROM providers WHERE name = 'big'")).isEqualTo(scope);
        assertThat(db.count("SELECT count(*) FROM base_plans")).isEqualTo(500);

        SyncRun next = sync.sync(provider).await().atMost(Duration.ofSeconds(60));
        assertThat(next.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(next.plansInserted).isEqualTo(15_000);
        assertThat(next.plansUnchanged).isEqualTo(5_000);
        assertThat(next.plansGoneStale).isZero();
    }
}
