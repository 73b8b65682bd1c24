package io.eventsearch.resilience;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;

/**
 * The one "try a dependency, back off, try again" of the service, on SmallRye Fault Tolerance: a circuit breaker
 * that opens at the first failure (an error, or no answer within the call's timeout), lets no call through for
 * {@code retryAfter}, then lets exactly one probe through (SmallRye's half-open state admits {@code successThreshold}
 * calls, here 1); the probe's success closes it for everyone, its failure starts another back-off. A call that was
 * already under way when the breaker opened and fails later holds the probe back for {@code retryAfter} after that
 * failure too (SmallRye times the back-off from the failure that opened the breaker only).
 *
 * <p>The log gets one line when the dependency goes (repeated ones at most once a minute) and one when it comes
 * back. Metrics come from SmallRye Fault Tolerance, tagged {@code method=<name>}: {@code ft.circuitbreaker.*} and
 * {@code ft.invocations.total} for the breaker, {@code ft.timeout.*} under {@code method=<name>.timeout}.
 * {@link #up()} is a volatile read (the state as the breaker last reported it), cheap enough for every request.
 */
public final class DependencyGate {

    private static final Logger LOG = Logger.getLogger(DependencyGate.class);
    private static final long DOWN_LOG_EVERY_NANOS = Duration.ofMinutes(1).toNanos();
    private static final TypeLiteral<Uni<Object>> UNI = new TypeLiteral<>() {
    };

    private final String name;
    private final String dependency;
    private final String whileDown;
    private final Duration retryAfter;
    private final boolean quiet;
    private final Guard breaker;
    private final Map<Duration, Guard> timeouts = new ConcurrentHashMap<>();
    private final AtomicBoolean downToLog = new AtomicBoolean();
    private volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
    private volatile long heldUntil = System.nanoTime();
    private volatile long lastDownLog = System.nanoTime() - 2 * DOWN_LOG_EVERY_NANOS;

    /**
     * @param name the breaker's name and the metrics' {@code method} tag (unique in the process)
     * @param dependency what is called, for log lines ("search cache (Redis at ...)")
     * @param whileDown what happens instead while the dependency is skipped, for log lines
     * @param retryAfter how long calls skip the dependency after a failure
     */
    public DependencyGate(String name, String dependency, String whileDown, Duration retryAfter) {
        this(name, dependency, whileDown, retryAfter, false);
    }

