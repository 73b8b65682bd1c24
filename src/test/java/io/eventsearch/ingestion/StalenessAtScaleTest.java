package io.eventsearch.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.provider.ProviderGuards;
import io.eventsearch.provider.ProviderSettings;
import io.eventsearch.storage.SyncRun;
import io.eventsearch.support.TestDatabase;
import io.eventsearch.tools.FeedGenerator;
import io.eventsearch.tools.FeedGenerator.Options;
import io.quarkus.test.junit.QuarkusTest;

/** After a sync of a generated catalogue, exactly the plans in the feed are in scope, however many there are. */
@QuarkusTest
class StalenessAtScaleTest {

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
        guards.reset("generated");
        file = Files.createTempFile("generated-", ".xml");
        file.toFile().deleteOnExit();
        provider = registry.register(ProviderSettings.of("generated", file.toUri()));
    }

    private SyncRun sync(Options options) throws Exception {
        FeedGenerator.write(file, options);
        return sync.sync(provider).await().atMost(Duration.ofSeconds(120));
    }

    private long inScope() {
        return db.count("SELECT count(*) FROM plans p WHERE p.last_seen_at = 'infinity'");
    }

    @Test
    void scopeIsExactlyTheLatestFeed() throws Exception {
        // 3000 base plans x 5 plans, 1% dirty records: what lands is what the generator calls valid
        Options full = Options.of(3_000, 5, 3).dirty(0.01);
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        FeedGenerator.Written expected = FeedGenerator.write(sink, full);
        SyncRun first = sync(full);
        assertThat(first.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(first.plansInserted).isEqualTo(expected.validPlans());
        assertThat(first.skippedTotal()).isGreaterThan(0);
        assertThat(inScope()).isEqualTo(expected.validPlans());

        // the same provider drops its last 300 base plans (10% of the catalogue)
        Options smaller = Options.of(2_700, 5, 3).dirty(0.01);
        FeedGenerator.Written kept = FeedGenerator.write(new java.io.ByteArrayOutputStream(), smaller);
        SyncRun second = sync(smaller);
        assertThat(second.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(second.plansGoneStale).isEqualTo(expected.validPlans() - kept.validPlans());
        assertThat(second.plansInserted).isZero();
        assertThat(second.plansUpdated).isZero();
        assertThat(second.zonesWritten).isZero();
        assertThat(inScope()).isEqualTo(kept.validPlans());
        // every plan of the feed is in scope, every other one out, none deleted
        assertThat(db.count("SELECT count(*) FROM plans")).isEqualTo(expected.validPlans());
        assertThat(db.count("SELECT count(*) FROM plans p "
                + "WHERE p.last_seen_at = 'infinity' AND p.base_plan_id::int >= 1000 + 2700")).isZero();
    }
}
