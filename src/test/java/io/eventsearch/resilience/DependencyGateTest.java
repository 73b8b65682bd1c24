package io.eventsearch.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The gate's back-off on SmallRye Fault Tolerance's circuit breaker (hence a Quarkus test: the programmatic API
 * needs the container), on the real clock: the back-off is {@link #BACK_OFF}, and the test waits in fractions of it.
 */
@QuarkusTest
class DependencyGateTest {

    private static final Duration BACK_OFF = Duration.ofSeconds(2);

    private final DependencyGate dependency = new DependencyGate("test-" + UUID.randomUUID(), "test", "doing without",
            BACK_OFF);
    private final Calls gate = new Calls();

    @Test
    void openWhileRedisAnswers() {
        assertThat(IntStream.range(0, 100).allMatch(i -> gate.tryEnter())).isTrue();
        gate.succeeded();
        assertThat(gate.up()).isTrue();
    }

    @Test
    void afterAFailureEveryoneSkipsRedisForTheBackOffThenExactlyOneCallProbes() throws InterruptedException {
        assertThat(gate.tryEnter()).isTrue();
        gate.failed(new RuntimeException("timeout"));
        assertThat(gate.up()).isFalse();
        assertThat(IntStream.range(0, 100).noneMatch(i -> gate.tryEnter())).isTrue();

        pause(1.0);
        long entered = IntStream.range(0, 100).filter(i -> gate.tryEnter()).count();
        assertThat(entered).as("one probe, however many callers").isEqualTo(1);

        gate.failed(new RuntimeException("still down"));
        assertThat(gate.tryEnter()).isFalse();
        pause(1.0);
        assertThat(gate.tryEnter()).isTrue();
        gate.succeeded();
        assertThat(gate.up()).isTrue();
        assertThat(IntStream.range(0, 100).allMatch(i -> gate.tryEnter())).isTrue();
    }

    @Test
    void lateFailuresOfCallsStartedWhileUpOnlyExtendTheBackOff() throws InterruptedException {
        assertThat(gate.tryEnter()).isTrue();
        assertThat(gate.tryEnter()).isTrue();
        gate.failed(new RuntimeException("a"));
        pause(0.6);
        gate.failed(new RuntimeException("b")); // the second in-flight call times out later
        pause(0.6);
        assertThat(gate.tryEnter()).isFalse();
        pause(0.4);
        assertThat(gate.tryEnter()).isTrue();
    }

    private static void pause(double backOffs) throws InterruptedException {
        Thread.sleep((long) (BACK_OFF.toMillis() * backOffs));
    }

    /**
     * Calls through the gate, each entered when the gate runs its action, and ended (oldest first) by the test:
     * {@code tryEnter} is true when the gate let the call through.
     */
    private final class Calls {
        private final Deque<UniEmitter<? super String>> running = new ConcurrentLinkedDeque<>();

        boolean tryEnter() {
            AtomicBoolean entered = new AtomicBoolean();
            dependency.call(() -> {
                entered.set(true);
                return Uni.createFrom().<String>emitter(running::add);
            }).subscribe().with(ok -> {
            }, failure -> {
            });
            return entered.get();
        }

        void succeeded() {
            running.removeFirst().complete("answer");
        }

        void failed(Throwable failure) {
            running.removeFirst().fail(failure);
        }

        boolean up() {
            return dependency.up();
        }
    }
}
