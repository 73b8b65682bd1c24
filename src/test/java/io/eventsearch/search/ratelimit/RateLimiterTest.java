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

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/**
 * The limiter itself: two instances (as two service instances would be) share buckets through the real Redis and
 * its atomic script; with Redis unreachable or silent, each decides with its local buckets at once.
 */
@QuarkusTest
class RateLimiterTest {

    @Inject
    Redis redis;

    @Inject
    Vertx vertx;

    private static RateLimiter.Settings settings(int capacity, Duration timeout) {
        // refill so slow that no token comes back during a test
        return new RateLimiter.Settings(capacity, 0.0001, true, timeout, Duration.ofSeconds(30), 1000);
    }

    private static RateLimiter.Decision take(RateLimiter limiter, String client) {
        return limiter.acquire(client).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void twoInstancesShareOneBucketThroughRedis() {
        String namespace = "test-" + UUID.randomUUID();
        RateLimiter a = new RateLimiter(redis, settings(5, Duration.ofSeconds(2)), () -> namespace);
        RateLimiter b = new RateLimiter(redis, settings(5, Duration.ofSeconds(2)), () -> namespace);
        List<Boolean> allowed = new ArrayList<>();
        for (RateLimiter limiter : List.of(a, b, a, b, a)) {
            allowed.add(take(limiter, "a:203.0.113.7").allowed());
        }
        assertThat(allowed).containsOnly(true);
        // 3 taken through a, 2 through b: both see the one bucket empty (local buckets would still allow)
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
        RateLimiter a = new RateLimiter(redis, settings(20, Duration.ofSeconds(5)), () -> namespace);
        RateLimiter b = new RateLimiter(redis, settings(20, Duration.ofSeconds(5)), () -> namespace);
        List<Uni<RateLimiter.Decision>> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            all.add((i % 2 == 0 ? a : b).acquire("k:burst"));
        }
        List<RateLimiter.Decision> decisions = new CopyOnWriteArrayList<>();
        Uni.join().all(all).andFailFast().await().atMost(Duration.ofSeconds(30)).forEach(decisions::add);
        assertThat(decisions.stream().filter(RateLimiter.Decision::allowed)).hasSize(20);
        assertThat(a.usingRedis()).isTrue();
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
