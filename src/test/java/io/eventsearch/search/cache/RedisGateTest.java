package io.eventsearch.search.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class RedisGateTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RedisGate gate = new RedisGate("test", "doing without", Duration.ofSeconds(5), now::get);

    @Test
    void openWhileRedisAnswers() {
        assertThat(IntStream.range(0, 100).allMatch(i -> gate.tryEnter())).isTrue();
        gate.succeeded();
        assertThat(gate.up()).isTrue();
    }

    @Test
    void afterAFailureEveryoneSkipsRedisForTheBackOffThenExactlyOneCallProbes() {
        assertThat(gate.tryEnter()).isTrue();
        gate.failed(new RuntimeException("timeout"));
        assertThat(gate.up()).isFalse();
        assertThat(IntStream.range(0, 100).noneMatch(i -> gate.tryEnter())).isTrue();

        now.addAndGet(5_000);
        long entered = IntStream.range(0, 100).filter(i -> gate.tryEnter()).count();
        assertThat(entered).as("one probe, however many callers").isEqualTo(1);

        gate.failed(new RuntimeException("still down"));
        assertThat(gate.tryEnter()).isFalse();
        now.addAndGet(5_000);
        assertThat(gate.tryEnter()).isTrue();
        gate.succeeded();
        assertThat(gate.up()).isTrue();
        assertThat(IntStream.range(0, 100).allMatch(i -> gate.tryEnter())).isTrue();
    }

    @Test
    void lateFailuresOfCallsStartedWhileUpOnlyExtendTheBackOff() {
        assertThat(gate.tryEnter()).isTrue();
        assertThat(gate.tryEnter()).isTrue();
        gate.failed(new RuntimeException("a"));
        now.addAndGet(3_000);
        gate.failed(new RuntimeException("b")); // the second in-flight call times out later
        now.addAndGet(3_000);
        assertThat(gate.tryEnter()).isFalse();
        now.addAndGet(2_000);
        assertThat(gate.tryEnter()).isTrue();
    }
}