    /** As above; a {@code quiet} gate logs its state changes at debug level (an expected, self-healing condition). */
    public DependencyGate(String name, String dependency, String whileDown, Duration retryAfter, boolean quiet) {
        this.name = name;
        this.dependency = dependency;
        this.whileDown = whileDown;
        this.retryAfter = retryAfter;
        this.quiet = quiet;
        this.breaker = Guard.create()
                .withDescription(name)
                .withCircuitBreaker()
                    .name(name)
                    .requestVolumeThreshold(1)
                    .failureRatio(1)
                    .delay(retryAfter.toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(1)
                    .when(failure -> !(failure instanceof NotTheDependency))
                    .onStateChange(this::changed)
                    .done()
                .build();
    }

    /** Whether calls go to the dependency now (the breaker is closed): a volatile read. */
    public boolean up() {
        return state == CircuitBreakerState.CLOSED;
    }

    /** Whether callers should not even try now: the back-off is running (closed, or waiting for its probe: false). */
    public boolean backingOff() {
        return state == CircuitBreakerState.OPEN;
    }

    /** The action through the breaker, without a timeout of its own; fails with {@link CircuitBreakerOpenException} when skipped. */
    public <T> Uni<T> call(Supplier<Uni<T>> action) {
        return guarded(action);
    }

    /** The action through the breaker, failing with a Fault Tolerance {@code TimeoutException} after {@code timeout}. */
    public <T> Uni<T> call(Duration timeout, Supplier<Uni<T>> action) {
        return guarded(() -> timed(timeout, action));
    }

    /**
     * The action through the breaker, {@code instead} when it is skipped or fails; a failure counts against the
     * dependency only once {@code instead} has answered (a failure both share, such as a bad statement, is not the
     * dependency's own).
     */
    public <T> Uni<T> callOr(Duration timeout, Supplier<Uni<T>> action, Supplier<Uni<T>> instead) {
        Uni<T> guarded = guarded(() -> timed(timeout, action).onFailure().recoverWithUni(failure -> instead.get()
                .onFailure().transform(NotTheDependency::new)
                .onItem().failWith(item -> new Covered(failure, item))));
        return guarded
                .onFailure(Covered.class).recoverWithItem(covered -> this.<T>coveredItem(covered))
                .onFailure(NotTheDependency.class).transform(Throwable::getCause)
                .onFailure(CircuitBreakerOpenException.class).recoverWithUni(() -> instead.get());
    }

    /** Only the timeout (Fault Tolerance's), outside the breaker: for probes that report without deciding. */
    public <T> Uni<T> timed(Duration timeout, Supplier<Uni<T>> action) {
        Guard guard = timeouts.computeIfAbsent(timeout, duration -> Guard.create()
                .withDescription(name + ".timeout")
                .withTimeout().duration(duration.toMillis(), ChronoUnit.MILLIS).done()
                .build());
        return cast(guard.get(cast(action), UNI));
    }

    private <T> Uni<T> guarded(Supplier<Uni<T>> action) {
        if (state == CircuitBreakerState.HALF_OPEN && System.nanoTime() - heldUntil < 0) {
            return Uni.createFrom().failure(new CircuitBreakerOpenException(name + " circuit breaker is held open"));
        }
        Uni<T> guarded = cast(breaker.get(cast(action), UNI));
        return guarded.onFailure().invoke(this::failed);
    }

    private void failed(Throwable failure) {
        if (failure instanceof CircuitBreakerOpenException || failure instanceof NotTheDependency) {
            return;
        }
        long now = System.nanoTime();
        heldUntil = now + retryAfter.toNanos();
        if (downToLog.compareAndSet(true, false)) {
            Throwable reason = failure instanceof Covered covered ? covered.getCause() : failure;
            String why = reason.getMessage() == null ? reason.getClass().getSimpleName() : reason.getMessage();
            if (now - lastDownLog >= DOWN_LOG_EVERY_NANOS && !quiet) {
                lastDownLog = now;
                LOG.warnf("%s: unreachable or failing (%s); %s, trying again every %s", dependency, why, whileDown,
                        retryAfter);
            } else {
                LOG.debugf("%s: unreachable or failing again (%s)", dependency, why);
            }
        }
    }

    private void changed(CircuitBreakerState next) {
        CircuitBreakerState previous = state;
        state = next;
        if (next == CircuitBreakerState.OPEN && previous == CircuitBreakerState.CLOSED) {
            downToLog.set(true);
        } else if (next == CircuitBreakerState.CLOSED && previous != CircuitBreakerState.CLOSED) {
            LOG.logf(quiet ? Logger.Level.DEBUG : Logger.Level.INFO, "%s: answers again", dependency);
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T coveredItem(Throwable covered) {
        return (T) ((Covered) covered).item;
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static <A, B> A cast(B value) {
        return (A) value;
    }

    /** The dependency failed and {@code instead} answered: the answer, carried past the breaker as its failure. */
    private static final class Covered extends RuntimeException {
        final transient Object item;

        Covered(Throwable failure, Object item) {
            super(failure.getMessage(), failure, false, false);
            this.item = item;
        }
    }

    /** {@code instead} failed too: not counted against the dependency (the cause is what the caller sees). */
    private static final class NotTheDependency extends RuntimeException {
        NotTheDependency(Throwable failure) {
            super(failure.getMessage(), failure, false, false);
        }
    }
}
