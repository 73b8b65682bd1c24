package io.eventsearch.search;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.greaterThan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Random;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.search.api.SearchWindow;
import io.eventsearch.search.cache.DaySliceCache;
import io.eventsearch.search.json.SearchJson;
import io.eventsearch.search.sql.SearchRepository;
import io.eventsearch.support.CatalogueLoader;
import io.eventsearch.support.TestDatabase;
import io.eventsearch.tools.FeedGenerator;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Windows up to {@code events.search.slices.max-window} are assembled from day slices: against a generated
 * catalogue in PostgreSQL, every answer equals the window's own query rendered, each day is read once per data
 * version, a sync is seen at once, and such answers do not go to Redis.
 */
@QuarkusTest
@io.quarkus.test.junit.TestProfile(io.eventsearch.support.SqlPath.class)
class DaySlicesTest {

    private static final Instant FIRST = Instant.parse("2026-03-01T00:00:00Z");

    @Inject
    TestDatabase db;

    @Inject
    CatalogueLoader loader;

    @Inject
    SearchRepository repository;

    @Inject
    DaySliceCache slices;

    @Inject
    MeterRegistry metrics;

    @Inject
    RedisDataSource redis;

    @BeforeEach
    void setUp() throws IOException {
        db.reset();
        slices.clear();
        redis.flushall();
        loader.provider("sample").sync(feed(42));
    }

    /** 1,500 plans over 30 days from 2026-03-01, of 150 base plans (5% of them offline). */
    private static byte[] feed(long seed) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FeedGenerator.write(out, new FeedGenerator.Options(150, 10, 2, seed, "planList", 0, 0.05,
                LocalDateTime.of(2026, 3, 1, 0, 0), 30));
        return out.toByteArray();
    }

    private static String search(Instant lower, Instant upper) {
        return given().get("/search?starts_at=" + lower + "&ends_at=" + upper).then().statusCode(200).extract()
                .asString();
    }

    private String query(Instant lower, Instant upper) {
        SearchWindow window = new SearchWindow(lower, upper);
        return new String(SearchJson.render(repository.find(window).await().atMost(Duration.ofSeconds(10)).events()),
                StandardCharsets.UTF_8);
    }

    @Test
    void everyWindowEqualsItsOwnQuery() {
        Random random = new Random(7);
        for (int i = 0; i < 150; i++) {
            Instant lower = FIRST.minusSeconds(86_400).plusSeconds(random.nextInt(32 * 86_400))
                    .plusNanos(random.nextInt(3) == 0 ? random.nextInt(1_000_000_000) : 0);
            Instant upper = lower.plusSeconds(random.nextInt(31 * 86_400 + 1));
            assertThat(search(lower, upper)).as("%s..%s", lower, upper).isEqualTo(query(lower, upper));
        }
        // not a vacuous comparison: the catalogue answers with many events
        given().get("/search?starts_at=2026-03-01T00:00:00Z&ends_at=2026-03-31T00:00:00Z").then()
                .body("data.events.size()", greaterThan(1_000));
    }

    @Test
    void eachDayIsReadOncePerDataVersion() {
        double loads = loads();
        search(Instant.parse("2026-03-10T00:00:00Z"), Instant.parse("2026-03-12T23:59:59Z"));
        assertThat(loads() - loads).as("three days, three reads").isEqualTo(3);
        // other windows over those days: assembled without a query
        search(Instant.parse("2026-03-10T13:00:00Z"), Instant.parse("2026-03-11T08:30:00Z"));
        search(Instant.parse("2026-03-11T00:00:00Z"), Instant.parse("2026-03-12T00:00:00Z"));
        assertThat(loads() - loads).isEqualTo(3);
        assertThat(redis.key().keys("es:search:v1:*")).as("assembled answers stay in process").isEmpty();

        // a window longer than max-window (31 days) is its own query, cached in Redis as well
        search(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-04-15T00:00:00Z"));
        assertThat(loads() - loads).isEqualTo(4);
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(redis.key().keys("es:search:v1:*")).hasSize(1));
    }

    @Test
    void aSyncIsSeenAtOnce() throws IOException {
        Instant lower = Instant.parse("2026-03-05T00:00:00Z");
        Instant upper = Instant.parse("2026-03-08T00:00:00Z");
        String before = search(lower, upper);
        loader.provider("sample").sync(feed(43));
        String after = search(lower, upper);
        assertThat(after).isNotEqualTo(before).isEqualTo(query(lower, upper));
    }

    @Test
    void boundsAreWholeMicrosecondsRoundedInwards() {
        // a visible plan starting at a whole second; a window starting 100 ns after it must leave it out
        Instant start = Instant.parse((String) db.value("""
                SELECT to_char(min(p.starts_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM plans p JOIN base_plans b USING (provider_id, base_plan_id)
                WHERE b.sell_mode = 'online' AND p.starts_at > '2026-03-05T00:00:00Z'"""));
        Instant upper = start.plusSeconds(86_400);
        String including = search(start, upper);
        String excluding = search(start.plusNanos(100), upper);
        assertThat(excluding).isNotEqualTo(including)
                .isEqualTo(search(start.plusNanos(1_000), upper))
                .isEqualTo(query(start.plusNanos(1_000), upper));
        // the same on the query path: a window longer than max-window
        Instant far = start.plusSeconds(40 * 86_400);
        assertThat(search(start.plusNanos(100), far)).isNotEqualTo(search(start, far))
                .isEqualTo(query(start.plusNanos(1_000), far));
    }

    private double loads() {
        return metrics.counter("events.search.cache", "layer", "database", "result", "load").count();
    }
}
