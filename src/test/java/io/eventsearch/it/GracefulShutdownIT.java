package io.eventsearch.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.eventsearch.support.Feeds;
import io.eventsearch.support.ProviderStub;

/**
 * A rolling update's stop under load: 16 keep-alive clients query {@code /search} without pause through SIGTERM
 * until the instance is gone, as clients (and load balancers) do that learn of the stop only from the instance
 * itself.
 *
 * <p>What counts as a failure: any answer other than a 200 with data, and any I/O error of a request, except a
 * refused connection. A refused connection comes only once the listener is closed, so no request was sent on it: it
 * is the client's (or load balancer's) cue that the instance is gone, and the client stops there. A reset, an EOF or
 * a timeout of a request sent on a connection the server accepted fails the test, as does a 5xx.
 */
class GracefulShutdownIT {

    private static final int CLIENTS = 16;
    private static final Duration DELAY = Duration.ofSeconds(3);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

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
    void keepAliveClientsQueryingThroughSigtermSeeNoError() throws Exception {
        ItDatabase.reset();
        service = ServiceProcess.start("shutdown-it", Map.of(
                "events.providers.drain.url", provider.uri().toString(),
                "events.providers.drain.every", "1s",
                "quarkus.shutdown.delay", DELAY.toSeconds() + "s",
                "quarkus.shutdown.timeout", TIMEOUT.toSeconds() + "s",
                // sixteen clients on one address would meet the per-client rate limit, which is not under test here
                "events.rate-limit.enabled", "false"));
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> service.body(service.api("/search")).contains("Camela"));

        AtomicLong sigtermAt = new AtomicLong();
        AtomicLong readinessDownAt = new AtomicLong();
        AtomicLong lastServedAt = new AtomicLong();
        AtomicLong firstRefusedAt = new AtomicLong();
        AtomicInteger served = new AtomicInteger();
        AtomicInteger servedWhileDown = new AtomicInteger();
        AtomicInteger connectionClose = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        URI search = service.api("/search?starts_at=2021-01-01T00:00:00Z");
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            // one client, so one keep-alive connection at a time, per thread; HTTP/1.1 as load balancers speak it
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            Thread t = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    try {
                        HttpResponse<String> response = client.send(
                                HttpRequest.newBuilder(search).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 200 && response.body().contains("\"error\":null")) {
                            long now = System.nanoTime();
                            served.incrementAndGet();
                            lastServedAt.accumulateAndGet(now, Math::max);
                            if (readinessDownAt.get() != 0) {
                                servedWhileDown.incrementAndGet();
                            }
                            if (response.headers().firstValue("connection").filter("close"::equalsIgnoreCase).isPresent()) {
                                connectionClose.incrementAndGet();
                            }
                        } else {
                            failures.add(at(sigtermAt) + response.statusCode() + " " + response.body());
                        }
                    } catch (ConnectException e) {
                        // the listener is closed: the instance is gone for this client
                        refused.incrementAndGet();
                        firstRefusedAt.compareAndSet(0, System.nanoTime());
                        return;
                    } catch (IOException e) {
                        failures.add(at(sigtermAt) + e);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                failures.add("a client was still served after 60 s");
            });
            t.start();
            clients.add(t);
        }
        Thread probe = new Thread(() -> {
            while (System.nanoTime() < deadline && readinessDownAt.get() == 0) {
                if (sigtermAt.get() != 0 && service.get(service.management("/q/health/ready")) != 200) {
                    readinessDownAt.set(System.nanoTime());
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        probe.start();

        Thread.sleep(1_500);
        int beforeStop = served.get();
        sigtermAt.set(System.nanoTime());
        ProcessHandle.of(service.pid()).ifPresent(ProcessHandle::destroy); // SIGTERM
        int exit = service.awaitExit(DELAY.plus(TIMEOUT).plusSeconds(5));
        long exitedAt = System.nanoTime();
        for (Thread t : clients) {
            t.join(15_000);
        }
        probe.join(5_000);

        System.out.printf("drain timeline after SIGTERM: readiness DOWN +%d ms, last 200 +%d ms, first refused connection +%d ms, "
                + "process exit +%d ms (code %d); %d requests before SIGTERM, %d served after readiness went down (%d with "
                + "Connection: close), %d clients refused, %d failed%n",
                ms(sigtermAt, readinessDownAt.get()), ms(sigtermAt, lastServedAt.get()), ms(sigtermAt, firstRefusedAt.get()),
                ms(sigtermAt, exitedAt), exit, beforeStop, servedWhileDown.get(), connectionClose.get(), refused.get(),
                failures.size());

        assertThat(exit).as("the process exits by itself within shutdown.delay + shutdown.timeout").isNotEqualTo(-1);
        assertThat(Duration.ofNanos(exitedAt - sigtermAt.get())).isLessThan(DELAY.plus(TIMEOUT));
        assertThat(failures).as("requests that failed during the stop").isEmpty();
        assertThat(beforeStop).isGreaterThan(0);
        assertThat(readinessDownAt.get()).as("readiness went down").isNotZero();
        assertThat(Duration.ofNanos(readinessDownAt.get() - sigtermAt.get())).isLessThan(Duration.ofSeconds(1));
        // the instance keeps serving for most of the delay, each response closing its connection
        assertThat(servedWhileDown.get()).isGreaterThan(CLIENTS);
        assertThat(connectionClose.get()).isGreaterThanOrEqualTo(servedWhileDown.get() / 2);
        assertThat(Duration.ofNanos(lastServedAt.get() - sigtermAt.get())).isGreaterThan(DELAY.dividedBy(2));
        assertThat(refused.get()).as("every client ends on a refused connection").isEqualTo(CLIENTS);
        assertThat(Duration.ofNanos(firstRefusedAt.get() - sigtermAt.get())).isGreaterThan(DELAY.dividedBy(2));

        assertThat(service.logText()).contains("Public listener closed").contains("releases leadership of providers")
                .contains("stopped in");
        assertThat(ItDatabase.count("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                + "WHERE l.locktype = 'advisory' AND a.datname = current_database()"))
                .as("advisory locks left").isZero();
        assertThat(ItDatabase.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'es-leader/shutdown-it' AND datname = current_database()"))
                .isZero();
        assertThat(ItDatabase.count("SELECT count(*) FROM sync_runs WHERE instance_id = 'shutdown-it' AND outcome = 'running'"))
                .isZero();
    }

    private static String at(AtomicLong sigtermAt) {
        long t = sigtermAt.get();
        return t == 0 ? "before SIGTERM: " : "+" + ms(sigtermAt, System.nanoTime()) + " ms: ";
    }

    private static long ms(AtomicLong from, long to) {
        return to == 0 ? -1 : Duration.ofNanos(to - from.get()).toMillis();
    }
}
