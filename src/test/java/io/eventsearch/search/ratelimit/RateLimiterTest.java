package io.eventsearch.search.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.eventsearch.support.StallingProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.redis.client.RedisOptions;

/**
 * The limiter itself: two instances (as two service instances would be) share buckets through the real Redis,
 * each spending leases of a client's tokens locally; with Redis unreachable or silent, each decides with its local
 * buckets at once.
 */
@QuarkusTest
class RateLimiterTest {

    @Inject
    Redis redis;

    @Inject
    Vertx vertx;

    private static RateLimiter.Settings settings(int capacity, Duration timeout) {
        // refill so slow that no token comes back during a test
        return settings(capacity, 0.0001, 0.1, timeout, Duration.ofSeconds(30));
    }

    private static RateLimiter.Settings settings(int capacity, double refill, double leaseShare, Duration timeout,
            Duration leaseIdle) {
        return new RateLimiter.Settings(capacity, refill, true, timeout, Duration.ofSeconds(30), 1000,
                RateLimiter.Settings.lease(capacity, leaseShare), leaseIdle);
    }

    private static RateLimiter.Decision take(RateLimiter limiter, String client) {
        return limiter.acquire(client).await().atMost(Duration.ofSeconds(10));
    }

    /** Sends {@code count} requests at once through each limiter, alternating; returns how many were allowed. */
    private static int burst(List<RateLimiter> limiters, String client, int count) {
        List<Uni<RateLimiter.Decision>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(limiters.get(i % limiters.size()).acquire(client));
        }
        return (int) Uni.join().all(all).andFailFast().await().atMost(Duration.ofSeconds(30)).stream()
                .filter(RateLimiter.Decision::allowed).count();
    }

    @Test
    void twoInstancesShareOneBucketThroughRedis() {
        String namespace = "test-" + UUID.randomUUID();
        RateLimiter a = new RateLimiter(redis, settings(5, Duration.ofSeconds(2)), () -> namespace);
        RateLimiter b = new RateLimiter(redis, settings(5, Duration.ofSeconds(2)), () -> namespace);
        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            allowed += take(i % 2 == 0 ? a : b, "a:203.0.113.7").allowed() ? 1 : 0;
        }
        // 10 requests through both, leases of 1: exactly the 5 tokens of the one bucket are spent (a token one
        // instance leased is spent there when asked next), then both see it empty (local buckets would allow)
        assertThat(allowed).isEqualTo(5);
        RateLimiter.Decision denied = take(b, "a:203.0.113.7");
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfterMillis()).isGreaterThan(1000);
        assertThat(take(a, "a:203.0.113.7").allowed()).isFalse();
        // another client has its own bucket
        assertThat(take(a, "a:203.0.113.8").allowed()).isTrue();
        assertThat(a.usingRedis()).isTrue();
        assertThat(b.usingRedis()).isTrue();
    }

    @Test
    void concurrentRequestsAcrossInstancesNeverTakeMoreThanTheCapacity() {
        String namespace = "test-" + UUID.randomUUID();
        RateLimiter.Settings settings = settings(20, Duration.ofSeconds(5));
        RateLimiter a = new RateLimiter(redis, settings, () -> namespace);
        RateLimiter b = new RateLimiter(redis, settings, () -> namespace);
        int allowed = burst(List.of(a, b), "k:burst", 60);
        // a renewal started by the last allowed requests may still be on its way
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (allowed + a.leased("k:burst") + b.leased("k:burst") < 20 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        // every token spent or still held came out of the one bucket, and an instance holds at most one lease
        assertThat(a.leased("k:burst")).isBetween(0L, (long) settings.lease());
        assertThat(b.leased("k:burst")).isBetween(0L, (long) settings.lease());
        assertThat(allowed + a.leased("k:burst") + b.leased("k:burst")).isEqualTo(20);
        // nobody is refused while the shared bucket has tokens for this instance
        assertThat(allowed).isGreaterThanOrEqualTo(20 - 2 * settings.lease());
        assertThat(a.usingRedis()).isTrue();
    }

    @Test
    void overTimeTwoInstancesGiveAClientAtMostCapacityPlusRefillPlusOneLeaseEach() throws InterruptedException {
        String namespace = "test-" + UUID.randomUUID();
        // capacity 40, 40 tokens/s, leases of 8
        RateLimiter.Settings settings = settings(40, 40, 0.2, Duration.ofSeconds(2), Duration.ofSeconds(30));
        RateLimiter a = new RateLimiter(redis, settings, () -> namespace);
        RateLimiter b = new RateLimiter(redis, settings, () -> namespace);
        long start = System.nanoTime();
        int allowed = 0;
        int sent = 0;
        while (System.nanoTime() - start < 1_500_000_000L) {
            allowed += burst(List.of(a, b), "k:steady", 20);
            sent += 20;
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(allowed).isLessThanOrEqualTo((int) Math.ceil(40 + 40 * seconds + 2 * settings.lease()));
        // the whole burst and most of the refill are served, not lost in leases
        assertThat(allowed).isGreaterThanOrEqualTo(40 + (int) (40 * seconds / 2));
        assertThat(allowed).isLessThan(sent);
        // a lease is a Redis call for several requests, not one per request
        assertThat(a.redisCalls() + b.redisCalls()).isLessThan(sent / 2);
    }

    @Test
    void withinItsLeaseAClientCostsNoRedisCall() {
        String namespace = "test-" + UUID.randomUUID();
        RateLimiter limiter = new RateLimiter(redis,
                settings(200, 0.0001, 0.1, Duration.ofSeconds(2), Duration.ofSeconds(30)), () -> namespace);
        for (int i = 0; i < 100; i++) {
            assertThat(take(limiter, "k:calm").allowed()).isTrue();
        }
        // leases of 20, renewed at half: about one call per 10 requests
        assertThat(limiter.redisCalls()).isBetween(5L, 12L);
    }

    @Test
    void anIdleInstanceGivesItsUnspentLeaseBack() throws InterruptedException {
        String namespace = "test-" + UUID.randomUUID();
        // leases of 15 out of 30, given back after 200 ms idle
        RateLimiter.Settings settings = settings(30, 0.0001, 0.5, Duration.ofSeconds(2), Duration.ofMillis(200));
        RateLimiter a = new RateLimiter(redis, settings, () -> namespace);
        RateLimiter b = new RateLimiter(redis, settings, () -> namespace);
        assertThat(take(a, "k:idle").allowed()).isTrue();
        String key = "es:rl:" + namespace + ":k:idle";
        assertThat(tokensInRedis(key)).isEqualTo(15.0, org.assertj.core.data.Offset.offset(0.01));
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (tokensInRedis(key) < 28.99 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        // a spent 1 of its lease; the other 14 are back in the shared bucket, for b
        assertThat(tokensInRedis(key)).isEqualTo(29.0, org.assertj.core.data.Offset.offset(0.01));
        int allowed = 0;
        for (int i = 0; i < 35; i++) {
            allowed += take(b, "k:idle").allowed() ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(29);
    }

    private double tokensInRedis(String key) {
        var response = redis.send(Request.cmd(io.vertx.mutiny.redis.client.Command.HGET).arg(key).arg("tokens"))
                .await().atMost(Duration.ofSeconds(5));
        return response == null ? -1 : Double.parseDouble(response.toString());
    }

    @Test
    void aRedisThatStallsMidwayChangesNothingButTheBound() throws Exception {
        String namespace = "test-" + UUID.randomUUID();
        try (StallingProxy proxy = new StallingProxy("127.0.0.1", 6379)) {
            Redis throughProxy = Redis.createClient(vertx,
                    new RedisOptions().setConnectionString("redis://127.0.0.1:" + proxy.port()));
            try {
                // capacity 20, leases of 10, 150 ms timeout, Redis tried again 300 ms after a failure
                RateLimiter.Settings settings = new RateLimiter.Settings(20, 0.0001, true, Duration.ofMillis(150),
                        Duration.ofMillis(300), 1000, 10, Duration.ofSeconds(30));
                RateLimiter limiter = new RateLimiter(throughProxy, settings, () -> namespace);
                int allowed = 0;
                for (int i = 0; i < 3; i++) {
                    allowed += take(limiter, "k:stall").allowed() ? 1 : 0;
                }
                assertThat(allowed).isEqualTo(3);
                proxy.stall(true);
                long slowest = 0;
                List<Boolean> decisions = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    long start = System.nanoTime();
                    decisions.add(take(limiter, "k:stall").allowed());
                    slowest = Math.max(slowest, System.nanoTime() - start);
                }
                // no request waits longer than the timeout; the lease, then the local bucket, decide
                assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofMillis(1000));
                assertThat(limiter.usingRedis()).isFalse();
                allowed += (int) decisions.stream().filter(Boolean::booleanValue).count();
                // the bound while Redis is out: one capacity (local bucket) plus one lease
                assertThat(allowed).isLessThanOrEqualTo(settings.capacity() + settings.lease());
                assertThat(allowed).isGreaterThanOrEqualTo(settings.capacity());
                // denials look the same as ever
                RateLimiter.Decision denied = take(limiter, "k:stall");
                assertThat(denied.allowed()).isFalse();
                assertThat(denied.retryAfterMillis()).isPositive();
                proxy.stall(false);
                // after the back-off one request probes Redis, which decides again (its bucket still has tokens)
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!limiter.usingRedis() && System.nanoTime() < deadline) {
                    take(limiter, "k:other");
                    Thread.sleep(50);
                }
                assertThat(limiter.usingRedis()).isTrue();
            } finally {
                throughProxy.close();
            }
        }
    }

    @Test
    void withRedisUnreachableLocalBucketsDecide() {
        Redis nowhere = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:1"));
        try {
            RateLimiter limiter = new RateLimiter(nowhere, settings(3, Duration.ofMillis(200)), () -> "test");
            List<Boolean> allowed = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                allowed.add(take(limiter, "a:198.51.100.1").allowed());
            }
            assertThat(allowed).containsExactly(true, true, true, false);
            assertThat(limiter.usingRedis()).isFalse();
            assertThat(take(limiter, "a:198.51.100.2").allowed()).isTrue();
        } finally {
            nowhere.close();
        }
    }

    @Test
    void aSilentRedisIsAbandonedAfterTheTimeout() throws IOException {
        // accepts connections and never answers: every call would hang without the timeout
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Redis slow = Redis.createClient(vertx,
                    new RedisOptions().setConnectionString("redis://127.0.0.1:" + silent.getLocalPort()));
            try {
                RateLimiter limiter = new RateLimiter(slow, settings(2, Duration.ofMillis(100)), () -> "test");
                long start = System.nanoTime();
                assertThat(take(limiter, "k:slow").allowed()).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
                assertThat(limiter.usingRedis()).isFalse();
                // now decided locally without waiting on Redis at all
                start = System.nanoTime();
                assertThat(take(limiter, "k:slow").allowed()).isTrue();
                assertThat(take(limiter, "k:slow").allowed()).isFalse();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(100));
            } finally {
                slow.close();
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }
}
