package io.eventsearch.ingestion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.provider.ProviderGuards;
import io.eventsearch.provider.ProviderSettings;
import io.eventsearch.storage.SyncRun;
import io.eventsearch.support.Feeds;
import io.eventsearch.support.ProviderStub;
import io.eventsearch.support.ProviderStub.Answer;
import io.eventsearch.support.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Every way a provider misbehaves, against real PostgreSQL and a local HTTP provider that misbehaves on command.
 * Each time: nothing stored is lost or marked stale, the run is recorded as failed with a reason, /search keeps
 * answering the same throughout, and the next good feed syncs normally.
 */
@QuarkusTest
@TestProfile(ProviderFaultsTest.FastRetries.class)
class ProviderFaultsTest {

    /** The production retry policy, on a shorter clock; a breaker that these tests do not trip. */
    public static class FastRetries implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "events.ingestion.retry.max-retries", "2",
                    "events.ingestion.retry.initial-delay", "20ms",
                    "events.ingestion.retry.max-delay", "80ms",
                    "events.ingestion.retry.jitter", "10ms",
                    "events.ingestion.circuit-breaker.request-volume", "1000");
        }
    }

    @Inject
    SyncService sync;
    @Inject
    ProviderRegistry registry;
    @Inject
    ProviderGuards guards;
    @Inject
    TestDatabase db;

    ProviderStub stub;

    @BeforeEach
    void setUp() {
        db.reset();
        stub = new ProviderStub();
    }

    @AfterEach
    void tearDown() {
        stub.close();
    }

    private RegisteredProvider provider(UnaryOperator<ProviderSettings> tweak) {
        try {
            // generous by default (the machine may be busy); the timeout tests shorten them for the fault only
            ProviderSettings settings = tweak.apply(ProviderSettings.of("flaky", stub.uri())
                    .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10)));
            guards.reset("flaky");
            return registry.register(settings);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private SyncRun syncNow(RegisteredProvider provider) {
        return sync.sync(provider).await().atMost(Duration.ofSeconds(30));
    }

    /**
     * Syncs a good feed, then the fault (while /search is being called) with the provider's settings changed by
     * {@code duringFault}, then a good feed again with the original settings.
     */
    /** Requests the provider received during the failing sync. */
    private int requestsDuringFault;

    private SyncRun faultChangesNothing(Answer fault, UnaryOperator<ProviderSettings> duringFault) {
        RegisteredProvider provider = provider(s -> s);
        stub.always(Answer.ok(Feeds.planList(1)));
        assertThat(syncNow(provider).outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        List<Map<String, Object>> before = db.rows("SELECT id, last_seen_at, updated_at, content_hash FROM plans ORDER BY id");
        Object scopeBefore = db.value("SELECT current_seen_at FROM providers WHERE name = 'flaky'");
        String answerBefore = given().get("/search").then().statusCode(200).extract().asString();

        int requestsBeforeFault = stub.requests();
        stub.always(fault);
        ConcurrentLinkedQueue<String> answersDuring = new ConcurrentLinkedQueue<>();
        AtomicBoolean syncing = new AtomicBoolean(true);
        Thread searcher = new Thread(() -> {
            do {
                var response = given().get("/search");
                answersDuring.add(response.statusCode() + response.asString());
                // a client within the default rate limit (100 a second): its 429s are not what is under test
                LockSupport.parkNanos(20_000_000L);
            } while (syncing.get());
        });
        searcher.start();
        SyncRun failed;
        try {
            failed = syncNow(provider(duringFault));
            requestsDuringFault = stub.requests() - requestsBeforeFault;
        } finally {
            syncing.set(false);
        }
        try {
            searcher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }

        assertThat(answersDuring).isNotEmpty().allSatisfy(a -> assertThat(a).isEqualTo("200" + answerBefore));
        assertThat(db.rows("SELECT id, last_seen_at, updated_at, content_hash FROM plans ORDER BY id")).isEqualTo(before);
        assertThat(db.value("SELECT current_seen_at FROM providers WHERE name = 'flaky'")).isEqualTo(scopeBefore);
        assertThat(given().get("/search").asString()).isEqualTo(answerBefore);
        Map<String, Object> recorded = db.rows("SELECT outcome, failure_reason, finished_at FROM sync_runs ORDER BY id DESC LIMIT 1").get(0);
        assertThat(recorded.get("outcome")).isEqualTo(failed.outcome.code());
        assertThat(recorded.get("failure_reason")).isEqualTo(failed.failureReason).isNotNull();
        assertThat(recorded.get("finished_at")).isNotNull();

        stub.always(Answer.ok(Feeds.planList(2)));
        SyncRun recovered = syncNow(provider(s -> s));
        assertThat(recovered.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(recovered.plansGoneStale).isEqualTo(2);
        return failed;
    }

    private static ProviderSettings shortTimeouts(ProviderSettings settings) {
        return settings.withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(800));
    }

    private static void assertFailed(SyncRun run, String reason) {
        assertThat(run.outcome).isEqualTo(SyncRun.Outcome.FAILED);
        assertThat(run.failureReason).isEqualTo(reason);
    }

    @Test
    void serviceUnavailableWithAnEmptyBodyIsRetriedThenFails() {
        SyncRun run = faultChangesNothing(Answer.status(503), s -> s);
        assertFailed(run, "http_503");
        assertThat(run.attempts).isEqualTo(3);
        assertThat(run.httpStatus).isEqualTo(503);
    }

    @Test
    void internalServerError() {
        assertFailed(faultChangesNothing(Answer.status(500), s -> s), "http_500");
    }

    @Test
    void notFoundIsNotRetried() {
        SyncRun run = faultChangesNothing(Answer.status(404), s -> s);
        assertFailed(run, "http_404");
        // the 404 was asked for once; an attempt that failed before reaching the provider (a kept-alive connection
        // closed under it) may come first, and is retried as any connection failure is
        assertThat(requestsDuringFault).as("requests answered 404").isEqualTo(1);
        assertThat(run.attempts).isBetween(1, 2);
    }

    @Test
    void connectionRefused() {
        // nothing listens on port 1
        SyncRun run = faultChangesNothing(Answer.status(200), s -> new ProviderSettings(s.name(),
                java.net.URI.create("http://127.0.0.1:1/feed"), s.every(), s.timeZone(), s.connectTimeout(), s.timeout(),
                s.maxFeedBytes(), true));
        assertFailed(run, "connection_failed");
        assertThat(run.attempts).isEqualTo(3);
    }

    @Test
    void slowHeadersTimeOut() {
        assertFailed(faultChangesNothing(Answer.ok(Feeds.planList(2)).delayHeaders(3000), ProviderFaultsTest::shortTimeouts),
                "timeout");
    }

    @Test
    void aTrickledBodyTimesOut() {
        // 32 bytes every 100 ms never trips an idle timeout; the total timeout stops it
        assertFailed(faultChangesNothing(Answer.ok(Feeds.planList(2)).trickle(32, 100), ProviderFaultsTest::shortTimeouts),
                "timeout");
    }

    @Test
    void aBodyCutMidDocument() {
        SyncRun run = faultChangesNothing(Answer.ok(Feeds.planList(2)).cutHalfway(), s -> s);
        assertThat(run.outcome).isEqualTo(SyncRun.Outcome.FAILED);
        assertThat(run.failureReason).isIn("connection_failed", "malformed_feed");
    }

    @Test
    void garbageBytes() {
        byte[] garbage = new byte[4096];
        new java.util.Random(7).nextBytes(garbage);
        assertFailed(faultChangesNothing(Answer.ok(garbage), s -> s), "malformed_feed");
    }

    @Test
    void anHtmlErrorPageWithStatus200() {
        Answer html = Answer.ok("<html><body>Maintenance</body></html>".getBytes(StandardCharsets.UTF_8)).contentType("text/html");
        assertFailed(faultChangesNothing(html, s -> s), "unexpected_content_type");
    }

    @Test
    void wellFormedXmlThatIsNotAFeed() {
        Answer other = Answer.ok("<error><message>quota exceeded</message></error>".getBytes(StandardCharsets.UTF_8));
        assertFailed(faultChangesNothing(other, s -> s), "malformed_feed");
    }

    @Test
    void a200WithAnEmptyOutputIsHeldNotApplied() {
        SyncRun run = faultChangesNothing(Answer.ok("<planList><output/></planList>".getBytes(StandardCharsets.UTF_8)), s -> s);
        assertThat(run.outcome).isEqualTo(SyncRun.Outcome.HELD);
        assertThat(run.failureReason).isEqualTo("empty_feed");
    }

    @Test
    void aBodyLargerThanTheMaximumIsRefusedFromItsContentLength() {
        byte[] big = (Feeds.text(Feeds.planList(2)) + "<!--" + "x".repeat(10_000) + "-->").getBytes(StandardCharsets.UTF_8);
        SyncRun run = faultChangesNothing(Answer.ok(big), s -> s.withMaxFeedBytes(5_000));
        assertFailed(run, "feed_too_large");
        assertThat(run.attempts).isEqualTo(1);
    }

    @Test
    void aStreamedBodyLargerThanTheMaximumIsCutWhereItCrossesIt() {
        // chunked, no Content-Length: the download stops at the limit
        byte[] big = (Feeds.text(Feeds.planList(2)) + "<!--" + "x".repeat(50_000) + "-->").getBytes(StandardCharsets.UTF_8);
        SyncRun run = faultChangesNothing(Answer.ok(big).trickle(8192, 1), s -> s.withMaxFeedBytes(5_000));
        assertFailed(run, "feed_too_large");
        assertThat(run.feedBytes).isNull();
    }

    @Test
    void anUnchangedFeedAnswered304IsNotDownloadedAgain() {
        RegisteredProvider provider = provider(s -> s);
        stub.always(Answer.ok(Feeds.planList(1)).etag("\"v1\""));
        assertThat(syncNow(provider).outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        SyncRun second = syncNow(provider);
        assertThat(second.outcome).isEqualTo(SyncRun.Outcome.UNCHANGED);
        assertThat(second.httpStatus).isEqualTo(304);
        assertThat(stub.ifNoneMatchHeaders()).containsExactly("", "\"v1\"");
        assertThat(db.value("SELECT feed_etag FROM providers WHERE name = 'flaky'")).isEqualTo("\"v1\"");
    }

    @Test
    void aRetriedDownloadThatFinallySucceedsSyncs() {
        RegisteredProvider provider = provider(s -> s);
        stub.then(Answer.status(503)).then(Answer.status(502)).always(Answer.ok(Feeds.planList(1)));
        stub.then(Answer.status(503)).then(Answer.status(502));
        SyncRun run = syncNow(provider);
        assertThat(run.outcome).isEqualTo(SyncRun.Outcome.SUCCEEDED);
        assertThat(run.attempts).isEqualTo(3);
        assertThat(stub.requests()).isEqualTo(3);
    }
}
