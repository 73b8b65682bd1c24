package io.eventsearch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.ProviderStub;
import io.eventsearch.tools.FeedGenerator;

/**
 * Competing consumers for real: three service processes against one database share four providers. Each provider
 * is synced by one instance at a time; when an instance is killed, the others take its providers over at their
 * next tick and every provider keeps syncing.
 */
class MultiInstanceIT {

    private static final int PROVIDERS = 4;

    private final List<ProviderStub> stubs = new ArrayList<>();
    private final List<ServiceProcess> instances = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        ItDatabase.reset();
        for (int i = 0; i < PROVIDERS; i++) {
            ByteArrayOutputStream feed = new ByteArrayOutputStream();
            FeedGenerator.write(feed, FeedGenerator.Options.of(50, 4, 3).seed(i));
            ProviderStub stub = new ProviderStub();
            // a slowish provider, so that a sync takes long enough to overlap if leadership were broken
            stub.always(ProviderStub.Answer.ok(feed.toByteArray()).delayHeaders(150));
            stubs.add(stub);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (ServiceProcess instance : instances) {
            instance.close();
        }
        stubs.forEach(ProviderStub::close);
    }

    private Map<String, String> config() {
        Map<String, String> config = new HashMap<>();
        for (int i = 0; i < PROVIDERS; i++) {
            config.put("events.providers.p" + i + ".url", stubs.get(i).uri().toString());
            config.put("events.providers.p" + i + ".every", "1s");
        }
        return config;
    }

    private static long overlappingRuns() throws Exception {
        return ItDatabase.count("""
                SELECT count(*) FROM sync_runs a JOIN sync_runs b
                  ON a.provider_id = b.provider_id AND a.id < b.id
                 AND a.started_at < coalesce(b.finished_at, now()) AND b.started_at < coalesce(a.finished_at, now())
                WHERE a.outcome <> 'abandoned' AND b.outcome <> 'abandoned'
                """);
    }

    private static long providersSyncedSince(Instant since) throws Exception {
        return ItDatabase.count("SELECT count(DISTINCT provider_id) FROM sync_runs WHERE outcome IN ('succeeded', 'unchanged') "
                + "AND started_at > '" + since + "'");
    }

    @Test
    void instancesShareProvidersAndTakeOverFromADeadOne() throws Exception {
        for (String name : List.of("it-a", "it-b", "it-c")) {
            instances.add(ServiceProcess.start(name, config()));
        }
        Instant started = Instant.now();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> providersSyncedSince(started) == PROVIDERS);
        // let leadership settle and the fair share spread the providers
        Thread.sleep(4_000);
        Map<String, Long> ledBy = leaders();
        assertThat(ledBy.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(PROVIDERS);
        assertThat(ledBy.values()).allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(2)); // ceil(4 / 3)
        assertThat(overlappingRuns()).isZero();

        // crash the instance that leads the most providers
        String victim = ledBy.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        ServiceProcess dead = instances.stream().filter(i -> ("es-leader/" + i.name()).equals(victim)).findFirst().orElseThrow();
        dead.kill();
        Instant killed = Instant.now();

        // every provider keeps syncing, led by the survivors
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> providersSyncedSince(killed) == PROVIDERS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> leaders().values().stream().mapToLong(Long::longValue).sum() == PROVIDERS);
        assertThat(leaders()).doesNotContainKey(victim);
        assertThat(overlappingRuns()).isZero();
        assertThat(ItDatabase.count("SELECT count(*) FROM sync_runs WHERE instance_id = '" + dead.name()
                + "' AND outcome = 'running' AND started_at < now() - interval '5 seconds'")).isZero();

        // search answers from every survivor
        for (ServiceProcess instance : instances) {
            if (instance.alive()) {
                assertThat(instance.get(instance.api("/search"))).isEqualTo(200);
            }
        }
    }

    /** Leader connection name → providers it holds the leader lock of, from the database's own lock table. */
    private static Map<String, Long> leaders() throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (var c = ItDatabase.connect(); var st = c.createStatement(); var rs = st.executeQuery("""
                SELECT a.application_name, count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.classid = 1163067393 AND l.granted AND a.datname = current_database()
                GROUP BY a.application_name
                """)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }
}
