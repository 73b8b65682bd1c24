package io.eventsearch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.Feeds;
import io.eventsearch.support.ProviderStub;

/**
 * A rolling restart's stop under load: on SIGTERM readiness goes down while requests are still served, a load
 * balancer (played here by the load threads watching readiness) stops sending, in-flight requests complete, and
 * the instance exits having released its leadership. No request sent while the instance was in rotation fails.
 */
class GracefulShutdownIT {

    private final ProviderStub provider = new ProviderStub().always(ProviderStub.Answer.ok(Feeds.planList(1)));
    private ServiceProcess service;

    @AfterEach
    void tearDown() throws Exception {
        if (service != null) {
            service.close();
        }
        provider.close();
    }

    @Test
    void noRequestFailsWhileTheInstanceStops() throws Exception {
        ItDatabase.reset();
        service = ServiceProcess.start("shutdown-it", Map.of(
                "events.providers.drain.url", provider.uri().toString(),
                "events.providers.drain.every", "1s",
                "quarkus.shutdown.delay", "2s",
                "quarkus.shutdown.timeout", "10s",
                // six threads on one address would meet the per-client rate limit, which is not under test here
                "events.rate-limit.enabled", "false"));
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> service.body(service.api("/search")).contains("Camela"));

        AtomicBoolean inRotation = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI search = service.api("/search?starts_at=2021-01-01T00:00:00Z");
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Thread t = new Thread(() -> {
                while (inRotation.get()) {
                    try {
                        HttpResponse<String> response = client.send(HttpRequest.newBuilder(search).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 200 && response.body().contains("\"error\":null")) {
                            served.incrementAndGet();
                        } else {
                            failures.add(response.statusCode() + " " + response.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            });
            t.start();
            load.add(t);
        }
        // the load balancer: takes the instance out of rotation when readiness fails
        Thread balancer = new Thread(() -> {
            while (inRotation.get()) {
                if (service.get(service.management("/q/health/ready")) != 200) {
                    inRotation.set(false);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        balancer.start();

        Thread.sleep(1_500);
        int beforeStop = served.get();
        long pid = service.pid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy); // SIGTERM
        balancer.join(15_000);
        for (Thread t : load) {
            t.join(15_000);
        }
        assertThat(inRotation.get()).as("readiness went down before the instance stopped serving").isFalse();
        service.terminate(Duration.ofSeconds(30));

        assertThat(beforeStop).isGreaterThan(0);
        assertThat(served.get()).isGreaterThan(beforeStop);
        assertThat(failures).as("requests failed while the instance was in rotation").isEmpty();
        assertThat(service.logText()).contains("releases leadership of providers").contains("stopped in");
        assertThat(ItDatabase.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'es-leader/shutdown-it' AND datname = current_database()"))
                .isZero();
        assertThat(ItDatabase.count("SELECT count(*) FROM sync_runs WHERE instance_id = 'shutdown-it' AND outcome = 'running'"))
                .isZero();
    }
}
